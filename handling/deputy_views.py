"""The deputy's handling pages: rating a reply, confirming or disputing a contact, commenting
on a reply, asking a unit before submitting. And the two pages that complete them for other
roles: the unit answering such questions, and congress staff recording a paper rating from a
signed feedback form (a unit can never enter a rating)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from deputies import access
from deputies.access import refuse
from deputies.http import AuthenticatedHttpRequest
from deputies.pages import paginate
from deputies.streams import stream_words
from handling import answering, services
from handling.access import get_reply_for_user
from handling.deputy_forms import (
    AnswerForm,
    CommentForm,
    ContactAnswerForm,
    PaperRatingForm,
    QuestionForm,
    RatingForm,
)
from handling.models import ContactRecord, PreSubmissionQuestion, Rating, Reply, Satisfaction
from handling.rules import is_changeable, is_rateable, is_rater_of_reply, unit_id_of
from handling.selectors import unrated_replies as waiting_for_rating
from proposals.access import get_proposal_for_user
from proposals.models import Proposal, ProposalState
from proposals.selectors import search_words
from proposals.states import EDITABLE_STATES
from proposals.uploads import download
from proposals.workflow import ProposalError

S = ProposalState


def _rating_of(reply: Reply) -> Rating | None:
    return Rating.objects.filter(reply=reply).select_related("rated_by").first()


def _detail_url(proposal_id: int, anchor: str = "") -> str:
    return reverse("proposals:mine_detail", args=[proposal_id]) + anchor


# --- rating ------------------------------------------------------------------------------------------


@login_required
def rate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The lead deputy rates an issued reply: attitude and result, a comment when not satisfied.

    Three steps, none needing script: the choice; a page restating it in words, with what
    follows (确认提交 or 返回修改); then, while the rating waits to take effect, the same page
    changes it, and 确认，不再修改 lets it take effect at once."""
    reply = get_reply_for_user(request, pk)
    proposal = reply.assignment.proposal
    # The page is the rater's; whether this reply can be rated now is said on it (handling/rules.py).
    if not is_rater_of_reply(request.user, reply):
        raise refuse(request, f"reply {pk} (rate)")
    existing = _rating_of(reply)
    if request.method == "POST" and "settle" in request.POST and existing is not None and existing.is_pending:
        # 确认，不再修改: taken at any time before it takes effect by itself.
        return _confirm_now(request, reply, existing)
    closed = ""
    if existing is not None and not (existing.is_pending and is_changeable(existing)):
        if existing.is_pending:
            closed = _("Your rating can no longer be changed: it takes effect shortly.")
        else:
            closed = _("You have already rated this reply; a rating cannot be changed.")
        if request.method != "POST":
            messages.info(request, closed)
            return redirect(_detail_url(proposal.pk, f"#reply-{reply.pk}"))
    initial = {}
    if existing is not None:
        initial = {"attitude": existing.attitude, "result": existing.result, "comment": existing.comment}
    form = RatingForm(request.POST or None, initial=initial)
    if request.method == "POST" and closed:
        # The window closed while the deputy was typing: what was chosen and typed comes back, with why.
        form.is_valid()
        form.add_error(None, closed)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if "back" in request.POST:
            pass  # 返回修改: the form again, as chosen
        elif "confirmed" not in request.POST:
            return _restate(request, reply, existing, data)
        else:
            try:
                if existing is None:
                    rating = services.rate_reply(
                        reply=reply,
                        by=request.user,
                        attitude=data["attitude"],
                        result=data["result"],
                        comment=data["comment"],
                    )
                else:
                    rating = services.change_rating(
                        rating=existing,
                        by=request.user,
                        attitude=data["attitude"],
                        result=data["result"],
                        comment=data["comment"],
                    )
            except ProposalError as exc:
                form.add_error(None, str(exc))
            else:
                _say_what_happened(request, proposal, rating, changed=existing is not None)
                return redirect(_detail_url(proposal.pk, f"#reply-{reply.pk}"))
    return render(
        request,
        "handling/deputy/rate.html",
        {
            "reply": reply,
            "proposal": proposal,
            "form": form,
            "rating": existing,
            "attachments": list(reply.source.attachments.all()),
            "can_rate_now": existing is not None or is_rateable(reply),
        },
        status=400 if form.errors else 200,
    )


