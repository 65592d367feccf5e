from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views

from deputies.forms import LoginForm
from deputies.models import User


class LoginView(auth_views.LoginView):
    """Django's login, which in the demo (SHOW_DEMO_LOGINS) also lists the demo accounts."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if settings.SHOW_DEMO_LOGINS:
            from reports.demo_accounts import MAIN_LOGINS, PASSWORD

            present = set(
                User.objects.filter(username__in=[u for u, _r, _d in MAIN_LOGINS]).values_list("username", flat=True)
            )
            context["demo_logins"] = [(u, d) for u, _r, d in MAIN_LOGINS if u in present]
            context["demo_password"] = PASSWORD
        return context
