"""The access rules as a table of role × object × action, and the list filter agreeing with
the one-object rule for every persona and object."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from deputies import access
from deputies.models import AuditRecord
from handling.models import Rating, Reply
from proposals import services as ps
from proposals.models import ProposalState
from proposals.rules import visible_proposals
from proposals.workflow import ProposalError
from tests import files
from tests.factories import ProposalFactory
from tests.workflow import advance

S = ProposalState
pytestmark = pytest.mark.django_db

PERSONAS = [
    "lead",
    "cosigner",
    "other_deputy",
    "staff",
    "supervision",
    "leader",
    "committee",
    "handler",
    "head",
    "other_handler",
    "admin",
    "member",
    "joint_member",
    "proposals_staff",
]


@pytest.fixture
def people(
    deputy,
    cosigner,
    other_deputy,
    staff,
    supervision,
    leader,
    committee_member,
    unit_handler,
    unit_head,
    other_unit_handler,
    admin_user,
    member,
    joint_member,
    proposals_staff,
):
    return {
        "lead": deputy.user,
        "cosigner": cosigner.user,
        "other_deputy": other_deputy.user,
        "staff": staff,
        "supervision": supervision,
        "leader": leader,
        "committee": committee_member,
        "handler": unit_handler,
        "head": unit_head,
        "other_handler": other_unit_handler,
        "admin": admin_user,
        "member": member.user,
        "joint_member": joint_member.user,
        "proposals_staff": proposals_staff,
    }


@pytest.fixture
def objects(people, deputy, cosigner, meeting, category, cast, member, joint_member, cppcc_meeting, proposal_cast):
    """A draft, a submitted suggestion, and one in handling with a reply waiting for the head;
    the co-signer has confirmed on each."""
    made = {}
    for name, state in (("draft", S.DRAFT), ("submitted", S.SUBMITTED), ("handling", S.IN_HANDLING)):
        proposal = ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category)
        ps.invite_cosigners(proposal=proposal, deputies=[cosigner], by=deputy.user)
        ps.answer_cosign_invitation(signature=proposal.cosignatures.get(), accept=True, by=cosigner.user)
        made[name] = advance(proposal, state, cast)
    assignment = made["handling"].assignments.get()
    from handling import services as hs

    reply = hs.save_reply_draft(
        assignment=assignment, by=cast.handler, result_category=cast.result, body="答复", signer="局长"
    )
    hs.submit_reply(reply=reply, by=cast.handler)
    made["reply"] = Reply.objects.get(pk=reply.pk)
    # A co-signing invitation, a question to a unit before submitting, a contact, and
    # a paper rating.
    made["signature"] = made["draft"].cosignatures.get()
    made["question"] = hs.ask_unit_before_submission(
        proposal=made["draft"], unit=cast.unit, question="是否已有规划？", by=deputy.user
    )
    import datetime as dt

    made["contact"] = hs.record_contact(
        assignment=assignment,
        by=cast.handler,
        kind="phone",
        stage="before",
        contact_date=dt.date.today(),
        people="王建国",
        summary="电话沟通",
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    made["rated"] = rated = advance(
        ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.REPLIED, cast
    )
    made["issued"] = Reply.objects.get(
        assignment__proposal=advance(
            ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.REPLIED, cast
        )
    )
    made["paper_rating"] = hs.record_paper_rating(
        reply=Reply.objects.get(assignment__proposal=rated),
        by=people["staff"],
        attitude="satisfied",
        result="satisfied",
        paper_form=SimpleUploadedFile("反馈表.pdf", files.pdf("signed"), content_type="application/pdf"),
    )
    # The CPPCC stream: a member's proposal signed jointly, submitted; one in handling at the
    # same unit with a reply waiting for the head; one replied.
    for name, state in (("p_draft", S.DRAFT), ("p_submitted", S.SUBMITTED), ("p_handling", S.IN_HANDLING)):
        proposal = ProposalFactory(lead_deputy=member, meeting=cppcc_meeting, category=category)
        ps.invite_cosigners(proposal=proposal, deputies=[joint_member], by=member.user)
        ps.answer_cosign_invitation(signature=proposal.cosignatures.get(), accept=True, by=joint_member.user)
        made[name] = advance(proposal, state, proposal_cast)
    p_reply = hs.save_reply_draft(
        assignment=made["p_handling"].assignments.get(),
        by=cast.handler,
        result_category=cast.result,
        body="答复",
        signer="局长",
    )
    hs.submit_reply(reply=p_reply, by=cast.handler)
    made["p_reply"] = Reply.objects.get(pk=p_reply.pk)
    made["p_issued"] = Reply.objects.get(
        assignment__proposal=advance(
            ProposalFactory(lead_deputy=member, meeting=cppcc_meeting, category=category), S.REPLIED, proposal_cast
        )
    )
    return made


# (action, object, personas allowed). Everyone not listed is refused.
TABLE = [
    ("view_proposal", "draft", {"lead", "cosigner"}),
    ("view_proposal", "submitted", {"lead", "cosigner", "staff", "supervision", "leader", "committee", "admin"}),
    (
        "view_proposal",
        "handling",
        {"lead", "cosigner", "staff", "supervision", "leader", "committee", "admin", "handler", "head"},
    ),
    ("edit_proposal", "draft", {"lead"}),
    ("submit_proposal", "draft", {"lead"}),
    ("withdraw_proposal", "submitted", {"lead"}),
    ("review_proposal", "submitted", {"staff", "admin"}),
    ("assign_proposal", "submitted", {"staff", "supervision", "admin"}),
    ("decide_reassignment", "handling", {"staff", "supervision", "admin"}),
    ("act_as_unit", "handling", {"handler", "head"}),
    ("draft_reply", "reply", {"handler", "head"}),
    ("approve_reply", "reply", {"head"}),
    ("review_reply", "reply", {"staff", "admin"}),
    ("issue_reply", "handling", {"staff", "admin"}),
    # Who rates (handling/rules.py): the lead deputy from their login, staff from a paper form,
    # on a reply that can be rated now; this one still waits for the unit head.
    ("enter_rating", "handling", {"lead", "staff", "admin"}),
    ("rate_reply", "reply", set()),
    ("record_paper_rating", "reply", set()),
    ("rate_reply", "issued", {"lead"}),
    ("record_paper_rating", "issued", {"staff", "admin"}),
    ("view_unrated_replies", "handling", {"staff", "admin"}),
    ("comment_on_reply", "handling", {"lead", "cosigner"}),
    ("urge", "handling", {"staff", "supervision", "admin"}),
    # Deputies on their phones.
    ("draft_proposal", "draft", {"lead", "cosigner", "other_deputy", "member", "joint_member"}),
    ("answer_cosign_invitation", "signature", {"cosigner"}),
    ("follow_proposal", "draft", {"lead", "cosigner"}),
    ("follow_proposal", "handling", {"lead", "cosigner"}),
    ("ask_unit_before_submission", "draft", {"lead"}),
    ("view_draft_question", "question", {"lead", "cosigner", "handler", "head"}),
    ("answer_draft_question", "question", {"handler", "head"}),
    ("answer_contact", "contact", {"lead"}),
    ("view_paper_form", "paper_rating", {"lead", "staff", "supervision", "leader", "committee", "admin"}),
    # Co-handlers' papers stay among the handlers and the overseers
    (
        "view_handling_papers",
        "handling",
        {"staff", "supervision", "leader", "committee", "admin", "handler", "head"},
    ),
    ("view_handling_papers", "draft", set()),
    ("give_co_opinion", "handling", set()),  # only a co-handling unit (see below)
    ("countersign_reply", "reply", set()),
    # Supervision (the rules on key items, urging notices and promises: tests/supervision/test_rules.py)
    ("mark_key", "handling", {"staff", "admin"}),
    ("report_progress", "handling", {"handler", "head"}),
    ("view_leader_page", "handling", {"staff", "supervision", "leader", "committee", "admin"}),
    # Reports (rules on the user alone)
    ("view_dashboard", "handling", {"staff", "supervision", "leader", "committee", "admin"}),
    (
        "export_proposals",
        "handling",
        {"staff", "supervision", "leader", "committee", "admin", "handler", "head", "other_handler"},
    ),
    ("manage_reports", "handling", {"staff", "admin"}),
    # The CPPCC stream: the same rules, with the member as its deputy and the proposals
    # committee as its staff; the congress's staff never see a proposal, the proposals
    # committee never a suggestion; the government, leaders and committees see both.
    ("view_proposal", "p_draft", {"member", "joint_member"}),
    (
        "view_proposal",
        "p_submitted",
        {"member", "joint_member", "proposals_staff", "supervision", "leader", "committee", "admin"},
    ),
    (
        "view_proposal",
        "p_handling",
        {"member", "joint_member", "proposals_staff", "supervision", "leader", "committee", "admin", "handler", "head"},
    ),
    ("edit_proposal", "p_draft", {"member"}),
    ("submit_proposal", "p_draft", {"member"}),
    ("withdraw_proposal", "p_submitted", {"member"}),
    ("review_proposal", "p_submitted", {"proposals_staff", "admin"}),
    ("assign_proposal", "p_submitted", {"proposals_staff", "supervision", "admin"}),
    ("decide_reassignment", "p_handling", {"proposals_staff", "supervision", "admin"}),
    ("act_as_unit", "p_handling", {"handler", "head"}),
    ("approve_reply", "p_reply", {"head"}),
    ("review_reply", "p_reply", {"proposals_staff", "admin"}),
    ("issue_reply", "p_handling", {"proposals_staff", "admin"}),
    ("enter_rating", "p_handling", {"member", "proposals_staff", "admin"}),
    ("rate_reply", "p_issued", {"member"}),
    ("record_paper_rating", "p_issued", {"proposals_staff", "admin"}),
    ("comment_on_reply", "p_handling", {"member", "joint_member"}),
    ("urge", "p_handling", {"proposals_staff", "supervision", "admin"}),
    ("follow_proposal", "p_handling", {"member", "joint_member"}),
    ("mark_key", "p_handling", {"proposals_staff", "admin"}),
    (
        "view_handling_papers",
        "p_handling",
        {"proposals_staff", "supervision", "leader", "committee", "admin", "handler", "head"},
    ),
    ("view_dashboard", "p_handling", {"proposals_staff", "supervision", "leader", "committee", "admin"}),
    ("manage_reports", "p_handling", {"proposals_staff", "admin"}),
]


@pytest.mark.parametrize(("action", "obj", "allowed"), TABLE, ids=[f"{a}-{o}" for a, o, _ in TABLE])
def test_access_table(people, objects, action, obj, allowed):
    granted = {name for name in PERSONAS if access.allowed(people[name], action, objects[obj])}
    assert granted == allowed


@override_settings(STAFF_REVIEWS_REPLIES=False)
def test_without_staff_review_the_unit_head_issues_the_reply(people, objects):
    granted = {name for name in PERSONAS if access.allowed(people[name], "issue_reply", objects["handling"])}
    assert granted == {"head"}


def test_the_list_filter_agrees_with_the_view_rule_for_everyone(people, objects):
    proposals = [
        objects["draft"],
        objects["submitted"],
        objects["handling"],
        objects["rated"],
        objects["issued"].assignment.proposal,
        objects["p_draft"],
        objects["p_submitted"],
        objects["p_handling"],
        objects["p_issued"].assignment.proposal,
    ]
    for name, user in people.items():
        listed = set(visible_proposals(user).values_list("pk", flat=True))
        by_rule = {p.pk for p in proposals if access.allowed(user, "view_proposal", p)}
        assert listed == by_rule, name


def test_a_declined_cosigner_no_longer_sees_the_suggestion(client, deputy, cosigner, draft):
    from proposals.workflow import ProposalError

    ps.invite_cosigners(proposal=draft, deputies=[cosigner], by=deputy.user)
    ps.answer_cosign_invitation(signature=draft.cosignatures.get(), accept=False, by=cosigner.user)
    assert not access.allowed(cosigner.user, "view_proposal", draft)
    assert draft not in visible_proposals(cosigner.user)
    # Nor accept it afterwards (only the lead's new invitation opens it again), nor read its
    # title, changed since, in the API's list of invitations.
    with pytest.raises(ProposalError, match="已答复"):
        ps.answer_cosign_invitation(signature=draft.cosignatures.get(), accept=True, by=cosigner.user)
    assert draft not in visible_proposals(cosigner.user)
    client.force_login(cosigner.user)
    assert client.get("/api/v1/cosign-invitations/").json()["results"] == []
    ps.invite_cosigners(proposal=draft, deputies=[cosigner], by=deputy.user)
    ps.answer_cosign_invitation(signature=draft.cosignatures.get(), accept=True, by=cosigner.user)
    assert draft in visible_proposals(cosigner.user)


def test_an_inactive_account_sees_nothing(people, objects):
    staff = people["staff"]
    staff.is_active = False
    staff.save()
    assert not visible_proposals(staff).exists()
    assert not access.allowed(staff, "view_proposal", objects["submitted"])


@pytest.mark.parametrize("who", ["other_deputy", "other_handler", "handler"])
def test_what_you_may_not_see_answers_404_and_is_audited(client, people, objects, who):
    target = objects["draft"] if who == "handler" else objects["handling"]
    client.force_login(people[who])
    response = client.get(reverse("proposals:detail", args=[target.pk]))
    assert response.status_code == 404
    record = AuditRecord.objects.get(kind=AuditRecord.Kind.ACCESS_REFUSED)
    assert (record.user, record.path) == (people[who], reverse("proposals:detail", args=[target.pk]))


def test_what_you_may_see_answers_200(client, people, objects):
    client.force_login(people["handler"])
    assert client.get(reverse("proposals:detail", args=[objects["handling"].pk])).status_code == 200
    assert not AuditRecord.objects.filter(kind=AuditRecord.Kind.ACCESS_REFUSED).exists()


def test_a_unit_never_enters_a_rating(people, objects, cast):
    from handling import services as hs

    reply = objects["reply"]
    hs.approve_reply(reply=reply, by=cast.head)
    hs.issue_reply(reply=reply, by=people["staff"])
    for who in ("handler", "head", "other_handler"):
        with pytest.raises(ProposalError):
            hs.rate_reply(final=True, reply=reply, by=people[who], attitude="satisfied", result="satisfied")
    # Staff only with the signed paper form.
    with pytest.raises(ProposalError, match="form|反馈表"):
        hs.rate_reply(final=True, reply=reply, by=people["staff"], attitude="satisfied", result="satisfied")
    assert not Rating.objects.filter(reply=reply).exists()


def test_staff_record_a_paper_rating_with_the_signed_form(people, objects, cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from handling import services as hs

    reply = objects["reply"]
    hs.approve_reply(reply=reply, by=cast.head)
    hs.issue_reply(reply=reply, by=people["staff"])
    form = SimpleUploadedFile("反馈表.pdf", files.pdf("signed form"), content_type="application/pdf")
    rating = hs.record_paper_rating(
        reply=reply, by=people["staff"], attitude="satisfied", result="basic", paper_form=form
    )
    assert rating.is_paper and rating.paper_form.name.endswith(".pdf")
    assert rating.rated_by == people["staff"]


def test_only_the_lead_deputy_rates_and_only_once_and_only_after_the_reply(people, objects, cast):
    from handling import services as hs

    reply = objects["reply"]
    with pytest.raises(ProposalError):  # not issued yet
        hs.rate_reply(final=True, reply=reply, by=people["lead"], attitude="satisfied", result="satisfied")
    hs.approve_reply(reply=reply, by=cast.head)
    hs.issue_reply(reply=reply, by=people["staff"])
    with pytest.raises(ProposalError):  # a co-signer comments but does not rate
        hs.rate_reply(final=True, reply=reply, by=people["cosigner"], attitude="satisfied", result="satisfied")
    hs.rate_reply(final=True, reply=reply, by=people["lead"], attitude="satisfied", result="satisfied")
    with pytest.raises(ProposalError):  # not twice
        hs.rate_reply(
            final=True, reply=reply, by=people["lead"], attitude="unsatisfied", result="unsatisfied", comment="改主意"
        )


def test_only_the_head_of_the_replying_unit_approves(people, objects):
    from handling import services as hs

    reply = objects["reply"]
    for who in ("handler", "other_handler", "staff", "admin"):
        with pytest.raises(ProposalError):
            hs.approve_reply(reply=reply, by=people[who])
    reply.refresh_from_db()
    assert reply.state == Reply.State.PENDING_APPROVAL


def test_only_a_co_handling_unit_gives_opinions_and_countersigns(draft, cast, co_unit, co_handler, other_unit_handler):
    """The co-handler, not the lead unit nor anyone else, sends opinions and countersigns."""
    from handling import services as hs

    cast.co_units = [co_unit]
    proposal = advance(draft, S.IN_HANDLING, cast)
    reply = hs.save_reply_draft(assignment=proposal.assignments.get(unit=cast.unit), by=cast.handler, body="答复")
    for user, expected in ((co_handler, True), (cast.handler, False), (cast.head, False), (other_unit_handler, False)):
        assert access.allowed(user, "give_co_opinion", proposal) is expected, user.username
        assert access.allowed(user, "countersign_reply", reply) is expected, user.username
    assert access.allowed(co_handler, "view_handling_papers", proposal)
    assert not access.allowed(cast.deputy_user, "view_handling_papers", proposal)
