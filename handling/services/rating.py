"""The deputy's rating of a reply (满意度评价), or staff keying in a signed paper form, with
re-handling after an unsatisfied result; and comments on a reply from its deputies.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils import timezone
from django.utils.translation import gettext as _

from deputies.access import allowed
from deputies.models import User
from handling import answering
from handling.models import Rating, Reply, ReplyComment, Satisfaction
from handling.rules import is_rateable
from handling.selectors import answering_parts
from handling.services.common import unit_people
from proposals import deadlines
from proposals.fsm import transition_label
from proposals.models import Notification
from proposals.notify import notify
from proposals.states import ProposalState
from proposals.uploads import validate_upload
from proposals.workflow import ProposalError, apply_transition, deputy_users, locked, record_event, require

S = ProposalState


def rate_reply(
    *,
    reply: Reply,
    by: User,
    attitude: str,
    result: str,
    comment: str = "",
    paper_form: File[bytes] | None = None,
) -> Rating:
    """The lead deputy rates a reply: attitude and result. 不满意 on a first reply's result
    sends it to re-handling; the second reply's rating stands. Staff may enter a rating only
    from a signed paper feedback form, attached."""
    with locked(reply.assignment.proposal_id) as proposal:
        reply = Reply.objects.select_for_update().select_related("assignment").get(pk=reply.pk)
        reply.assignment.proposal = proposal
        # Who may rate and which reply can be rated now: handling/rules.py.
        require(by, "enter_rating", proposal, _("Only the lead deputy can rate the handling of this suggestion."))
        if reply.state != Reply.State.ISSUED:
            raise ProposalError(_("The reply has not been issued yet, so it cannot be rated."))
        if Rating.objects.filter(reply=reply).exists():
            raise ProposalError(_("This reply has already been rated."))
        if not is_rateable(reply):
            raise ProposalError(
                _("“%(action)s” is not possible while it is “%(state)s”.")
                % {"action": transition_label(proposal, "rate"), "state": proposal.get_state_display()}
            )
        is_paper = not allowed(by, "rate_reply", reply)
        if is_paper:
            require(
                by, "record_paper_rating", reply, _("Only the lead deputy can rate the handling of this suggestion.")
            )
            if not paper_form:
                raise ProposalError(_("Attach the deputy's signed feedback form to record a paper rating."))
        valid = set(Satisfaction.values)
        if attitude not in valid or result not in valid:
            raise ProposalError(_("Rate both the attitude and the result."))
        if Satisfaction.UNSATISFIED in (attitude, result) and not comment.strip():
            raise ProposalError(_("Please say what you are not satisfied with."))
        rating = Rating.objects.create(
            reply=reply,
            proposal=proposal,
            attitude=attitude,
            result=result,
            comment=comment.strip(),
            rated_by=by,
            is_paper=is_paper,
            paper_form=paper_form or "",
        )
        assignment = reply.assignment
        if result == Satisfaction.UNSATISFIED and reply.round == 1:
            assignment.rehandling_deadline = deadlines.rehandling_deadline(timezone.localdate())
            assignment.save(update_fields=["rehandling_deadline"])
        parts = answering_parts(proposal)
        apply_transition(
            proposal,
            "rate",
            by=by,
            unrated_left=answering.unrated_left(parts),
            rehandling_due_on=answering.rehandling_due_on(parts),
            note=comment,
            data={"reply": reply.pk, "attitude": attitude, "result": result, "paper": is_paper, "round": reply.round},
        )
        if proposal.state == S.REHANDLING and result == Satisfaction.UNSATISFIED and reply.round == 1:
            assert assignment.rehandling_deadline is not None  # set above for this rating
            message = _(
                "The deputy is not satisfied with your reply on %(item)s: handle it again and reply by %(date)s. "
                "The deputy's reason: %(reason)s"
            ) % {
                "item": str(proposal),
                "date": assignment.rehandling_deadline.isoformat(),
                "reason": rating.comment,
            }
        else:
            message = _("The deputy rated your reply on %(item)s: attitude %(attitude)s, result %(result)s.") % {
                "item": str(proposal),
                "attitude": rating.get_attitude_display(),
                "result": rating.get_result_display(),
            }
        notify(unit_people([assignment.unit_id]), Notification.Kind.RATED, message, proposal=proposal)
    return rating


def record_paper_rating(
    *, reply: Reply, by: User, attitude: str, result: str, paper_form: File[bytes], comment: str = ""
) -> Rating:
    """Staff key in a rating from the deputy's signed paper form (shown as a paper rating). The
    form is checked like every upload, whichever page (or the admin) it came from."""
    if not paper_form:
        raise ProposalError(_("Attach the deputy's signed feedback form to record a paper rating."))
    try:
        validate_upload(paper_form)
    except ValidationError as exc:
        raise ProposalError(" ".join(exc.messages)) from exc
    return rate_reply(reply=reply, by=by, attitude=attitude, result=result, comment=comment, paper_form=paper_form)


def comment_on_reply(*, reply: Reply, by: User, body: str) -> ReplyComment:
    """The lead deputy or a co-signer comments on an issued reply (only the lead deputy rates)."""
    with locked(reply.assignment.proposal_id) as current:
        reply = Reply.objects.select_related("assignment__unit").get(pk=reply.pk)
        message = _("Only the deputies of this suggestion can comment on its reply.")
        require(by, "comment_on_reply", current, message)
        require(by, "view_reply", reply, message)
        if reply.state != Reply.State.ISSUED:
            raise ProposalError(_("The reply has not been issued yet."))
        if not body.strip():
            raise ProposalError(_("Write your comment."))
        comment = ReplyComment.objects.create(reply=reply, proposal=current, author=by, body=body.strip())
        record_event(
            current,
            "reply_comment",
            by=by,
            note=body,
            data={"reply": reply.pk, "comment": comment.pk, "unit": reply.assignment.unit.name},
        )
        recipients = [u for u in [*unit_people([reply.assignment.unit_id]), *deputy_users([current])] if u != by]
        notify(
            recipients,
            Notification.Kind.REPLY_COMMENT,
            _("%(name)s commented on the reply of %(unit)s to “%(title)s”: %(body)s")
            % {
                "name": by.display_name,
                "unit": reply.assignment.unit.name,
                "title": current.title,
                "body": body.strip(),
            },
            proposal=current,
        )
    return comment
