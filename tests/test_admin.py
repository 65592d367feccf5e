"""Every model has an admin, and the state machine's transitions run from it as actions,
through the same services (permission, lock, audit) as the app."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from proposals.models import ProposalAttachment, ProposalState
from tests import files
from tests.brokers import celery_pointed_at, free_port
from tests.workflow import advance

pytestmark = pytest.mark.django_db
OUR_APPS = {"deputies", "proposals", "handling", "supervision", "reports"}


def test_every_model_of_ours_is_registered_in_the_admin():
    ours = [m for m in apps.get_models() if m._meta.app_label in OUR_APPS]
    missing = [m.__name__ for m in ours if m not in admin.site._registry]
    assert ours and missing == []


def test_every_admin_list_page_loads(client, admin_user, draft):
    client.force_login(admin_user)
    for model in admin.site._registry:
        if model._meta.app_label not in OUR_APPS:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url


def test_a_transition_runs_from_the_admin_with_its_form(client, admin_user, draft, cast, category):
    proposal = advance(draft, ProposalState.SUBMITTED, cast)
    client.force_login(admin_user)
    url = reverse("admin:proposals_proposal_changelist")
    form_page = client.post(url, {"action": "wf_register", "_selected_action": [proposal.pk]})
    assert form_page.status_code == 200 and "登记" in form_page.content.decode()
    done = client.post(
        url,
        {"action": "wf_register", "_selected_action": [proposal.pk], "apply": "1", "category": category.pk},
        follow=True,
    )
    assert done.status_code == 200
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.REGISTERED
    assert proposal.events.filter(action="register", actor=admin_user).exists()


def test_a_refused_transition_in_the_admin_says_why_and_changes_nothing(client, admin_user, draft, cast):
    proposal = advance(draft, ProposalState.SUBMITTED, cast)
    client.force_login(admin_user)
    url = reverse("admin:proposals_proposal_changelist")
    # Only the lead deputy may withdraw; the administrator is refused.
    posted = {"action": "wf_withdraw", "_selected_action": [proposal.pk], "apply": "1", "note": "管理员写的说明"}
    response = client.post(url, posted, follow=True)
    # The row comes back on the action's page with why, and the note as typed.
    assert "您无权" in response.content.decode() and "管理员写的说明" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.SUBMITTED


def test_a_refused_merge_comes_back_with_why_and_the_note(client, admin_user, draft, cast):
    proposal = advance(draft, ProposalState.REGISTERED, cast)
    client.force_login(admin_user)
    url = reverse("admin:proposals_proposal_changelist")
    posted = {
        "action": "merge_action",
        "_selected_action": [proposal.pk],
        "apply": "1",
        "main": 999,
        "note": "并案说明",
    }
    page = client.post(url, posted).content.decode()
    assert "并案说明" in page and 'value="999"' in page
    proposal.refresh_from_db()
    assert proposal.merged_into_id is None


def test_the_assign_action_hands_the_suggestion_to_units(client, admin_user, draft, cast, co_unit):
    proposal = advance(draft, ProposalState.REGISTERED, cast)
    client.force_login(admin_user)
    url = reverse("admin:proposals_proposal_changelist")
    client.post(
        url,
        {
            "action": "wf_assign",
            "_selected_action": [proposal.pk],
            "apply": "1",
            "lead_unit": cast.unit.pk,
            "co_units": [co_unit.pk],
        },
    )
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.ASSIGNED
    assert set(proposal.assignments.values_list("unit__name", "role")) == {
        (cast.unit.name, "lead"),
        (co_unit.name, "co"),
    }


def test_a_file_uploaded_in_the_admin_is_checked_like_any_upload(client, admin_user, draft):
    client.force_login(admin_user)
    url = reverse("admin:proposals_proposalattachment_add")
    fields = {"proposal": draft.pk, "name": "材料.docx", "size": 0, "uploaded_by": admin_user.pk}
    bad = SimpleUploadedFile("材料.docx", files.docx({"word/vbaProject.bin": b"macros"}))
    response = client.post(url, {**fields, "file": bad})
    assert response.status_code == 200 and "“材料.docx”含有宏" in response.content.decode()
    assert not ProposalAttachment.objects.exists()
    good = SimpleUploadedFile("材料.docx", files.docx())
    assert client.post(url, {**fields, "file": good}).status_code == 302
    assert ProposalAttachment.objects.get().name == "材料.docx"


def test_running_a_scheduled_task_now_with_the_broker_unreachable_says_so(beat_rows, client, admin_user):
    client.force_login(admin_user)
    row = PeriodicTask.objects.get(task="proposals.tasks.drain_outbox")  # created by a data migration
    with celery_pointed_at(f"redis://127.0.0.1:{free_port()}/0"):
        page = client.post(
            reverse("admin:django_celery_beat_periodictask_changelist"),
            {"action": "run_tasks", "_selected_action": [row.pk]},
            follow=True,
        )
    assert page.status_code == 200 and "无法连接任务队列" in page.content.decode()


def test_a_suggestion_its_assignments_and_replies_are_read_in_the_admin_and_moved_only_by_its_actions(
    client, admin_user, draft, cast
):
    from handling.models import Assignment, Reply
    from tests.workflow import reply_and_issue

    proposal = advance(draft, ProposalState.IN_HANDLING, cast)
    reply = reply_and_issue(proposal, cast, text="已签发的答复")
    assignment = reply.assignment
    client.force_login(admin_user)
    for name in ("proposals_proposal", "handling_assignment", "handling_reply"):
        assert client.get(reverse(f"admin:{name}_add")).status_code == 403
    pages = {
        "proposals_proposal": (proposal, {"title": "改过的标题", "body": "改过"}),
        "handling_assignment": (assignment, {"unit": cast.unit.pk, "role": "co", "deadline": "2030-01-01"}),
        "handling_reply": (reply, {"body": "改过的答复", "result_category": cast.result.pk}),
    }
    for name, (obj, changes) in pages.items():
        url = reverse(f"admin:{name}_change", args=[obj.pk])
        page = client.get(url)
        assert page.status_code == 200 and "<textarea" not in page.content.decode()
        client.post(url, changes)
    proposal.refresh_from_db()
    assert proposal.title != "改过的标题"
    assert Assignment.objects.get(pk=assignment.pk).role == "lead"
    assert Reply.objects.get(pk=reply.pk).body == "已签发的答复"


def test_promises_key_items_co_signatures_contacts_and_holds_are_only_read_in_the_admin(
    client, admin_user, draft, cast, leader
):
    from handling.models import ContactRecord
    from proposals.models import CoSignature
    from reports.models import DisclosureHold
    from supervision.models import KeyItem, Promise

    models = (Promise, KeyItem, CoSignature, ContactRecord, DisclosureHold)
    client.force_login(admin_user)
    for model in models:
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        assert client.get(reverse(f"{name}_add")).status_code == 403, model.__name__
    from supervision import services as ss

    proposal = advance(draft, ProposalState.IN_HANDLING, cast)
    item = ss.save_key_item(by=cast.staff, year=2026, title="主题", leader=leader, proposals=[proposal])
    url = reverse("admin:supervision_keyitem_change", args=[item.pk])
    client.post(url, {"title": "改了", "year": 2026, "leader": leader.pk, "report_every_days": 1})
    item.refresh_from_db()
    assert item.title == "主题"
