"""Co-handling units: their opinion to the lead unit, and their countersignature (会签) of the
lead's draft before it goes to the lead's head, so that no unit passes the buck silently."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from handling import services as hs
from handling.models import CoOpinion, Countersignature, Reply
from proposals.models import Notification, ProposalState
from proposals.selectors import workbench
from proposals.workflow import ProposalError
from tests.pages import text
from tests.workflow import advance

S = ProposalState
pytestmark = pytest.mark.django_db


@pytest.fixture
def with_co(draft, cast, co_unit, co_handler):
    cast.co_units = [co_unit]
    proposal = advance(draft, S.IN_HANDLING, cast)
    return proposal, proposal.assignments.get(unit=cast.unit), proposal.assignments.get(unit=co_unit)


def count(user, key):
    return next(t.count for t in workbench(user) if t.key == key)


# --- opinions ------------------------------------------------------------------------------------


def test_the_co_handler_signs_then_sends_its_opinion(client, with_co, co_handler, cast):
    proposal, _lead, co = with_co
    assert count(co_handler, "sign") == 1
    assert count(co_handler, "co_opinion") == 0  # first signed for: the to-do says what can be done now
    with pytest.raises(ProposalError, match="请先签收"):
        hs.submit_co_opinion(assignment=co, by=co_handler, body="意见")
    client.force_login(co_handler)
    client.post(reverse("handling:sign", args=[co.pk]))
    assert count(co_handler, "co_opinion") == 1
    page = client.post(reverse("handling:co_opinion", args=[co.pk]), {"body": "资金可列入明年预算"})
    assert page.status_code == 302
    opinion = CoOpinion.objects.get()
    assert (opinion.body, opinion.submitted_by, opinion.round) == ("资金可列入明年预算", co_handler, 1)
    assert proposal.events.get(action="co_opinion").note == "资金可列入明年预算"
    assert Notification.objects.filter(recipient=cast.handler, message__contains="协办意见").exists()
    assert count(co_handler, "co_opinion") == 0
    # The lead unit sees it beside its draft.
    client.force_login(cast.handler)
    assert "资金可列入明年预算" in text(client.get(reverse("handling:reply_edit", args=[_lead.pk])))


def test_a_revised_opinion_replaces_the_text_and_the_trail_keeps_both(with_co, co_handler):
    proposal, _lead, co = with_co
    hs.sign_assignment(assignment=co, by=co_handler)
    hs.submit_co_opinion(assignment=co, by=co_handler, body="第一版")
    hs.submit_co_opinion(assignment=co, by=co_handler, body="第二版")
    assert CoOpinion.objects.get().body == "第二版"
    assert list(proposal.events.filter(action="co_opinion").values_list("note", flat=True)) == ["第一版", "第二版"]


def test_an_empty_opinion_keeps_the_form(client, with_co, co_handler):
    _proposal, _lead, co = with_co
    hs.sign_assignment(assignment=co, by=co_handler)
    client.force_login(co_handler)
    assert client.post(reverse("handling:co_opinion", args=[co.pk]), {"body": ""}).status_code == 400
    assert not CoOpinion.objects.exists()


def test_only_the_co_handler_sends_an_opinion(client, with_co, cast, other_unit_handler):
    _proposal, lead, co = with_co
    with pytest.raises(ProposalError):
        hs.submit_co_opinion(assignment=lead, by=cast.handler, body="主办不提协办意见")
    with pytest.raises(ProposalError):
        hs.submit_co_opinion(assignment=co, by=cast.handler, body="别的单位")
    client.force_login(cast.handler)
    assert client.get(reverse("handling:co_opinion", args=[co.pk])).status_code == 404
    assert client.get(reverse("handling:co_opinion", args=[lead.pk])).status_code == 404
    client.force_login(other_unit_handler)
    assert client.get(reverse("handling:co_opinion", args=[co.pk])).status_code == 404


# --- countersigning --------------------------------------------------------------------------------


@pytest.fixture
def draft_reply(with_co, cast, co_handler):
    proposal, lead, co = with_co
    hs.sign_assignment(assignment=co, by=co_handler)
    reply = hs.save_reply_draft(
        assignment=lead, by=cast.handler, result_category=cast.result, body="答复正文", signer="局长"
    )
    return proposal, reply, co


def test_the_draft_cannot_go_to_the_head_before_every_co_handler_countersigned(draft_reply, cast):
    _proposal, reply, _co = draft_reply
    with pytest.raises(ProposalError, match="区财政局"):
        hs.submit_reply(reply=reply, by=cast.handler)
    reply.refresh_from_db()
    assert reply.state == Reply.State.DRAFT


def test_asked_to_countersign_the_co_handler_agrees_and_the_draft_goes_on(client, draft_reply, cast, co_handler):
    proposal, reply, _co = draft_reply
    client.force_login(cast.handler)
    client.post(reverse("handling:reply_step", args=[reply.pk, "request_countersign"]))
    assert proposal.events.filter(action="countersign_request", actor=cast.handler).exists()
    assert Notification.objects.filter(recipient=co_handler, message__contains="会签").exists()
    assert count(co_handler, "countersign") == 1

    client.force_login(co_handler)
    page = client.get(reverse("handling:reply", args=[reply.pk]))
    assert "答复正文" in text(page) and "区财政局 会签" in text(page)
    client.post(reverse("handling:reply_step", args=[reply.pk, "countersign"]), {"decision": "agree"})
    signature = Countersignature.objects.get()
    assert (signature.agrees, signature.version, signature.signed_by) == (True, reply.version, co_handler)
    assert proposal.events.get(action="countersign").actor == co_handler
    assert count(co_handler, "countersign") == 0

    client.force_login(cast.handler)
    client.post(reverse("handling:reply_step", args=[reply.pk, "submit"]))
    reply.refresh_from_db()
    assert reply.state == Reply.State.PENDING_APPROVAL


def test_the_reply_forms_main_button_is_the_step_that_can_succeed_next(client, draft_reply, cast, co_handler):
    proposal, reply, _co = draft_reply
    lead = reply.assignment
    client.force_login(cast.handler)

    def buttons():
        page = client.get(reverse("handling:reply_edit", args=[lead.pk])).content.decode()
        main = re.findall(r'<button class="btn" type="submit" name="action" value="(\w+)"', page)
        offered = re.findall(r'name="action" value="(\w+)"', page)
        return main, offered

    # Co-handlers have not countersigned: asking them is the main step; the head cannot be reached yet.
    assert buttons() == (["countersign"], ["save", "countersign"])
    hs.request_countersign(reply=reply, by=cast.handler)
    hs.countersign_reply(reply=reply, by=co_handler, agrees=True)
    # Every co-handler has countersigned this version: sending it to the head is the main step.
    assert buttons() == (["submit"], ["save", "countersign", "submit"])


def test_a_changed_draft_needs_a_new_countersignature(draft_reply, cast, co_handler):
    _proposal, reply, _co = draft_reply
    hs.countersign_reply(reply=reply, by=co_handler, agrees=True)
    hs.save_reply_draft(assignment=reply.assignment, by=cast.handler, body="改过的答复正文")
    with pytest.raises(ProposalError, match="区财政局"):
        hs.submit_reply(reply=reply, by=cast.handler)
    hs.countersign_reply(reply=reply, by=co_handler, agrees=True)
    hs.submit_reply(reply=reply, by=cast.handler)


def test_saving_the_same_text_again_keeps_the_countersignature(draft_reply, cast, co_handler):
    _proposal, reply, _co = draft_reply
    hs.countersign_reply(reply=reply, by=co_handler, agrees=True)
    hs.save_reply_draft(assignment=reply.assignment, by=cast.handler, body="答复正文")
    hs.submit_reply(reply=reply, by=cast.handler)


def test_an_objection_needs_its_reasons_and_is_on_the_record(client, draft_reply, cast, co_handler):
    proposal, reply, _co = draft_reply
    client.force_login(co_handler)
    url = reverse("handling:reply_step", args=[reply.pk, "countersign"])
    page = client.post(url, {"decision": "object", "comment": ""})
    assert page.status_code == 400 and "请说明本单位不同意的内容" in text(page)
    client.post(url, {"decision": "object", "comment": "资金来源表述不准确"})
    signature = Countersignature.objects.get()
    assert (signature.agrees, signature.comment) == (False, "资金来源表述不准确")
    assert proposal.events.get(action="countersign_objection").note == "资金来源表述不准确"
    assert Notification.objects.filter(recipient=cast.handler, message__contains="资金来源表述不准确").exists()
    with pytest.raises(ProposalError):
        hs.submit_reply(reply=reply, by=cast.handler)
    # The lead unit sees the objection beside its draft.
    client.force_login(cast.handler)
    assert "资金来源表述不准确" in text(client.get(reverse("handling:reply_edit", args=[reply.assignment_id])))


def test_only_a_co_handler_countersigns(draft_reply, cast, other_unit_handler, staff):
    _proposal, reply, _co = draft_reply
    for user in (cast.handler, cast.head, other_unit_handler, staff):
        with pytest.raises(ProposalError):
            hs.countersign_reply(reply=reply, by=user, agrees=True)
    assert not Countersignature.objects.exists()


def test_not_twice_on_the_same_version(draft_reply, co_handler):
    _proposal, reply, _co = draft_reply
    hs.countersign_reply(reply=reply, by=co_handler, agrees=True)
    with pytest.raises(ProposalError, match="已会签"):
        hs.countersign_reply(reply=reply, by=co_handler, agrees=True)


def test_nothing_to_countersign_once_it_is_with_the_head(draft_reply, cast, co_handler):
    _proposal, reply, _co = draft_reply
    hs.countersign_reply(reply=reply, by=co_handler, agrees=True)
    hs.submit_reply(reply=reply, by=cast.handler)
    with pytest.raises(ProposalError):
        hs.countersign_reply(reply=reply, by=co_handler, agrees=False, comment="晚了")


def test_without_co_handlers_nothing_is_countersigned(draft, cast):
    proposal = advance(draft, S.IN_HANDLING, cast)
    reply = hs.save_reply_draft(
        assignment=proposal.assignments.get(), by=cast.handler, result_category=cast.result, body="答复", signer="局长"
    )
    with pytest.raises(ProposalError, match="无需会签"):
        hs.request_countersign(reply=reply, by=cast.handler)
    hs.submit_reply(reply=reply, by=cast.handler)


def test_in_rehandling_the_co_handler_owes_a_second_opinion_and_its_count_and_panel_agree(with_co, cast, co_handler):
    from handling.selectors import unit_panel
    from tests.workflow import reply_and_issue

    proposal, _lead, co = with_co
    hs.sign_assignment(assignment=co, by=co_handler)
    hs.submit_co_opinion(assignment=co, by=co_handler, body="第一轮意见")
    assert count(co_handler, "co_opinion") == 0
    reply = reply_and_issue(proposal, cast)
    hs.rate_reply(
        final=True, reply=reply, by=cast.deputy_user, attitude="basic", result="unsatisfied", comment="没解决"
    )
    proposal.refresh_from_db()
    assert proposal.state == S.REHANDLING and co.current_round(proposal) == 2
    panel = unit_panel(proposal, co_handler)
    assert panel.can_co_opinion and panel.my_opinion is None and panel.opinion_due is None
    assert count(co_handler, "co_opinion") == 1
    hs.submit_co_opinion(assignment=co, by=co_handler, body="第二轮意见")
    assert list(CoOpinion.objects.filter(assignment=co).values_list("round", flat=True).order_by("round")) == [1, 2]
    assert count(co_handler, "co_opinion") == 0
    assert unit_panel(proposal, co_handler).my_opinion.round == 2


def test_a_replaced_lead_units_draft_is_not_offered_for_countersigning(client, draft_reply, cast, co_handler, new_unit):
    from handling.selectors import unit_panel

    proposal, reply, _co = draft_reply
    asked = hs.request_reassignment(assignment=reply.assignment, by=cast.handler, reason="不属于本单位职责")
    hs.decide_reassignment(request=asked, by=cast.staff, accept=True, new_unit=new_unit)
    client.force_login(co_handler)
    assert client.get(reverse("handling:reply", args=[reply.pk])).context["can_countersign"] is False
    assert not unit_panel(proposal, co_handler).can_countersign
    with pytest.raises(ProposalError, match="主办单位"):
        hs.countersign_reply(reply=reply, by=co_handler, agrees=True)
    assert not Countersignature.objects.exists()


def test_a_unit_added_after_the_reply_is_not_asked_to_sign_what_it_cannot(
    draft_reply, cast, co_handler, new_unit, new_unit_handler, settings
):
    from handling.selectors import unit_panel

    settings.STAFF_REVIEWS_REPLIES = False
    proposal, reply, co = draft_reply
    hs.countersign_reply(reply=reply, by=co_handler, agrees=True)
    hs.submit_reply(reply=reply, by=cast.handler)
    asked = hs.request_reassignment(assignment=co, by=co_handler, reason="不属于本单位职责")
    hs.decide_reassignment(request=asked, by=cast.staff, accept=True, new_unit=new_unit)
    hs.approve_reply(reply=reply, by=cast.head)  # issued: nothing is signed for any more
    proposal.refresh_from_db()
    assert proposal.state == S.REPLIED
    assert not unit_panel(proposal, new_unit_handler).can_sign
    assert count(new_unit_handler, "sign") == 0


@pytest.mark.parametrize(
    ("who", "pages"),
    [("co", ["reply_edit", "request_extension", "plan_edit"]), ("lead", ["co_opinion"])],
)
def test_a_unit_finds_no_page_for_anothers_part_and_the_refusal_is_audited(
    client, with_co, cast, co_handler, who, pages
):
    from deputies.models import AuditRecord

    _proposal, lead, co = with_co
    hs.sign_assignment(assignment=co, by=co_handler)
    user, assignment = (co_handler, co) if who == "co" else (cast.handler, lead)
    client.force_login(user)
    refused = AuditRecord.objects.filter(kind=AuditRecord.Kind.ACCESS_REFUSED, user=user)
    for page in pages:
        url = reverse(f"handling:{page}", args=[assignment.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"reason": "工程量大", "body": "意见"}).status_code == 404
    assert refused.count() == 2 * len(pages)
