"""The deputy's own pages, made for a phone first: "my suggestions" (the ones I lead and the
ones I co-sign, each with where it stands in plain words and what is asked of me now),
writing a draft with its attachments and co-signers, submitting and withdrawing it, and
following one suggestion as a timeline in plain words with its contacts and replies.

Later steps' data (assignments, contacts, replies, ratings) are read through reverse relations
and `apps.get_model`, never by importing `handling` (see the dependency direction).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from deputies.models import Deputy, Role
from deputies.pages import paginate
from proposals import rules as access
from proposals import services
from proposals.access import get_proposal_for_user, refuse
from proposals.deputy_forms import DeputySearchForm, DraftForm, WithdrawForm
from proposals.models import (
    CoSignature,
    Meeting,
    Proposal,
    ProposalAttachment,
    ProposalEvent,
    ProposalState,
)
from proposals.states import COSIGNABLE_STATES, EDITABLE_STATES, REPLY_DUE_STATES
from proposals.steps import run_step

S = ProposalState
FINAL_STATES = (S.WITHDRAWN, S.NOT_ACCEPTED, S.CLOSED)
# Steps inside the unit (drafting and approving its reply) are not the deputy's business: the
# deputy sees the reply when it is issued.
HIDDEN_ACTIONS = {
    "reply_submit_for_approval",
    "reply_return_to_handler",
    "reply_approve",
    "reply_staff_return",
    "reply_issue",
    "reply_result_corrected",
}
PAGE_SIZE = 30


def _model(name: str) -> Any:
    return apps.get_model("handling", name)


def _deputy_or_404(request: HttpRequest) -> Deputy:
    if not access.allowed(request.user, "draft_proposal"):
        raise Http404("not a deputy")
    return request.user.deputy


def current_meeting(today: dt.date | None = None) -> Meeting | None:
    """The meeting a new suggestion belongs to: the latest one that has opened (suggestions made
    between meetings belong to the meeting that opened the session year), else the next one."""
    today = today or timezone.localdate()
    opened = Meeting.objects.filter(opens_on__lte=today).order_by("-opens_on", "-pk").first()
    return opened or Meeting.objects.order_by("opens_on", "pk").first()


def default_channel(meeting: Meeting, today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    return Proposal.Channel.MEETING if meeting.opens_on <= today <= meeting.closes_on else Proposal.Channel.BETWEEN


# --- plain words ---------------------------------------------------------------------------------


def _choices(model: str, field_name: str) -> dict[str, str]:
    return {str(k): str(v) for k, v in _model(model)._meta.get_field(field_name).flatchoices}


def _date(value: Any) -> str:
    if not value:
        return "—"
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return value
    return date_format(value, "Y年n月j日")


def due_phrase(due_on: dt.date | None, today: dt.date) -> str:
    if due_on is None:
        return ""
    days = (due_on - today).days
    if days > 0:
        return _("%(n)s days left until the reply deadline") % {"n": days}
    if days == 0:
        return _("the reply is due today")
    return _("the reply is %(n)s days overdue") % {"n": -days}


def plain_state(proposal: Proposal, *, is_lead: bool, today: dt.date, latest_rating: Any = None) -> str:
    """Where a suggestion stands, as a deputy would say it: “承办单位办理中，距答复期限还有 23 天”."""
    state = proposal.state
    if proposal.merged_into_id and state in (S.REGISTERED, S.ASSIGNED, S.REASSIGN_REQUESTED, S.IN_HANDLING):
        main = proposal.merged_into
        text = _("Merged into No. %(number)s and handled together with it") % {"number": main.number or "—"}
    elif state == S.DRAFT:
        text = _("Draft, not submitted yet")
    elif state == S.SUBMITTED:
        text = _("Submitted; congress staff are reviewing it")
    elif state == S.RETURNED:
        text = _("Returned for revision")
    elif state == S.WITHDRAWN:
        text = _("Withdrawn")
    elif state == S.NOT_ACCEPTED:
        text = _("Not accepted as a suggestion; referred to another channel")
    elif state == S.REGISTERED:
        text = _("Registered as No. %(number)s; waiting to be assigned to a unit") % {"number": proposal.number}
    elif state == S.ASSIGNED:
        text = _("Assigned; waiting for the unit to sign for it")
    elif state == S.REASSIGN_REQUESTED:
        text = _("A unit asked to hand it to another unit; congress staff are deciding")
    elif state == S.IN_HANDLING:
        text = _("The unit is handling it")
    elif state == S.REPLIED:
        text = _("Replied; waiting for your rating") if is_lead else _("Replied; waiting for the lead deputy's rating")
    elif state == S.REHANDLING:
        text = _("Being handled again after the rating")
    elif state == S.CLOSED and latest_rating is not None:
        text = _("Closed; the result was rated “%(result)s”") % {"result": latest_rating.get_result_display()}
    else:
        text = _("Closed")
    if state in REPLY_DUE_STATES and proposal.due_on:
        return _("%(state)s, %(due)s") % {"state": text, "due": due_phrase(proposal.due_on, today)}
    return text


# The lead unit first, then units answering separately, then co-handlers.
ROLE_ORDER = {"lead": 0, "separate": 1, "co": 2}


def by_role(assignments: list[Any]) -> list[Any]:
    return sorted(assignments, key=lambda a: (not a.is_active, ROLE_ORDER.get(a.role, 9), a.pk))


def unit_names(assignments: list[Any]) -> str:
    roles = _choices("Assignment", "role")
    return "、".join(
        _("%(unit)s (%(role)s)") % {"unit": a.unit.name, "role": roles.get(a.role, a.role)}
        for a in by_role(assignments)
    )


@dataclass
class Ask:
    text: str
    url: str


@dataclass
class Row:
    """One suggestion on "my suggestions"."""

    proposal: Proposal
    is_lead: bool
    state_text: str
    units: str
    asks: list[Ask] = field(default_factory=list)
    return_reason: str = ""

    @property
    def group(self) -> str:
        if self.asks:
            return "todo"
        return "done" if self.proposal.state in FINAL_STATES else "ongoing"


def _latest_unrated(assignment: Any) -> Any:
    """The latest issued reply of an answering assignment, if the deputy has not rated it."""
    issued = sorted(assignment.issued_replies, key=lambda r: r.round)
    if not issued:
        return None
    latest = issued[-1]
    return None if _has_rating(latest) else latest


def _has_rating(reply: Any) -> bool:
    try:
        return reply.rating is not None
    except ObjectDoesNotExist:
        return False


def asks_for(proposal: Proposal, *, is_lead: bool) -> list[Ask]:
    """What is asked of the deputy now on this suggestion, each with where to do it."""
    if not is_lead:
        return []
    edit = reverse("proposals:edit", args=[proposal.pk])
    detail = reverse("proposals:mine_detail", args=[proposal.pk])
    asks: list[Ask] = []
    if proposal.state == S.DRAFT:
        need, have = settings.REQUIRED_COSIGNERS, proposal.confirmed_cosigners
        if need > have:
            asks.append(
                Ask(_("Waiting for co-signers: %(have)s of %(need)s confirmed") % {"have": have, "need": need}, edit)
            )
        else:
            asks.append(Ask(_("Finish the draft and submit it"), edit))
    elif proposal.state == S.RETURNED:
        asks.append(Ask(_("Revise it and submit it again"), edit))
    if proposal.state == S.REPLIED:
        for assignment in proposal.answering_assignments:
            reply = _latest_unrated(assignment)
            if reply is not None:
                asks.append(
                    Ask(
                        _("Read the reply of %(unit)s and rate it") % {"unit": assignment.unit.name},
                        reverse("handling:rate", args=[reply.pk]),
                    )
                )
    # Contacts are asked about while the suggestion is being handled; on a finished one the
    # deputy may still answer from its page, but it no longer counts as something to do.
    open_contacts = [] if proposal.state in FINAL_STATES else proposal.open_contacts
    for contact in open_contacts:
        asks.append(
            Ask(
                _("Confirm or dispute the contact of %(date)s") % {"date": _date(contact.contact_date)},
                f"{detail}#contact-{contact.pk}",
            )
        )
    return asks


def my_proposals(deputy_id: int) -> Any:
    """The suggestions a deputy leads or has confirmed co-signing, with everything the list
    needs in a fixed number of queries."""
    Assignment, Reply, ContactRecord, Rating = (
        _model("Assignment"),
        _model("Reply"),
        _model("ContactRecord"),
        _model("Rating"),
    )
    confirmed = CoSignature.objects.filter(
        proposal=OuterRef("pk"), deputy_id=deputy_id, status=CoSignature.Status.CONFIRMED
    )
    return (
        Proposal.objects.filter(Q(lead_deputy_id=deputy_id) | Q(Exists(confirmed)))
        .select_related("meeting", "category", "merged_into")
        .annotate(
            confirmed_cosigners=Count(
                "cosignatures", filter=Q(cosignatures__status=CoSignature.Status.CONFIRMED), distinct=True
            )
        )
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.filter(is_active=True)
                .select_related("unit")
                .prefetch_related(
                    Prefetch(
                        "replies",
                        queryset=Reply.objects.filter(state=Reply.State.ISSUED).select_related("rating"),
                        to_attr="issued_replies",
                    )
                )
                .order_by("role", "pk"),
                to_attr="active_assignments",
            ),
            Prefetch(
                "contacts",
                queryset=ContactRecord.objects.filter(deputy_response="").order_by("contact_date", "pk"),
                to_attr="open_contacts",
            ),
            Prefetch(
                "events",
                queryset=ProposalEvent.objects.filter(action="return_for_revision").order_by("-created_at", "-pk"),
                to_attr="returns",
            ),
            Prefetch("ratings", queryset=Rating.objects.order_by("-rated_at", "-pk"), to_attr="latest_ratings"),
        )
    )


def build_row(proposal: Proposal, *, deputy_id: int, today: dt.date) -> Row:
    is_lead = proposal.lead_deputy_id == deputy_id
    assignments = proposal.active_assignments
    proposal.answering_assignments = [a for a in assignments if a.role in ("lead", "separate")]
    if not is_lead:
        proposal.open_contacts = []
    latest = proposal.latest_ratings[0] if proposal.latest_ratings else None
    return Row(
        proposal=proposal,
        is_lead=is_lead,
        state_text=plain_state(proposal, is_lead=is_lead, today=today, latest_rating=latest),
        units=unit_names(assignments),
        asks=asks_for(proposal, is_lead=is_lead),
        return_reason=proposal.returns[0].note if proposal.state == S.RETURNED and proposal.returns else "",
    )


GROUP_ORDER = {"todo": 0, "ongoing": 1, "done": 2}


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """My suggestions: what needs me first, then what is under way, then what is finished."""
    if request.user.role == Role.DEPUTY and not access.allowed(request.user, "draft_proposal"):
        # A deputy's login not yet linked to its deputy record: say so rather than "not found".
        return render(request, "proposals/deputy/unlinked.html", status=403)
    deputy = _deputy_or_404(request)
    today = timezone.localdate()
    rows = [build_row(p, deputy_id=deputy.pk, today=today) for p in my_proposals(deputy.pk)]
    far = dt.date.max
    rows.sort(
        key=lambda r: (
            GROUP_ORDER[r.group],
            r.proposal.due_on or far if r.group != "done" else far,
            -(r.proposal.updated_at.timestamp()),
        )
    )
    invitations = (
        CoSignature.objects.filter(
            deputy=deputy, status=CoSignature.Status.INVITED, proposal__state__in=(S.DRAFT, S.RETURNED, S.SUBMITTED)
        )
        .select_related("proposal__lead_deputy__delegation")
        .order_by("-invited_at")
    )
    page = paginate(request, rows, per_page=PAGE_SIZE)
    counts = {name: sum(1 for r in rows if r.group == name) for name in GROUP_ORDER}
    return render(
        request,
        "proposals/deputy/mine.html",
        {"page": page, "invitations": invitations, "counts": counts, "total": len(rows), "deputy": deputy},
    )


# --- following one suggestion -------------------------------------------------------------------------


@dataclass
class Step:
    when: Any
    text: str
    note: str = ""
    link: str = ""
    state: str = ""
    state_label: str = ""


def describe(event: ProposalEvent, ctx: dict[str, Any]) -> tuple[str, str]:  # noqa: C901 - one branch per step
    """One step of the trail as a sentence for the deputy, and where to read more."""
    d = event.data or {}
    a = event.action
    name = event.actor.display_name if event.actor else "—"
    unit = d.get("unit") or "—"
    if a == "create":
        return _("%(name)s started the draft") % {"name": name}, ""
    if a == "submit":
        return _("Submitted to congress staff"), ""
    if a == "withdraw":
        return _("Withdrawn by the lead deputy"), ""
    if a == "return_for_revision":
        return _("Congress staff returned it for revision"), ""
    if a == "decline":
        return _("Congress staff found it is not a suggestion and referred it to another channel"), ""
    if a == "register":
        return _("Registered as No. %(number)s of %(meeting)s") % {
            "number": d.get("number", "—"),
            "meeting": ctx["meeting"],
        }, ""
    if a == "renumber":
        return _("Number changed from %(old)s to %(new)s") % {"old": d.get("from"), "new": d.get("to")}, ""
    if a == "merge_member":
        return _("Merged into No. %(number)s: handled together with it; you get your own reply") % {
            "number": d.get("main_number", "—")
        }, ""
    if a == "merge_main":
        numbers = "、".join(str(n) for n in d.get("numbers", []))
        return _("Suggestions No. %(numbers)s were merged into this one") % {"numbers": numbers}, ""
    if a == "assign":
        roles = ctx["roles"]
        units = "、".join(
            _("%(unit)s (%(role)s)") % {"unit": u[1], "role": roles.get(u[2], u[2])} for u in d.get("units", [])
        )
        return _("Assigned to %(units)s; the reply is due by %(date)s") % {
            "units": units,
            "date": _date(d.get("deadline")),
        }, ""
    if a == "sign":
        return _("%(unit)s signed for it and started handling") % {"unit": unit}, ""
    if a == "request_reassignment":
        return _("%(unit)s asked to hand it to another unit") % {"unit": unit}, ""
    if a == "accept_reassignment":
        return _("Handed over from %(old)s to %(new)s") % {"old": d.get("from_unit"), "new": d.get("to_unit")}, ""
    if a == "refuse_reassignment":
        return _("The request to hand it over was refused; %(unit)s keeps it") % {"unit": d.get("from_unit")}, ""
    if a == "contact":
        # Units contact the lead deputy; a co-signer reads whom it was with.
        text = (
            _("%(unit)s recorded a contact with you: %(kind)s, %(stage)s")
            if ctx.get("is_lead", True)
            else _("%(unit)s recorded a contact with the lead deputy: %(kind)s, %(stage)s")
        )
        return text % {
            "unit": unit,
            "kind": ctx["contact_kinds"].get(d.get("kind", ""), "—"),
            "stage": ctx["contact_stages"].get(d.get("stage", ""), "—"),
        }, f"#contact-{d.get('contact')}"
    if a in ("contact_confirmed", "contact_disputed"):
        text = (
            _("%(name)s confirmed the contact of %(date)s with %(unit)s")
            if a == "contact_confirmed"
            else _("%(name)s disputed the contact of %(date)s with %(unit)s")
        )
        return text % {"name": name, "date": _date(d.get("date")), "unit": unit}, f"#contact-{d.get('contact')}"
    if a == "issue_reply":
        text = _("%(unit)s replied again after re-handling") if d.get("round") == 2 else _("%(unit)s sent its reply")
        return text % {"unit": unit}, f"#reply-{d.get('reply')}"
    if a == "reply_copy":
        return _("The reply of %(unit)s to the merged suggestions was sent to you too") % {"unit": unit}, (
            f"#reply-{d.get('reply')}"
        )
    if a == "rate":
        labels = ctx["satisfaction"]
        facts = {
            "name": name,
            "attitude": labels.get(d.get("attitude", ""), "—"),
            "result": labels.get(d.get("result", ""), "—"),
        }
        if d.get("paper"):
            text = _("Congress staff recorded the signed paper feedback form: attitude %(attitude)s, result %(result)s")
        else:
            text = _("%(name)s rated the handling: attitude %(attitude)s, result %(result)s")
        text = text % facts
        if event.to_state == S.REHANDLING:
            deadline = ctx["rehandling_deadlines"].get(d.get("reply"))
            text += _("; the unit must handle it again and reply by %(date)s") % {"date": _date(deadline)}
        elif event.to_state == S.CLOSED:
            text += _("; the suggestion is closed")
        return text, f"#reply-{d.get('reply')}"
    if a == "invite_cosigners":
        names = "、".join(ctx["deputy_names"].get(pk, "—") for pk in d.get("deputies", []))
        return _("Invited %(names)s to co-sign") % {"names": names or "—"}, ""
    if a == "cosign_confirmed":
        return _("%(name)s confirmed co-signing") % {"name": name}, ""
    if a == "cosign_declined":
        return _("%(name)s declined to co-sign") % {"name": name}, ""
    if a == "attachment_added":
        return _("Attached %(names)s") % {"names": "、".join(d.get("names", []))}, ""
    if a == "attachment_removed":
        return _("Removed the attachment %(names)s") % {"names": "、".join(d.get("names", []))}, ""
    if a == "draft_question":
        return _("Asked %(unit)s about the draft") % {"unit": unit}, f"#question-{d.get('question')}"
    if a == "draft_answer":
        return _("%(unit)s answered the question about the draft") % {"unit": unit}, f"#question-{d.get('question')}"
    if a == "reply_comment":
        return _("%(name)s commented on the reply of %(unit)s") % {"name": name, "unit": unit}, (
            f"#reply-{d.get('reply')}"
        )
    return event.label, ""


def plain_timeline(proposal: Proposal, events: Any, ctx: dict[str, Any]) -> list[Step]:
    steps = []
    for event in events:
        if event.action in HIDDEN_ACTIONS:
            continue
        text, link = describe(event, ctx)
        moved = event.from_state != event.to_state
        steps.append(
            Step(
                when=event.created_at,
                text=text,
                note=event.note,
                link=link,
                state=event.to_state if moved else "",
                state_label=event.get_to_state_display() if moved else "",
            )
        )
    return steps


@login_required
def mine_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One suggestion as its deputies follow it: where it stands, what is asked of me, the
    replies with their attachments, the contacts to confirm, and the whole story."""
    Reply, Rating = _model("Reply"), _model("Rating")
    proposal = get_proposal_for_user(
        request,
        pk,
        queryset=Proposal.objects.select_related(
            "meeting", "lead_deputy__delegation", "category", "source", "merged_into"
        ).annotate(
            confirmed_cosigners=Count(
                "cosignatures", filter=Q(cosignatures__status=CoSignature.Status.CONFIRMED), distinct=True
            )
        ),
    )
    user = request.user
    if not access.allowed(user, "follow_proposal", proposal):
        raise refuse(request, f"proposal {pk} (deputy page)")
    today = timezone.localdate()
    is_lead = access.allowed(user, "rate_proposal", proposal)
    deputy_id = access.deputy_id_of(user)

    assignments = by_role(list(proposal.assignments.select_related("unit")))
    active = [a for a in assignments if a.is_active]
    replies = list(
        Reply.objects.filter(assignment__proposal=proposal, state=Reply.State.ISSUED)
        .select_related("assignment__unit", "result_category", "rating__rated_by", "copied_from")
        .prefetch_related("attachments", "copied_from__attachments", "comments__author")
        .order_by("assignment__role", "assignment_id", "round")
    )
    by_assignment: dict[int, list[Any]] = {}
    for reply in replies:
        by_assignment.setdefault(reply.assignment_id, []).append(reply)
    for reply in replies:
        latest = by_assignment[reply.assignment_id][-1]
        reply.can_rate = (
            is_lead
            and proposal.state == S.REPLIED
            and reply is latest
            and reply.assignment.is_active
            and not _has_rating(reply)
        )
        reply.rating_or_none = reply.rating if _has_rating(reply) else None
        reply.shown_attachments = list(reply.source.attachments.all())
    contacts = list(proposal.contacts.select_related("assignment__unit").order_by("-contact_date", "-pk"))
    proposal.active_assignments = active
    proposal.answering_assignments = [a for a in active if a.role in ("lead", "separate")]
    for assignment in proposal.answering_assignments:
        assignment.issued_replies = by_assignment.get(assignment.pk, [])
    proposal.open_contacts = [c for c in contacts if not c.deputy_response] if is_lead else []
    ratings = list(Rating.objects.filter(proposal=proposal).order_by("-rated_at", "-pk"))
    cosignatures = list(proposal.cosignatures.select_related("deputy__delegation"))
    ctx = {
        "meeting": proposal.meeting.name,
        "roles": _choices("Assignment", "role"),
        "contact_kinds": _choices("ContactRecord", "kind"),
        "contact_stages": _choices("ContactRecord", "stage"),
        "satisfaction": _choices("Rating", "result"),
        "rehandling_deadlines": {r.pk: r.assignment.rehandling_deadline for r in replies},
        "deputy_names": {s.deputy_id: s.deputy.name for s in cosignatures},
        "is_lead": is_lead,
    }
    events = proposal.events.select_related("actor").order_by("-created_at", "-pk")
    # An invitation is answered only until registration (withdrawn or registered: no more).
    my_invitation = next(
        (s for s in cosignatures if s.deputy_id == deputy_id and s.status == CoSignature.Status.INVITED), None
    )
    if proposal.state not in COSIGNABLE_STATES:
        my_invitation = None
    # Reading the suggestion's page is reading its notices.
    user.notifications.filter(proposal=proposal, read_at__isnull=True).update(read_at=timezone.now())
    return render(
        request,
        "proposals/deputy/detail.html",
        {
            "proposal": proposal,
            "is_lead": is_lead,
            "state_text": plain_state(
                proposal, is_lead=is_lead, today=today, latest_rating=ratings[0] if ratings else None
            ),
            "asks": asks_for(proposal, is_lead=is_lead),
            "units": unit_names(active),
            "active_assignments": active,
            "replies": replies,
            "contacts": contacts,
            "steps": plain_timeline(proposal, events, ctx),
            "cosignatures": cosignatures,
            "attachments": list(proposal.attachments.all()),
            "questions": list(proposal.unit_questions.select_related("unit").order_by("-asked_at", "-pk")),
            "return_reason": _return_reason(proposal),
            "my_invitation": my_invitation,
            "can_edit": is_lead and proposal.state in EDITABLE_STATES,
            "can_withdraw": is_lead and proposal.state in (S.DRAFT, S.SUBMITTED, S.RETURNED),
            "can_comment": access.allowed(user, "comment_on_reply", proposal),
            "today": today,
        },
    )


