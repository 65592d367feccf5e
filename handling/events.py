"""The units' steps on a suggestion's trail, declared once with who may see them and how they
read (see proposals/events.py): assignment and re-assignment, signing for it, contacts with the
deputy, the reply from draft to issue, the co-handlers' papers, questions before submission,
ratings and comments.

The reply's drafting, the head's and congress staff's return notes, staff's corrections and
everything between the co-handling units and the lead unit are the handlers' working papers:
the units and the overseers see them, the deputies see the issued reply.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from handling.models import Assignment, ContactRecord, Reply, Satisfaction
from proposals.events import (
    AMONG_HANDLERS,
    EventKind,
    Sentence,
    Story,
    TrailEvent,
    actor_name,
    day,
    declare,
    unit_line,
)
from proposals.states import ProposalState as S

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _choices(choices: Iterable[tuple[object, object]]) -> dict[str, str]:
    return {str(value): str(label) for value, label in choices}


def _round_line(event: TrailEvent) -> list[str]:
    return [_("Second reply, after re-handling")] if (event.data or {}).get("round") == 2 else []


def _version_line(event: TrailEvent) -> list[str]:
    version = (event.data or {}).get("version")
    return [_("Draft version %(v)s") % {"v": version}] if version else []


def _unit_and_round(event: TrailEvent) -> list[str]:
    return unit_line(event) + _round_line(event)


def _unit_and_version(event: TrailEvent) -> list[str]:
    return unit_line(event) + _version_line(event)


def _assign_details(event: TrailEvent) -> list[str]:
    data = event.data or {}
    roles = _choices(Assignment.Role.choices)
    out = []
    if data.get("units"):
        out.append("；".join(f"{roles.get(role, role)}：{name}" for _pk, name, role in data["units"]))
    if data.get("deadline"):
        kind = _("complex, six months") if data.get("complex") else _("normal")
        out.append(_("Reply due %(date)s (%(kind)s)") % {"date": data["deadline"], "kind": kind})
    return out


def _countersign_request_details(event: TrailEvent) -> list[str]:
    units = (event.data or {}).get("units")
    head = [_("Co-handling units: %(units)s") % {"units": "、".join(units)}] if units else []
    return head + _version_line(event)


def _contact_details(event: TrailEvent) -> list[str]:
    data = event.data or {}
    out = unit_line(event)
    if data.get("kind"):
        kinds, stages = _choices(ContactRecord.Kind.choices), _choices(ContactRecord.Stage.choices)
        out.append(f"{kinds.get(data['kind'], data['kind'])} · {stages.get(data.get('stage', ''), '')}")
    return out


def _rate_details(event: TrailEvent) -> list[str]:
    data = event.data or {}
    levels = _choices(Satisfaction.choices)
    out = [
        _("Attitude: %(a)s; result: %(r)s")
        % {"a": levels.get(data.get("attitude", ""), ""), "r": levels.get(data.get("result", ""), "")}
    ]
    if data.get("paper"):
        out.append(_("Entered by staff from the deputy's signed paper form"))
    settled = SETTLED_HOW.get(data.get("settled", ""))
    if settled:
        out.append(str(settled))
    if data.get("until") and event.action in ("rating_entered", "rating_changed"):
        out.append(_("Can be changed until %(date)s") % {"date": day(data["until"])})
    before = data.get("before")
    if before:
        out.append(
            _("Before: attitude %(a)s; result %(r)s")
            % {"a": levels.get(before.get("attitude", ""), ""), "r": levels.get(before.get("result", ""), "")}
        )
    return out + _round_line(event)


# How a waiting rating came to take effect (handling.services.rating._settle).
SETTLED_HOW = {
    "confirmed": gettext_lazy("Confirmed by the deputy"),
    "window": gettext_lazy("Took effect when the time for changes ended"),
    "staff_acted": gettext_lazy("Took effect once congress staff acted on the suggestion"),
}


# --- how the steps read on the deputy's phone ------------------------------------------------------


def _extension_details(event: TrailEvent) -> list[str]:
    data = event.data or {}
    out = unit_line(event)
    out.append(_("Deadline %(from)s → %(to)s") % {"from": day(data.get("from")), "to": day(data.get("to"))})
    return out


def _refusal_details(event: TrailEvent) -> list[str]:
    """A refused extension, among the handlers: with the office's words to the unit (which an
    approval, seen by everyone, leaves on the handlers' extensions panel)."""
    note = (event.data or {}).get("note")
    return _extension_details(event) + ([_("Decision note: %(note)s") % {"note": note}] if note else [])


