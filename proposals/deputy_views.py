"""The deputy's own pages, made for a phone first: "my suggestions", following one suggestion,
writing a draft with its attachments and co-signers, submitting and withdrawing it. What the
pages say is read in proposals/following.py; every change is one service call."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_fsm import has_transition_perm

from deputies.access import SUBMITTER_ROLES, allowed, deputy_id_of, refuse
from deputies.http import AuthenticatedHttpRequest
from deputies.models import Deputy
from deputies.pages import paginate
from proposals import hooks, services
from proposals.access import get_proposal_for_user
from proposals.deputy_forms import DeputySearchForm, DraftForm, WithdrawForm
from proposals.following import (
    GROUP_ORDER,
    build_row,
    current_meeting,
    default_channel,
    my_order,
    open_invitations,
    plain_timeline,
    return_reason,
    rows_of,
    search_deputies,
    with_follow_facts,
)
from proposals.models import CoSignature, Meeting, Proposal, ProposalAttachment
from proposals.states import COSIGNABLE_STATES, EDITABLE_STATES
from proposals.steps import run_step

PAGE_SIZE = 30


def _deputy_or_404(request: AuthenticatedHttpRequest) -> Deputy:
    if not allowed(request.user, "draft_proposal"):
        raise refuse(request, "deputy pages (not a deputy)")
    return request.user.deputy


@login_required
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    """My suggestions: what needs me first, then what is under way, then what is finished."""
    if request.user.role in SUBMITTER_ROLES and not allowed(request.user, "draft_proposal"):
        # A deputy's login not yet linked to its deputy record: say so rather than "not found".
        return render(request, "proposals/deputy/unlinked.html", status=403)
    deputy = _deputy_or_404(request)
    today = timezone.localdate()
    # The order and the groups in SQL; only the rows of this page are loaded and built.
    order = my_order(deputy.pk, today)
    counts = {name: 0 for name in GROUP_ORDER}
    for _pk, group in order:
        counts[group] += 1
    ids = paginate(request, order, per_page=PAGE_SIZE)
    page = ids.showing(rows_of([pk for pk, _group in ids.object_list], deputy_id=deputy.pk, today=today))
    return render(
        request,
        "proposals/deputy/mine.html",
        {
            "page": page,
            "invitations": open_invitations(deputy),
            "counts": counts,
            "total": len(order),
            "deputy": deputy,
        },
    )


@login_required
def mine_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One suggestion as its deputies follow it: where it stands, what is asked of me, the
    replies with their attachments, the contacts to confirm, and the whole story."""
    user = request.user
    deputy_id = deputy_id_of(user)
    base = Proposal.objects.select_related("lead_deputy__delegation", "source")
    proposal = get_proposal_for_user(
        request, pk, queryset=with_follow_facts(base, deputy_id or 0), rule="follow_proposal"
    )
    today = timezone.localdate()
    row = build_row(proposal, deputy_id=deputy_id or 0, today=today)
    is_lead = row.is_lead
    cosignatures = list(proposal.cosignatures.select_related("deputy__delegation"))
    # An invitation is answered only until registration (withdrawn or registered: no more).
    my_invitation = next(
        (s for s in cosignatures if s.deputy_id == deputy_id and s.status == CoSignature.Status.INVITED), None
    )
    if proposal.state not in COSIGNABLE_STATES:
        my_invitation = None
    # Reading the suggestion's page is reading its notices.
    user.notifications.filter(proposal=proposal, read_at__isnull=True).update(read_at=timezone.now())
    context: dict[str, Any] = {
        "proposal": proposal,
        "is_lead": is_lead,
        "state_text": row.state_text,
        "asks": row.asks,
        "units": row.units,
        "steps": plain_timeline(proposal, user, is_lead=is_lead),
        "cosignatures": cosignatures,
        "attachments": list(proposal.attachments.all()),
        "return_reason": return_reason(proposal),
        "my_invitation": my_invitation,
        "can_edit": is_lead and proposal.state in EDITABLE_STATES,
        "can_withdraw": has_transition_perm(proposal.withdraw, user),
        "today": today,
    }
    page = hooks.page_for(request, proposal)
    context["panels"] = hooks.panels_for("follow", page)
    return render(request, "proposals/deputy/detail.html", context)


# --- writing a draft ------------------------------------------------------------------------------------

TEXT_FIELDS = ("title", "body", "category", "source", "channel")
SESSION_TOKENS = "deputy_draft_tokens"


def _own_editable(request: HttpRequest, pk: int) -> Proposal:
    """The lead deputy's own draft or returned suggestion; anything else answers 404."""
    return get_proposal_for_user(request, pk, queryset=Proposal.objects.select_related("meeting"), rule="edit_proposal")


def _remember_token(request: HttpRequest, token: str, pk: int) -> None:
    tokens = request.session.get(SESSION_TOKENS, {})
    tokens[token] = pk
    request.session[SESSION_TOKENS] = dict(list(tokens.items())[-20:])


