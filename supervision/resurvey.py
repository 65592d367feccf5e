"""回头看: asking the deputy whether a promise was kept.

A B-class reply promised something (`Promise`); once the promised date has passed or the unit
reports it kept, the lead deputy is asked whether it was kept: kept, partly, or not kept, with a
comment. Their answer (`PromiseSurvey`) stands beside the staff's confirmation: the follow-up
list shows both, and "kept as confirmed by deputies" is counted from the answers.

- the ask appears on the deputy's pages at once (a `proposals.hooks` ask and panel, in
  supervision/pages.py), since it is derived from the promise's own facts;
- the notice goes out from the daily scan, once per promise and occasion (a rule registered
  into `supervision.reminders.RULES`): "its date passed", then again if the unit reports it
  kept after that;
- the answer is one step on the trail, seen by everyone on the suggestion; an answer other
  than "kept" is sent to congress staff, the supervision office and the unit.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deputies.models import Role, User
from handling.services.common import unit_people
from proposals.models import Notification, Proposal
from proposals.notify import notify, office_staff
from proposals.workflow import ProposalError, record_event, require
from supervision import reminders
from supervision.models import Promise, PromiseSurvey, Reminder

P = Promise.State
REPORTED = (P.DONE_REPORTED, P.KEPT)


def due_condition(today: dt.date) -> Q:
    """The promises a deputy is asked about: reported kept (or confirmed), or past their date."""
    return Q(state__in=REPORTED) | Q(state=P.OPEN, promised_by__lt=today)


def is_due(promise: Promise, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    if promise.state in REPORTED:
        return True
    return promise.state == P.OPEN and promise.promised_by is not None and promise.promised_by < today


def has_answer(promise: Promise) -> bool:
    try:
        return promise.survey is not None
    except PromiseSurvey.DoesNotExist:
        return False


def survey_refusal(promise: Promise) -> str:
    """Why the lead deputy cannot answer about the promise now, or "" when they can."""
    if has_answer(promise):
        return _("You have already answered about this promise.")
    if not is_due(promise):
        return _("You are asked once the promised date has passed or the unit reports it kept.")
    return ""


def waiting(queryset: QuerySet[Promise], today: dt.date | None = None) -> QuerySet[Promise]:
    """Of these promises, those the deputy is asked about and has not answered yet."""
    return queryset.filter(due_condition(today or timezone.localdate()), survey__isnull=True)


def answer_survey(*, promise: Promise, by: User, answer: str, comment: str = "") -> PromiseSurvey:
    """The lead deputy says whether the promise was kept; once per promise."""
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=promise.proposal_id)
        promise = Promise.objects.select_for_update().select_related("unit").get(pk=promise.pk)
        require(by, "answer_promise_survey", promise, _("Only the lead deputy is asked about this promise."))
        refusal = survey_refusal(promise)
        if refusal:
            raise ProposalError(refusal)
        if answer not in PromiseSurvey.Answer.values:
            raise ProposalError(_("Say whether the promise was kept."))
        if answer != PromiseSurvey.Answer.KEPT and not comment.strip():
            raise ProposalError(_("Please say what is still missing."))
        survey = PromiseSurvey.objects.create(promise=promise, answer=answer, comment=comment.strip(), answered_by=by)
        record_event(
            proposal,
            "promise_resurvey",
            by=by,
            note=comment,
            data={"promise": promise.pk, "answer": answer, "unit": promise.unit.name},
        )
        if answer != PromiseSurvey.Answer.KEPT:
            recipients = [*office_staff(proposal, Role.SUPERVISION), *unit_people([promise.unit_id])]
            notify(
                recipients,
                Notification.Kind.OTHER,
                _("Deputy %(name)s says the promise of %(unit)s on %(item)s is “%(answer)s”: %(comment)s")
                % {
                    "name": by.display_name,
                    "unit": promise.unit.name,
                    "item": str(proposal),
                    "answer": survey.get_answer_display(),
                    "comment": survey.comment,
                },
                url=reverse("supervision:promise_detail", args=[promise.pk]),
            )
    return survey


# --- the notice, from the daily scan ------------------------------------------------------------------


def resurvey_rule(today: dt.date, people: reminders.Directory, links: reminders.Links) -> list[reminders.Candidate]:
    """The lead deputy (with a login) of each promise due for its re-survey and not answered."""
    rows = (
        waiting(Promise.objects.all(), today)
        .filter(proposal__lead_deputy__user__is_active=True)
        .values(
            "pk",
            "state",
            "proposal_id",
            "proposal__number",
            "proposal__stream",
            "proposal__title",
            "proposal__lead_deputy__user_id",
            "unit__name",
            "promised_by",
        )
        .order_by("pk")
    )
    out = []
    for row in rows:
        reported = row["state"] in REPORTED
        facts = {
            "item": reminders.item_label(row["proposal__number"], row["proposal__title"], row["proposal__stream"]),
            "unit": row["unit__name"],
            "date": row["promised_by"].isoformat() if row["promised_by"] else "—",
        }
        if reported:
            message = _("%(unit)s reports its promise on your suggestion %(item)s as kept: was it? Please tell us.")
        else:
            message = _(
                "The date %(unit)s promised on your suggestion %(item)s (%(date)s) has passed: "
                "was the promise kept? Please tell us."
            )
        out.append(
            reminders.Candidate(
                Reminder.Kind.PROMISE,
                f"s{row['pk']}",
                "kept" if reported else "due",
                row["proposal__lead_deputy__user_id"],
                row["proposal_id"],
                message % facts,
                links.promise_survey(row["pk"]),
                Notification.Kind.OTHER,
                facts["item"],
                stream=row["proposal__stream"],
            )
        )
    return out


reminders.add_rule("resurvey", gettext_lazy("Questions to deputies whether promises were kept"), resurvey_rule)