def _return_reason(proposal: Proposal) -> ProposalEvent | None:
    if proposal.state != S.RETURNED:
        return None
    return proposal.events.filter(action="return_for_revision").select_related("actor").order_by("-created_at").first()


# --- writing a draft ------------------------------------------------------------------------------------

TEXT_FIELDS = ("title", "body", "category", "source", "channel")
SESSION_TOKENS = "deputy_draft_tokens"


def _own_editable(request: HttpRequest, pk: int) -> Proposal:
    """The lead deputy's own draft or returned suggestion; anything else answers 404."""
    proposal = get_proposal_for_user(request, pk, queryset=Proposal.objects.select_related("meeting"))
    if not access.allowed(request.user, "edit_proposal", proposal):
        raise refuse(request, f"proposal {pk} (edit)")
    return proposal


def _remember_token(request: HttpRequest, token: str, pk: int) -> None:
    tokens = request.session.get(SESSION_TOKENS, {})
    tokens[token] = pk
    request.session[SESSION_TOKENS] = dict(list(tokens.items())[-20:])


@login_required
def new(request: HttpRequest) -> HttpResponse:
    """Start a suggestion. The page carries a token so that an autosave and a press on
    “save” racing each other make one draft, not two."""
    deputy = _deputy_or_404(request)
    meeting = current_meeting()
    if meeting is None:
        messages.error(request, _("No congress meeting is set up yet, so suggestions cannot be written."))
        return redirect("proposals:mine")
    if request.method == "POST":
        token = request.POST.get("draft_token", "")
        known = request.session.get(SESSION_TOKENS, {}).get(token)
        if known:
            existing = Proposal.objects.filter(pk=known, lead_deputy=deputy, state__in=EDITABLE_STATES).first()
            if existing is not None:
                return _draft_page(request, deputy, existing, token=token)
        return _draft_page(request, deputy, None, token=token, meeting=meeting)
    form = DraftForm(initial={"channel": default_channel(meeting)})
    return _render_draft(request, form, None, meeting=meeting, token=uuid.uuid4().hex)


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    deputy = _deputy_or_404(request)
    proposal = get_proposal_for_user(request, pk, queryset=Proposal.objects.select_related("meeting"))
    if not access.allowed(request.user, "edit_proposal", proposal):
        raise refuse(request, f"proposal {pk} (edit)")
    if proposal.state not in EDITABLE_STATES:
        gone = _("This suggestion has been submitted and can no longer be edited.")
        if request.POST.get("autosave") == "1":
            return JsonResponse({"error": gone}, status=409)
        messages.info(request, gone)
        return redirect("proposals:mine_detail", pk=proposal.pk)
    if request.method == "POST":
        return _draft_page(request, deputy, proposal)
    form = DraftForm(initial={name: getattr(proposal, name) for name in TEXT_FIELDS}, proposal=proposal)
    return _render_draft(request, form, proposal, meeting=proposal.meeting)


