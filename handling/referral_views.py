"""The pages of residents' matters forwarded to units (民意件, `handling.referrals`): the station's
or the deputy's form to forward a matter, and the unit's list and page where it answers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deputies import access
from deputies import matters as resident_matters
from deputies.http import AuthenticatedHttpRequest
from deputies.models import ResidentMatter
from deputies.pages import paginate
from handling import referrals
from handling.models import MatterReferral, Unit
from handling.rules import unit_id_of


class ForwardForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Unit"),
        queryset=Unit.objects.filter(is_active=True),
        empty_label="—",
        error_messages={"invalid_choice": gettext_lazy("Choose a unit from the list.")},
    )
    text = forms.CharField(
        label=gettext_lazy("The matter, as the unit reads it"),
        help_text=gettext_lazy("Leave out names, addresses and anything else that identifies the resident."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    note = forms.CharField(
        label=gettext_lazy("Note to the unit"),
        required=False,
        max_length=referrals.MAX_NOTE_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReferralAnswerForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("Answer (the resident reads it)"),
        max_length=referrals.MAX_ANSWER_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


@login_required
def forward_matter(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Forward a new matter to a unit: its station's staff or its deputy."""
    matter = resident_matters.matter_for(request, pk)
    if not access.allowed(request.user, "forward_matter", matter):
        raise access.refuse(request, f"resident matter {pk} (forward)")
    # A post goes to the service, which refuses a matter no longer new and keeps what was typed.
    if matter.state != ResidentMatter.State.NEW and request.method != "POST":
        messages.error(
            request,
            _("This matter is already “%(state)s”; reload the page.") % {"state": matter.get_state_display()},
        )
        return redirect("matters:detail", pk=pk)
    form = ForwardForm(request.POST or None, initial={"text": matter.text})
    if request.method == "POST" and form.is_valid():
        try:
            referral = referrals.forward_matter(
                matter=matter,
                unit=form.cleaned_data["unit"],
                text=form.cleaned_data["text"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except resident_matters.MatterError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("The matter was forwarded to %(unit)s, to be answered by %(date)s.")
                % {"unit": referral.unit.name, "date": referral.deadline.isoformat()},
            )
            return redirect("matters:detail", pk=pk)
    return render(
        request,
        "handling/matters/forward.html",
        {"matter": matter, "form": form, "deadline": referrals.referral_deadline()},
        status=400 if form.errors else 200,
    )


def _unit_or_404(request: AuthenticatedHttpRequest) -> int:
    unit_id = unit_id_of(request.user)
    if unit_id is None or not access.allowed(request.user, "answer_referrals"):
        raise access.refuse(request, "matters forwarded to a unit")
    return unit_id


@login_required
def referrals_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The matters forwarded to the user's unit: those waiting first, by deadline."""
    unit_id = _unit_or_404(request)
    items = referrals.referrals_of_unit(unit_id)
    waiting = list(items.filter(answered_at__isnull=True).order_by("deadline", "pk"))
    answered = items.filter(answered_at__isnull=False).order_by("-answered_at", "-pk")
    page = paginate(request, answered, per_page=20)
    return render(
        request,
        "handling/matters/referrals.html",
        {"waiting": waiting, "page": page, "today": timezone.localdate()},
    )


@login_required
def referral(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A forwarded matter: the unit reads and answers it; its station and deputy follow it."""
    found = (
        MatterReferral.objects.select_related("unit", "matter__station", "matter__deputy", "answered_by")
        .filter(pk=pk)
        .first()
    )
    if found is None or not access.allowed(request.user, "view_referral", found):
        raise access.refuse(request, f"matter referral {pk}")
    may_answer = access.allowed(request.user, "answer_referral", found)
    if request.method == "POST" and not may_answer:
        raise access.refuse(request, f"matter referral {pk} (answer)")
    form = ReferralAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            referrals.answer_referral(referral=found, answer=form.cleaned_data["answer"], by=request.user)
        except resident_matters.MatterError as exc:
            form.add_error(None, str(exc))  # e.g. a colleague answered first: said, and the text kept
        else:
            messages.success(request, _("Your answer was sent; the resident and the station see it."))
            return redirect("handling:referral", pk=pk)
    context: dict[str, Any] = {
        "referral": found,
        # While the matter waits for its answer, or with why a post was refused.
        "form": form if may_answer and (not found.is_answered or form.errors) else None,
        "is_unit": unit_id_of(request.user) == found.unit_id,
        "overdue": found.is_overdue(),
    }
    return render(request, "handling/matters/referral.html", context, status=400 if form.errors else 200)
