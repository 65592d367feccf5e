"""Questions before submitting (提出前沟通): the lead deputy asks a unit about a draft, the unit
answers.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from deputies.models import User
from handling.models import PreSubmissionQuestion, Unit
from handling.services.common import unit_people
from proposals.models import Notification, Proposal
from proposals.notify import notify
from proposals.states import EDITABLE_STATES
from proposals.workflow import ProposalError, deputy_users, locked, record_event, require


def ask_unit_before_submission(*, proposal: Proposal, unit: Unit, question: str, by: User) -> PreSubmissionQuestion:
    """The lead deputy asks a unit about a draft before submitting it (提出前沟通). The unit
    gets a copy of the draft as it stands, not access to the draft itself."""
    with locked(proposal) as current:
        require(by, "ask_unit_before_submission", current, _("Only the lead deputy can ask a unit about this draft."))
        if current.state not in EDITABLE_STATES:
            raise ProposalError(_("Questions to a unit are asked about a draft, before it is submitted."))
        if not unit.is_active:
            raise ProposalError(_("These units are no longer in use: %(units)s") % {"units": unit.name})
        if not question.strip():
            raise ProposalError(_("Write your question."))
        asked = PreSubmissionQuestion.objects.create(
            proposal=current,
            unit=unit,
            draft_title=current.title,
            draft_body=current.body,
            question=question.strip(),
            asked_by=by,
        )
        record_event(current, "draft_question", by=by, note=question, data={"question": asked.pk, "unit": unit.name})
        # No `proposal=` on the unit's notice: the unit may not open the draft, only the question.
        notify(
            unit_people([unit.pk]),
            Notification.Kind.DRAFT_QUESTION,
            _("Deputy %(name)s asks your unit about a draft suggestion before submitting it: “%(title)s”.")
            % {"name": current.lead_deputy.name, "title": current.title or _("(untitled draft)")},
            url=reverse("handling:question_answer", args=[asked.pk]),
        )
    return asked


def answer_draft_question(*, question: PreSubmissionQuestion, answer: str, by: User) -> PreSubmissionQuestion:
    with locked(question.proposal_id) as current:
        question = PreSubmissionQuestion.objects.select_for_update().get(pk=question.pk)
        require(
            by,
            "answer_draft_question",
            question,
            _("Only the people of %(unit)s can do this.") % {"unit": question.unit.name},
        )
        if question.answered_at is not None:
            raise ProposalError(_("This question has already been answered."))
        if not answer.strip():
            raise ProposalError(_("Write your answer."))
        question.answer, question.answered_by, question.answered_at = answer.strip(), by, timezone.now()
        question.save(update_fields=["answer", "answered_by", "answered_at"])
        record_event(
            current, "draft_answer", by=by, note=answer, data={"question": question.pk, "unit": question.unit.name}
        )
        notify(
            deputy_users([current]),
            Notification.Kind.DRAFT_ANSWER,
            _("%(unit)s answered your question about the draft “%(title)s”.")
            % {"unit": question.unit.name, "title": question.draft_title or _("(untitled draft)")},
            proposal=current,
            url=reverse("proposals:mine_detail", args=[current.pk]),
        )
    return question