def _restate(
    request: AuthenticatedHttpRequest, reply: Reply, existing: Rating | None, data: dict[str, Any]
) -> HttpResponse:
    """The choice in words before it is recorded, with what follows from it."""
    levels = dict(Satisfaction.choices)
    until = existing.changeable_until if existing else services.rating_window_end(timezone.localdate())
    rehandles = answering.sends_back(data["result"], reply.round)
    return render(
        request,
        "handling/deputy/rate_confirm.html",
        {
            "reply": reply,
            "proposal": reply.assignment.proposal,
            "data": data,
            "attitude": levels[data["attitude"]],
            "result": levels[data["result"]],
            "until": until,
            "rehandles": rehandles,
            "changing": existing is not None,
        },
    )


def _confirm_now(request: AuthenticatedHttpRequest, reply: Reply, rating: Rating) -> HttpResponse:
    proposal = reply.assignment.proposal
    try:
        services.confirm_rating(rating=rating, by=request.user)
    except ProposalError as exc:
        messages.error(request, str(exc))
    else:
        _say_what_happened(request, proposal, rating, changed=False)
    return redirect(_detail_url(proposal.pk, f"#reply-{reply.pk}"))


def _say_what_happened(request: HttpRequest, proposal: Proposal, rating: Rating, *, changed: bool) -> None:
    proposal.refresh_from_db()
    rating.refresh_from_db()
    if rating.changeable_until is not None:
        text = _("Your rating is changed.") if changed else _("Your rating is recorded.")
        messages.success(
            request,
            text
            + " "
            + _("You can change it until %(date)s; then it takes effect.")
            % {"date": rating.changeable_until.isoformat()},
        )
    elif proposal.state == S.REHANDLING:
        messages.warning(
            request,
            _("Your rating is recorded. The unit must handle the suggestion again and reply by %(date)s.")
            % {"date": proposal.due_on.isoformat() if proposal.due_on else "—"},
        )
    elif proposal.state == S.CLOSED:
        messages.success(request, _("Thank you for your rating. The suggestion is closed."))
    else:
        messages.success(request, _("Thank you for your rating."))