def _draft_page(
    request: HttpRequest,
    deputy: Deputy,
    proposal: Proposal | None,
    *,
    token: str = "",
    meeting: Meeting | None = None,
) -> HttpResponse:
    """Save what was typed; then, if asked, submit. Whatever goes wrong, the page comes back
    with what was typed and the reason, and the text is saved if it can be."""
    autosave = request.POST.get("autosave") == "1"
    submitting = request.POST.get("action") == "submit" and not autosave
    form = DraftForm(request.POST, None if autosave else request.FILES, proposal=proposal)
    form.is_valid()
    text_errors = [name for name in TEXT_FIELDS if name in form.errors]
    meeting = meeting or (proposal.meeting if proposal else None)
    if text_errors:
        if autosave:
            return JsonResponse({"errors": {k: v for k, v in form.errors.items()}}, status=400)
        return _render_draft(request, form, proposal, meeting=meeting, token=token)

    fields = form.draft_fields()
    try:
        if proposal is None:
            proposal = services.create_draft(
                lead_deputy=deputy,
                meeting=meeting,
                by=request.user,
                title=fields["title"] or "",
                body=fields["body"] or "",
                channel=fields["channel"],
                category=fields["category"],
                source=fields["source"],
            )
            if token:
                _remember_token(request, token, proposal.pk)
        else:
            fields["title"] = fields["title"] or ""
            fields["body"] = fields["body"] or ""
            proposal = services.update_draft(proposal=proposal, by=request.user, **fields)
    except services.ProposalError as exc:
        if autosave:
            return JsonResponse({"error": str(exc)}, status=409)
        form.add_error(None, str(exc))
        return _render_draft(request, form, proposal, meeting=meeting, token=token)

    edit_url = reverse("proposals:edit", args=[proposal.pk])
    if autosave:
        return JsonResponse({"saved_at": timezone.localtime().strftime("%H:%M"), "edit_url": edit_url})

    if "attachments" in form.errors:
        form.add_error(None, _("The text is saved. Choose the files again: a browser cannot keep them."))
        return _render_draft(request, form, proposal, meeting=meeting)
    files = form.cleaned_data.get("attachments") or []
    if files:
        try:
            services.add_attachments(proposal=proposal, files=files, by=request.user)
        except services.ProposalError as exc:
            form.add_error("attachments", str(exc))
            return _render_draft(request, form, proposal, meeting=meeting)

    if not submitting:
        messages.success(request, _("Draft saved."))
        return redirect(edit_url)

    check = DraftForm(request.POST, for_submission=True, proposal=proposal)
    if not check.is_valid():
        check.add_error(None, _("The draft is saved, but some things are still needed before it can be submitted."))
        return _render_draft(request, check, proposal, meeting=meeting)
    try:
        services.submit_proposal(proposal=proposal, by=request.user)
    except services.ProposalError as exc:
        form.add_error(None, _("The draft is saved, but it could not be submitted: %(reason)s") % {"reason": exc})
        return _render_draft(request, form, proposal, meeting=meeting)
    messages.success(request, _("Submitted. Congress staff will review it; you will be told of each step."))
    return redirect("proposals:mine_detail", pk=proposal.pk)