def _plan_details(event: TrailEvent) -> list[str]:
    data = event.data or {}
    out = unit_line(event)
    if data.get("step"):
        out.append(str(data["step"]))
    return out


def _unit(event: TrailEvent) -> str:
    return (event.data or {}).get("unit") or "—"


def _assignment_sentence(event: TrailEvent, no_units: str) -> str:
    """“交办给…（主办）；答复期限…”: the units with their roles, and the deadline."""
    data = event.data or {}
    roles = _choices(Assignment.Role.choices)
    units = "、".join(
        _("%(unit)s (%(role)s)") % {"unit": unit[1], "role": roles.get(unit[2], unit[2])}
        for unit in data.get("units", [])
    )
    return _("Assigned to %(units)s; the reply is due by %(date)s") % {
        "units": units or no_units,
        "date": day(data.get("deadline")),
    }


def _assigned(event: TrailEvent, story: Story) -> tuple[str, str]:
    return _assignment_sentence(event, no_units=""), ""


def _contact(event: TrailEvent, story: Story) -> tuple[str, str]:
    data = event.data or {}
    kinds, stages = _choices(ContactRecord.Kind.choices), _choices(ContactRecord.Stage.choices)
    # Units contact the lead deputy; a co-signer reads whom it was with.
    if story.is_lead:
        text = _("%(unit)s recorded a contact with you: %(kind)s, %(stage)s")
    else:
        text = _("%(unit)s recorded a contact with the lead deputy: %(kind)s, %(stage)s")
    facts = {
        "unit": _unit(event),
        "kind": kinds.get(data.get("kind", ""), "—"),
        "stage": stages.get(data.get("stage", ""), "—"),
    }
    return text % facts, f"#contact-{data.get('contact')}"


def _contact_answer(text: StrOrPromise) -> Sentence:
    def sentence(event: TrailEvent, story: Story) -> tuple[str, str]:
        data = event.data or {}
        facts = {"name": actor_name(event), "date": day(data.get("date")), "unit": _unit(event)}
        return str(text) % facts, f"#contact-{data.get('contact')}"

    return sentence


def _replied(event: TrailEvent, story: Story) -> tuple[str, str]:
    data = event.data or {}
    if data.get("round") == 2:
        text = _("%(unit)s replied again after re-handling")
    else:
        text = _("%(unit)s sent its reply")
    return text % {"unit": _unit(event)}, f"#reply-{data.get('reply')}"


def _rated(event: TrailEvent, story: Story) -> tuple[str, str]:
    data = event.data or {}
    labels = _choices(Satisfaction.choices)
    facts = {
        "name": actor_name(event),
        "attitude": labels.get(data.get("attitude", ""), "—"),
        "result": labels.get(data.get("result", ""), "—"),
    }
    if data.get("paper"):
        text = _("Congress staff recorded the signed paper feedback form: attitude %(attitude)s, result %(result)s")
    else:
        text = _("%(name)s rated the handling: attitude %(attitude)s, result %(result)s")
    text = text % facts
    if event.to_state == S.REHANDLING:
        deadline = (
            Reply.objects.filter(pk=data.get("reply")).values_list("assignment__rehandling_deadline", flat=True).first()
        )
        text += _("; the unit must handle it again and reply by %(date)s") % {"date": day(deadline)}
    elif event.to_state == S.CLOSED:
        text += _("; the suggestion is closed")
    return text, f"#reply-{data.get('reply')}"


def _rating_waits(text: StrOrPromise) -> Sentence:
    def sentence(event: TrailEvent, story: Story) -> tuple[str, str]:
        data = event.data or {}
        labels = _choices(Satisfaction.choices)
        facts = {
            "name": actor_name(event),
            "attitude": labels.get(data.get("attitude", ""), "—"),
            "result": labels.get(data.get("result", ""), "—"),
            "date": day(data.get("until")),
        }
        return str(text) % facts, f"#reply-{data.get('reply')}"

    return sentence


def _unit_sentence(text: StrOrPromise, anchor: str = "") -> Sentence:
    def sentence(event: TrailEvent, story: Story) -> tuple[str, str]:
        data = event.data or {}
        link = f"#{anchor}-{data.get(anchor)}" if anchor else ""
        return str(text) % {"unit": _unit(event), "name": actor_name(event)}, link

    return sentence


# --- how the public milestones read (proposals/public.py): the unit, the date, nothing of people --------


