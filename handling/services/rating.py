"""The deputy's rating of a reply (满意度评价), or staff keying in a signed paper form, with
re-handling after an unsatisfied result; and comments on a reply from its deputies.

A deputy's rating has a safety net: it waits, changeable, for a few working days (or until
staff act on the suggestion, or the deputy confirms it) before it takes effect.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils import timezone
from django.utils.translation import gettext as _

from deputies.access import allowed
from deputies.models import User
from handling import answering
from handling.models import Rating, Reply, ReplyComment, Satisfaction
from handling.rules import is_changeable, is_rateable
from handling.selectors import answering_parts
from handling.services.common import unit_people
from proposals import deadlines
from proposals.fsm import transition_label
from proposals.models import Notification, Proposal
from proposals.notify import notify
from proposals.states import ProposalState
from proposals.uploads import validate_upload
from proposals.workflow import ProposalError, apply_transition, deputy_users, locked, record_event, require

logger = logging.getLogger(__name__)

S = ProposalState


def rate_reply(
    *,
    reply: Reply,
    by: User,
    attitude: str,
    result: str,
    comment: str = "",
    paper_form: File[bytes] | None = None,
    final: bool = False,
) -> Rating:
    """The lead deputy rates a reply: attitude and result. Staff may enter a rating only from a
    signed paper feedback form, attached.

    The deputy's own rating waits for RATING_CHANGE_WORKDAYS working days (a wrong tap on a
    phone can be put right: `change_rating`) and takes effect when that window ends, when staff
    act on the suggestion, or when the deputy confirms it (`final`, or `confirm_rating` later).
    A paper rating takes effect at once: the deputy signed the form. Taking effect is what moves
    the suggestion (`_settle`)."""
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
        _check_choice(attitude, result, comment)
        window = settings.RATING_CHANGE_WORKDAYS
        waits = not (is_paper or final or window <= 0)
        rating = Rating.objects.create(
            reply=reply,
            proposal=proposal,
            attitude=attitude,
            result=result,
            comment=comment.strip(),
            rated_by=by,
            is_paper=is_paper,
            paper_form=paper_form or "",
            changeable_until=rating_window_end(timezone.localdate()) if waits else None,
        )
        if waits:
            record_event(proposal, "rating_entered", by=by, note=comment, data=_rating_data(rating, reply))
        else:
            _settle(proposal, rating, reply, how="paper" if is_paper else "confirmed")
    return rating


def rating_window_end(rated_on: dt.date) -> dt.date:
    """The last day a rating given on `rated_on` may be changed."""
    return deadlines.add_workdays(rated_on, settings.RATING_CHANGE_WORKDAYS)


def _check_choice(attitude: str, result: str, comment: str) -> None:
    valid = set(Satisfaction.values)
    if attitude not in valid or result not in valid:
        raise ProposalError(_("Rate both the attitude and the result."))
    if Satisfaction.UNSATISFIED in (attitude, result) and not comment.strip():
        raise ProposalError(_("Please say what you are not satisfied with."))


def _rating_data(rating: Rating, reply: Reply) -> dict[str, Any]:
    return {
        "reply": reply.pk,
        "attitude": rating.attitude,
        "result": rating.result,
        "paper": rating.is_paper,
        "round": reply.round,
        "until": rating.changeable_until.isoformat() if rating.changeable_until else None,
    }


def _locked_rating(rating: Rating) -> tuple[Reply, Rating]:
    rating = Rating.objects.select_for_update().get(pk=rating.pk)
    reply = Reply.objects.select_related("assignment").get(pk=rating.reply_id)
    return reply, rating


def change_rating(*, rating: Rating, by: User, attitude: str, result: str, comment: str = "") -> Rating:
    """The deputy changes a rating that has not taken effect yet (within its window)."""
    with locked(rating.proposal_id) as proposal:
        reply, rating = _locked_rating(rating)
        require(by, "change_rating", rating, _("Only the lead deputy can change this rating."))
        if not rating.is_pending:
            raise ProposalError(_("This rating has taken effect and can no longer be changed."))
        if not is_changeable(rating):
            raise ProposalError(
                _(
                    "This rating can no longer be changed: its time for changes is over "
                    "or congress staff have acted on it."
                )
            )
        _check_choice(attitude, result, comment)
        before = {"attitude": rating.attitude, "result": rating.result}
        rating.attitude, rating.result, rating.comment = attitude, result, comment.strip()
        rating.save(update_fields=["attitude", "result", "comment"])
        data = _rating_data(rating, reply) | {"before": before}
        record_event(proposal, "rating_changed", by=by, note=comment, data=data)
    return rating


def confirm_rating(*, rating: Rating, by: User) -> Rating:
    """The deputy confirms a waiting rating (确认，不再修改): it takes effect now."""
    with locked(rating.proposal_id) as proposal:
        reply, rating = _locked_rating(rating)
        require(by, "change_rating", rating, _("Only the lead deputy can confirm this rating."))
        if not rating.is_pending:
            raise ProposalError(_("This rating has already taken effect."))
        _settle(proposal, rating, reply, how="confirmed")
    return rating


def settle_due_ratings(today: dt.date | None = None) -> int:
    """Let the waiting ratings take effect whose window is over or on whose suggestion staff
    have acted (beat, every hour; `manage.py settle_ratings`). Safe to re-run: each rating is
    locked and checked again, each in its own transaction: one that cannot take effect (its
    deputy's login has changed since, say) is logged and left, and the others go on. Returns
    how many took effect."""
    today = today or timezone.localdate()
    settled = 0
    for rating in Rating.objects.filter(changeable_until__isnull=False).order_by("pk"):
        if is_changeable(rating, today):
            continue
        try:
            with locked(rating.proposal_id) as proposal:
                reply, current = _locked_rating(rating)
                if not current.is_pending:
                    continue  # confirmed meanwhile
                how = "window" if current.changeable_until and current.changeable_until < today else "staff_acted"
                _settle(proposal, current, reply, how=how)
                settled += 1
        except ProposalError as exc:
            logger.error("rating %s on suggestion %s could not take effect: %s", rating.pk, rating.proposal_id, exc)
    return settled


def _settle(proposal: Proposal, rating: Rating, reply: Reply, *, how: str) -> None:
    """The rating takes effect (inside the caller's lock): 不满意 on a first reply's result
    sends it to re-handling; the second reply's rating stands; the unit is told."""
    if rating.changeable_until is not None:
        rating.changeable_until = None
        rating.save(update_fields=["changeable_until"])
    assignment = reply.assignment
    rehandle = answering.sends_back(rating.result, reply.round)
    data = _rating_data(rating, reply) | {"settled": how}
    if proposal.state != S.REPLIED:
        # The suggestion moved on meanwhile (closed by staff, merged...): the rating stands as
        # given, without a step of its own.
        record_event(proposal, "rating_settled", by=None, note=rating.comment, data=data)
        return
    if rehandle:
        assignment.rehandling_deadline = deadlines.rehandling_deadline(timezone.localdate())
        assignment.save(update_fields=["rehandling_deadline"])
    parts = answering_parts(proposal)
    apply_transition(
        proposal,
        "rate",
        by=rating.rated_by,
        unrated_left=answering.unrated_left(parts),
        rehandling_due_on=answering.rehandling_due_on(parts),
        note=rating.comment,
        data=data,
    )
    if proposal.state == S.REHANDLING and rehandle:
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


def record_paper_rating(
    *, reply: Reply, by: User, attitude: str, result: str, paper_form: File[bytes], comment: str = ""
) -> Rating:
    """Staff key in a rating from the deputy's signed paper form (shown as a paper rating). The
    form is checked like every upload, whichever page (or the admin) it came from. It takes
    effect at once: the deputy signed the form, so there is nothing left to reconsider here."""
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