@login_required
def unrated_replies(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Congress staff: issued replies the deputies have not rated yet, oldest first; from here a
    signed paper feedback form is recorded."""
    if not access.allowed(request.user, "view_unrated_replies"):
        raise refuse(request, "unrated replies (staff only)")
    replies = access.of_users_streams(request.user, waiting_for_rating(), "assignment__proposal__")
    query = request.GET.get("q", "").strip()
    if query:
        replies = search_words(
            replies,
            query,
            "assignment__proposal__title",
            "assignment__proposal__lead_deputy__name",
            "assignment__unit__name",
        )
    page = paginate(request, replies, per_page=30)
    today = timezone.localdate()
    for reply in page:
        # For the template only.
        reply.days_waiting = (today - timezone.localdate(reply.issued_at)).days if reply.issued_at else 0  # type: ignore[attr-defined]
    return render(request, "handling/deputy/unrated.html", {"page": page, "query": query})


@login_required
def paper_rating(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Congress staff key in the rating of a deputy's signed paper feedback form, attached."""
    reply = get_reply_for_user(request, pk)
    proposal = reply.assignment.proposal
    if _rating_of(reply) is not None and access.allowed(request.user, "view_unrated_replies"):
        messages.info(request, _("This reply has already been rated."))
        return redirect("handling:unrated_replies")
    if not access.allowed(request.user, "record_paper_rating", reply):
        raise refuse(request, f"reply {pk} (paper rating)")
    form = PaperRatingForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_paper_rating(
                reply=reply,
                by=request.user,
                attitude=data["attitude"],
                result=data["result"],
                comment=data["comment"],
                paper_form=data["paper_form"],
            )
        except ProposalError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("The paper rating of %(name)s is recorded, with the signed form.")
                % {"name": proposal.lead_deputy.name},
            )
            return redirect("handling:unrated_replies")
    return render(
        request,
        "handling/deputy/paper_rating.html",
        {"reply": reply, "proposal": proposal, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def paper_form(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    rating = get_object_or_404(Rating.objects.select_related("proposal"), pk=pk, is_paper=True)
    if not access.allowed(request.user, "view_paper_form", rating):
        raise refuse(request, f"rating {pk} (paper form)")
    name = rating.paper_form.name.rsplit("/", 1)[-1]
    return download(request, rating.paper_form, name)


# --- contacts and comments -------------------------------------------------------------------------


@login_required
def contact_answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The lead deputy says whether a recorded contact took place."""
    contact = get_object_or_404(ContactRecord.objects.select_related("assignment__unit", "proposal"), pk=pk)
    if not access.allowed(request.user, "answer_contact", contact):
        raise refuse(request, f"contact {pk}")
    # Coming from the 有异议 button, the form opens with that answer chosen.
    chosen = request.GET.get("response")
    answers = (ContactRecord.DeputyResponse.CONFIRMED, ContactRecord.DeputyResponse.DISPUTED)
    initial = {"response": chosen} if chosen in answers else {}
    form = ContactAnswerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        confirmed = form.cleaned_data["response"] == ContactRecord.DeputyResponse.CONFIRMED
        try:
            services.answer_contact(
                contact=contact, by=request.user, confirmed=confirmed, comment=form.cleaned_data["comment"]
            )
        except ProposalError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Thank you: you confirmed this contact.")
                if confirmed
                else _("Your dispute is recorded and sent to the unit and to congress staff."),
            )
            return redirect(_detail_url(contact.proposal_id, f"#contact-{contact.pk}"))
    return render(
        request,
        "handling/deputy/contact_answer.html",
        {"contact": contact, "proposal": contact.proposal, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def reply_comment(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The lead deputy or a co-signer comments on an issued reply."""
    reply = get_reply_for_user(request, pk)
    proposal = reply.assignment.proposal
    if not access.allowed(request.user, "comment_on_reply", proposal):
        raise refuse(request, f"reply {pk} (comment)")
    form = CommentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_on_reply(reply=reply, by=request.user, body=form.cleaned_data["body"])
        except ProposalError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your comment is sent to the unit."))
            return redirect(_detail_url(proposal.pk, f"#reply-{reply.pk}"))
    return render(
        request,
        "handling/deputy/comment.html",
        {"reply": reply, "proposal": proposal, "form": form},
        status=400 if form.errors else 200,
    )


# --- asking a unit before submitting (提出前沟通) ----------------------------------------------------


@login_required
def ask_unit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = get_proposal_for_user(request, pk, rule="ask_unit_before_submission")
    # A post goes to the service, which refuses a draft submitted meanwhile and keeps the question.
    if proposal.state not in EDITABLE_STATES and request.method != "POST":
        messages.info(request, _("Questions to a unit are asked about a draft, before it is submitted."))
        return redirect("proposals:mine_detail", pk=proposal.pk)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.ask_unit_before_submission(
                proposal=proposal, unit=data["unit"], question=data["question"], by=request.user
            )
        except ProposalError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Your question is sent to %(unit)s. Its answer will appear on the draft.")
                % {"unit": data["unit"].name},
            )
            return redirect("proposals:edit", pk=proposal.pk)
    return render(
        request,
        "handling/deputy/ask_unit.html",
        {"proposal": proposal, "form": form},
        status=400 if form.errors else 200,
    )


def _unit_or_404(request: HttpRequest) -> int:
    unit_id = unit_id_of(request.user)
    if unit_id is None:
        raise refuse(request, "questions from deputies (not a unit)")
    return unit_id


@login_required
def questions(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A unit's questions from deputies before submitting: unanswered first."""
    unit_id = _unit_or_404(request)
    items = PreSubmissionQuestion.objects.filter(unit_id=unit_id).select_related("proposal__lead_deputy")
    waiting = items.filter(answered_at__isnull=True).order_by("asked_at", "pk")
    answered = items.filter(answered_at__isnull=False).order_by("-answered_at", "-pk")
    page = paginate(request, answered, per_page=20)
    return render(request, "handling/deputy/questions.html", {"waiting": waiting, "page": page})


@login_required
def question_answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(
        PreSubmissionQuestion.objects.select_related("unit", "proposal__lead_deputy__delegation", "answered_by"), pk=pk
    )
    if not access.allowed(request.user, "view_draft_question", question):
        raise refuse(request, f"question {pk}")
    may_answer = access.allowed(request.user, "answer_draft_question", question)
    if request.method == "POST" and not may_answer:
        raise refuse(request, f"question {pk} (answer)")
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_draft_question(question=question, answer=form.cleaned_data["answer"], by=request.user)
        except ProposalError as exc:
            form.add_error(None, str(exc))  # e.g. a colleague answered first: said, and the text kept
        else:
            with stream_words(question.proposal.stream):
                messages.success(request, _("Your answer is sent to the deputy."))
            return redirect("handling:questions")
    # The form while the question waits, or with why a post was refused.
    shown = form if may_answer and (not question.is_answered or form.errors) else None
    return render(
        request,
        "handling/deputy/question_answer.html",
        {"question": question, "form": shown},
        status=400 if form.errors else 200,
    )