def _public_assigned(event: TrailEvent) -> str:
    return _assignment_sentence(event, no_units="—")


def _public_replied(event: TrailEvent) -> str:
    if (event.data or {}).get("round") == 2:
        return _("%(unit)s replied again after re-handling") % {"unit": _unit(event)}
    return _("%(unit)s replied") % {"unit": _unit(event)}


def _public_rated(event: TrailEvent) -> str:
    if event.to_state == S.REHANDLING:
        return _("The handling was rated; the unit handles it again")
    return _("The handling was rated")


def _public_unit(text: StrOrPromise) -> Callable[[TrailEvent], str]:
    return lambda event: str(text) % {"unit": _unit(event)}


declare(
    EventKind("assign", details=_assign_details, sentence=_assigned, public=_public_assigned),
    EventKind(
        "sign",
        sentence=_unit_sentence(gettext_lazy("%(unit)s signed for it and started handling")),
        public=_public_unit(gettext_lazy("%(unit)s signed for it and started handling")),
    ),
    EventKind(
        "request_reassignment",
        sentence=_unit_sentence(gettext_lazy("%(unit)s asked to hand it to another unit")),
    ),
    EventKind(
        "accept_reassignment",
        sentence=lambda event, story: (
            _("Handed over from %(old)s to %(new)s")
            % {"old": (event.data or {}).get("from_unit"), "new": (event.data or {}).get("to_unit")},
            "",
        ),
        public=lambda event: (
            _("Handed over from %(old)s to %(new)s")
            % {"old": (event.data or {}).get("from_unit"), "new": (event.data or {}).get("to_unit")}
        ),
    ),
    EventKind(
        "refuse_reassignment",
        sentence=lambda event, story: (
            _("The request to hand it over was refused; %(unit)s keeps it")
            % {"unit": (event.data or {}).get("from_unit")},
            "",
        ),
    ),
    # Deadline extensions (申请延期): the request and a refusal stay among the handlers; the
    # deputy sees that the deadline was extended, and to when (not the unit's reasons).
    EventKind(
        "request_extension",
        gettext_lazy("Deadline extension asked for"),
        seen_by=AMONG_HANDLERS,
        details=_extension_details,
    ),
    EventKind(
        "approve_extension",
        gettext_lazy("Deadline extension approved"),
        details=_extension_details,
        sentence=lambda event, story: (
            _("The reply deadline of %(unit)s was extended to %(date)s")
            % {"unit": _unit(event), "date": day((event.data or {}).get("to"))},
            "",
        ),
        public=lambda event: (
            _("The reply deadline of %(unit)s was extended to %(date)s")
            % {"unit": _unit(event), "date": day((event.data or {}).get("to"))}
        ),
    ),
    EventKind(
        "refuse_extension",
        gettext_lazy("Deadline extension refused"),
        seen_by=AMONG_HANDLERS,
        details=_refusal_details,
    ),
    # The handling plan (办理方案) and its progress, which the deputy follows.
    EventKind(
        "plan_recorded",
        gettext_lazy("Handling plan recorded"),
        details=_plan_details,
        sentence=_unit_sentence(gettext_lazy("%(unit)s recorded its handling plan"), "plan"),
    ),
    EventKind(
        "plan_revised",
        gettext_lazy("Handling plan revised"),
        details=_plan_details,
        sentence=_unit_sentence(gettext_lazy("%(unit)s revised its handling plan"), "plan"),
    ),
    EventKind(
        "plan_step_done",
        gettext_lazy("Planned step done"),
        details=_plan_details,
        sentence=lambda event, story: (
            _("%(unit)s completed a planned step: %(step)s")
            % {"unit": _unit(event), "step": (event.data or {}).get("step", "")},
            f"#plan-{(event.data or {}).get('plan')}",
        ),
    ),
    EventKind(
        "contact",
        gettext_lazy("Contact with the deputy recorded"),
        details=_contact_details,
        sentence=_contact,
        public=_public_unit(gettext_lazy("%(unit)s contacted the deputy")),
    ),
    EventKind(
        "contact_confirmed",
        gettext_lazy("Contact confirmed by the deputy"),
        sentence=_contact_answer(gettext_lazy("%(name)s confirmed the contact of %(date)s with %(unit)s")),
    ),
    EventKind(
        "contact_disputed",
        gettext_lazy("Contact disputed by the deputy"),
        sentence=_contact_answer(gettext_lazy("%(name)s disputed the contact of %(date)s with %(unit)s")),
    ),
    # The reply letter's own steps, among the handlers.
    EventKind(
        "reply_submit_for_approval",
        gettext_lazy("Reply sent to the unit head"),
        seen_by=AMONG_HANDLERS,
        details=_unit_and_round,
    ),
    EventKind(
        "reply_return_to_handler",
        gettext_lazy("Reply returned by the unit head"),
        seen_by=AMONG_HANDLERS,
        details=_unit_and_round,
    ),
    EventKind(
        "reply_approve",
        gettext_lazy("Reply approved and signed by the unit head"),
        seen_by=AMONG_HANDLERS,
        details=_unit_and_round,
    ),
    EventKind(
        "reply_staff_return",
        gettext_lazy("Reply sent back by congress staff"),
        seen_by=AMONG_HANDLERS,
        details=_unit_and_round,
    ),
    EventKind(
        "reply_result_corrected",
        gettext_lazy("Result category corrected by congress staff"),
        seen_by=AMONG_HANDLERS,
        details=_unit_and_round,
    ),
    # Issuing a reply shows once: the suggestion's own `issue_reply` step (答复代表) follows the
    # reply's "issued" record at the same moment, by the same person.
    EventKind("reply_issue", gettext_lazy("Reply issued"), details=_unit_and_round, shown=False),
    EventKind("issue_reply", details=_unit_and_round, sentence=_replied, public=_public_replied),
    EventKind(
        "reply_copy",
        gettext_lazy("Reply received as part of a merged group"),
        details=_unit_and_round,
        sentence=lambda event, story: (
            _("The reply of %(unit)s to the merged suggestions was sent to you too") % {"unit": _unit(event)},
            f"#reply-{(event.data or {}).get('reply')}",
        ),
        public=_public_unit(gettext_lazy("%(unit)s replied to the merged suggestions")),
    ),
    # The co-handling units' papers (协办意见, 会签), among the handlers.
    EventKind(
        "co_opinion",
        gettext_lazy("Co-handling opinion sent to the lead unit"),
        seen_by=AMONG_HANDLERS,
    ),
    EventKind(
        "countersign_request",
        gettext_lazy("Reply draft sent to the co-handling units to countersign"),
        seen_by=AMONG_HANDLERS,
        details=_countersign_request_details,
    ),
    EventKind(
        "countersign",
        gettext_lazy("Reply draft countersigned by a co-handling unit"),
        seen_by=AMONG_HANDLERS,
        details=_unit_and_version,
    ),
    EventKind(
        "countersign_objection",
        gettext_lazy("A co-handling unit objected to the reply draft"),
        seen_by=AMONG_HANDLERS,
        details=_unit_and_version,
    ),
    EventKind("rate", details=_rate_details, sentence=_rated, public=_public_rated),
    # A deputy's rating waits, changeable, before it takes effect (the `rate` step above).
    # Everyone on the suggestion sees it waiting; the unit is notified only when it takes
    # effect, since a rating still being reconsidered starts no work.
    EventKind(
        "rating_entered",
        gettext_lazy("Rating entered, not yet in effect"),
        details=_rate_details,
        sentence=_rating_waits(
            gettext_lazy(
                "%(name)s rated the handling: attitude %(attitude)s, result %(result)s; "
                "it can be changed until %(date)s"
            )
        ),
    ),
    EventKind(
        "rating_changed",
        gettext_lazy("Rating changed by the deputy"),
        details=_rate_details,
        sentence=_rating_waits(gettext_lazy("%(name)s changed the rating: attitude %(attitude)s, result %(result)s")),
    ),
    EventKind(
        "rating_settled",
        gettext_lazy("Rating took effect"),
        details=_rate_details,
        sentence=_rating_waits(gettext_lazy("The rating took effect: attitude %(attitude)s, result %(result)s")),
    ),
    EventKind(
        "reply_comment",
        gettext_lazy("Comment on the reply"),
        sentence=_unit_sentence(gettext_lazy("%(name)s commented on the reply of %(unit)s"), "reply"),
    ),
    EventKind(
        "draft_question",
        gettext_lazy("Question sent to a unit before submitting"),
        sentence=_unit_sentence(gettext_lazy("Asked %(unit)s about the draft"), "question"),
    ),
    EventKind(
        "draft_answer",
        gettext_lazy("A unit answered a question before submission"),
        sentence=_unit_sentence(gettext_lazy("%(unit)s answered the question about the draft"), "question"),
    ),
)