@login_required
def new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Start a suggestion. The page carries a token so that an autosave and a press on
    “save” racing each other make one draft, not two."""
    deputy = _deputy_or_404(request)
    meeting = current_meeting(stream=deputy.stream)
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
    form = DraftForm(initial={"channel": default_channel(meeting)}, stream=deputy.stream)
    return _render_draft(request, form, None, meeting=meeting, token=uuid.uuid4().hex)


@login_required
def edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    deputy = _deputy_or_404(request)
    proposal = _own_editable(request, pk)
    if proposal.state not in EDITABLE_STATES:
        gone = _("This suggestion has been submitted and can no longer be edited.")
        if request.POST.get("autosave") == "1":
            return JsonResponse({"error": gone}, status=409)
        if request.method == "POST":  # submitted from another tab: what was typed here comes back, with why
            form = DraftForm(request.POST, stream=deputy.stream, proposal=proposal)
            form.is_valid()
            form.add_error(None, gone)
            return _render_draft(request, form, proposal, meeting=proposal.meeting)
        messages.info(request, gone)
        return redirect("proposals:mine_detail", pk=proposal.pk)
    if request.method == "POST":
        return _draft_page(request, deputy, proposal)
    form = DraftForm(
        initial={name: getattr(proposal, name) for name in TEXT_FIELDS}, stream=deputy.stream, proposal=proposal
    )
    return _render_draft(request, form, proposal, meeting=proposal.meeting)


def _draft_page(
    request: AuthenticatedHttpRequest,
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
    form = DraftForm(request.POST, None if autosave else request.FILES, stream=deputy.stream, proposal=proposal)
    form.is_valid()
    text_errors = [name for name in TEXT_FIELDS if name in form.errors]
    meeting = meeting or (proposal.meeting if proposal else None)
    if text_errors:
        if autosave:
            # One sentence for the page's status line, naming each field; and the errors by field.
            said = "；".join(
                f"{form.fields[name].label}：{' '.join(str(e) for e in form.errors[name])}" for name in text_errors
            )
            return JsonResponse({"error": said, "errors": {k: v for k, v in form.errors.items()}}, status=400)
        return _render_draft(request, form, proposal, meeting=meeting, token=token)

    fields = form.draft_fields()
    written = (fields["title"] or "").strip() or (fields["body"] or "").strip()
    if proposal is None and not written and not (form.cleaned_data.get("attachments") and not autosave):
        # Nothing written or attached yet: nothing is kept (a press on "save" or "submit" on an
        # empty page would otherwise leave an unnamed draft behind each time).
        if autosave:
            return JsonResponse({"empty": True})
        form.add_error(None, _("Write a title or some of the text first: an empty draft is not saved."))
        return _render_draft(request, form, proposal, meeting=meeting, token=token)
    try:
        if proposal is None:
            assert meeting is not None  # `new` passes the current meeting with every new draft
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

    check = DraftForm(request.POST, stream=deputy.stream, for_submission=True, proposal=proposal)
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
    request: AuthenticatedHttpRequest,
    form: DraftForm,
    proposal: Proposal | None,
    *,
    meeting: Meeting | None,
    token: str = "",
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
                "return_reason": return_reason(proposal),
            }
        )
        context["panels"] = hooks.panels_for("draft", hooks.page_for(request, proposal))
    status = 200 if not form.is_bound or not form.errors else 400
    return render(request, "proposals/deputy/draft.html", context, status=status)


@login_required
@require_POST
def remove_attachment(request: AuthenticatedHttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    proposal = _own_editable(request, pk)
    attachment = get_object_or_404(ProposalAttachment, pk=attachment_pk, proposal=proposal)
    run_step(
        request,
        lambda: services.remove_attachment(attachment=attachment, by=request.user),
        _("Attachment removed."),
    )
    return redirect("proposals:edit", pk=proposal.pk)


# --- co-signers ---------------------------------------------------------------------------------------


@login_required
def invite(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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
        found.signature = status.get(found.pk)  # type: ignore[attr-defined]  # for the template only
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
def cosign_answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The invited deputy confirms or declines co-signing."""
    signature = get_object_or_404(CoSignature.objects.select_related("proposal", "deputy"), pk=pk)
    if not allowed(request.user, "answer_cosign_invitation", signature):
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
def withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _deputy_or_404(request)
    proposal = get_proposal_for_user(request, pk, rule="withdraw_proposal")
    if not has_transition_perm(proposal.withdraw, request.user):
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
    return render(
        request,
        "proposals/deputy/withdraw.html",
        {"proposal": proposal, "form": form},
        status=400 if request.method == "POST" else 200,  # a post not taken
    )


@login_required
@require_POST
def draft_from_matter(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Turn a resident's matter into a draft suggestion of this deputy, then edit it."""
    from deputies import matters as resident_matters
    from proposals.from_matters import draft_from_matters
    from proposals.workflow import ProposalError

    matter = resident_matters.matter_for(request, pk)
    try:
        proposal = draft_from_matters(matters=[matter], by=request.user)
    except (ProposalError, resident_matters.MatterError) as exc:
        messages.error(request, str(exc))
        return redirect("matters:detail", pk=pk)
    messages.success(request, _("A draft was made from the matter. Edit it and submit it when ready."))
    return redirect("proposals:edit", pk=proposal.pk)