def _render_draft(
    request: HttpRequest, form: DraftForm, proposal: Proposal | None, *, meeting: Meeting | None, token: str = ""
) -> HttpResponse:
    context: dict[str, Any] = {
        "form": form,
        "proposal": proposal,
        "meeting": meeting,
        "token": token,
        "required_cosigners": settings.REQUIRED_COSIGNERS,
        "max_attachments": services.MAX_ATTACHMENTS,
        "confirmed": 0,
    }
    if proposal is not None:
        cosignatures = list(proposal.cosignatures.select_related("deputy__delegation"))
        context.update(
            {
                "attachments": list(proposal.attachments.all()),
                "cosignatures": cosignatures,
                "confirmed": sum(1 for s in cosignatures if s.status == CoSignature.Status.CONFIRMED),
                "questions": list(proposal.unit_questions.select_related("unit").order_by("-asked_at", "-pk")),
                "return_reason": _return_reason(proposal),
            }
        )
    status = 200 if not form.is_bound or not form.errors else 400
    return render(request, "proposals/deputy/draft.html", context, status=status)


@login_required
@require_POST
def remove_attachment(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    proposal = _own_editable(request, pk)
    attachment = get_object_or_404(ProposalAttachment, pk=attachment_pk, proposal=proposal)
    run_step(
        request,
        lambda: services.remove_attachment(attachment=attachment, by=request.user),
        _("Attachment removed."),
    )
    return redirect("proposals:edit", pk=proposal.pk)


# --- co-signers ---------------------------------------------------------------------------------------


def search_deputies(query: str, *, lead: Deputy, limit: int = 30) -> list[Deputy]:
    """Serving deputies with a login, by name or delegation; without a query, the lead's own
    delegation (the usual co-signers)."""
    found = Deputy.objects.filter(is_active=True, user__isnull=False, user__is_active=True).exclude(pk=lead.pk)
    query = query.strip()
    if query:
        found = found.filter(Q(name__icontains=query) | Q(delegation__name__icontains=query))
    elif lead.delegation_id:
        found = found.filter(delegation_id=lead.delegation_id)
    else:
        return []
    return list(found.select_related("delegation").order_by("delegation__order", "name")[: limit + 1])


@login_required
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    deputy = _deputy_or_404(request)
    proposal = _own_editable(request, pk)
    if proposal.state not in EDITABLE_STATES:
        messages.info(request, _("Co-signers can only be invited before submission."))
        return redirect("proposals:mine_detail", pk=proposal.pk)
    form = DeputySearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    error = ""
    if request.method == "POST":
        query = request.POST.get("q", "")
        ids = [int(v) for v in request.POST.getlist("deputies") if v.isdigit()]
        chosen = list(Deputy.objects.filter(pk__in=ids, is_active=True, user__isnull=False))
        if not chosen:
            error = _("Choose at least one deputy to invite.")
        else:
            done = run_step(
                request,
                lambda: services.invite_cosigners(proposal=proposal, deputies=chosen, by=request.user),
                _("Invitations sent to %(names)s.") % {"names": "、".join(d.name for d in chosen)},
            )
            if done:
                return redirect("proposals:edit", pk=proposal.pk)
        form = DeputySearchForm({"q": query})
        form.is_valid()
    results = search_deputies(query, lead=deputy)
    more = len(results) > 30
    status = {s.deputy_id: s for s in proposal.cosignatures.all()}
    for found in results:
        found.signature = status.get(found.pk)
    return render(
        request,
        "proposals/deputy/invite.html",
        {
            "proposal": proposal,
            "form": form,
            "query": query,
            "results": results[:30],
            "more": more,
            "error": error,
            "selected": set(request.POST.getlist("deputies")) if request.method == "POST" else set(),
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
def cosign_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The invited deputy confirms or declines co-signing."""
    signature = get_object_or_404(CoSignature.objects.select_related("proposal", "deputy"), pk=pk)
    if not access.allowed(request.user, "answer_cosign_invitation", signature):
        raise refuse(request, f"co-signature {pk}")
    accept = request.POST.get("accept") == "1"
    done = run_step(
        request,
        lambda: services.respond_to_cosign_invitation(signature=signature, accept=accept, by=request.user),
        _("You are now a co-signer of this suggestion.") if accept else _("You declined to co-sign."),
    )
    if done and accept:
        return redirect("proposals:mine_detail", pk=signature.proposal_id)
    return redirect("proposals:mine")


# --- withdrawing ------------------------------------------------------------------------------------------


@login_required
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    _deputy_or_404(request)
    proposal = get_proposal_for_user(request, pk)
    if not access.allowed(request.user, "withdraw_proposal", proposal):
        raise refuse(request, f"proposal {pk} (withdraw)")
    if proposal.state not in (S.DRAFT, S.SUBMITTED, S.RETURNED):
        messages.info(request, _("A suggestion can only be withdrawn before it is registered."))
        return redirect("proposals:mine_detail", pk=proposal.pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = run_step(
            request,
            lambda: services.withdraw_proposal(proposal=proposal, by=request.user, note=form.cleaned_data["reason"]),
            _("The suggestion is withdrawn."),
        )
        if done:
            return redirect("proposals:mine_detail", pk=proposal.pk)
    return render(request, "proposals/deputy/withdraw.html", {"proposal": proposal, "form": form})
