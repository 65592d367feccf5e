"""The signed-in user's personal API tokens: make one (the token shown once, on the page that
answers the POST, never again) and revoke one. Another user's token answers 404 + audit."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from deputies import wechat
from deputies.access import refuse
from deputies.api.tokens import create_token, revoke
from deputies.http import AuthenticatedHttpRequest
from deputies.models import ApiToken, WechatBinding


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"), max_length=100, help_text=gettext_lazy("Where it is used, e.g. 小程序")
    )
    scope = forms.ChoiceField(label=gettext_lazy("Scope"), choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ)
    days = forms.IntegerField(label=gettext_lazy("Valid for (days)"), min_value=1, max_value=365, initial=90)


@login_required
def api_tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    shown = ""
    if request.method == "POST" and form.is_valid():
        _row, shown = create_token(
            user=request.user,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            days=form.cleaned_data["days"],
        )
        form = TokenForm()
    tokens = request.user.api_tokens.all()
    return render(
        request,
        "deputies/api_tokens.html",
        {
            "form": form,
            "tokens": tokens,
            "shown": shown,
            "now": timezone.now(),
            "wechat": WechatBinding.objects.filter(user=request.user).first(),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def api_token_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    row = ApiToken.objects.filter(pk=pk, user=request.user).first()
    if row is None:
        raise refuse(request, f"API token {pk} (not the user's)")
    revoke(row)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": row.name})
    return redirect("api_tokens")


@login_required
@require_POST
def wechat_unbind(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Unbind the user's WeChat: the mini-program no longer logs them in (its tokens stay
    until revoked here or expired)."""
    if wechat.unbind(user=request.user):
        messages.success(request, _("Your WeChat is unbound: the mini-program no longer logs you in."))
    else:
        messages.error(request, _("No WeChat is bound to this account."))
    return redirect("api_tokens")
