"""The login page: Django's login with our form, listing the accounts to try in the demo.
Logging out and changing a password are Django's own views (deputies/urls.py)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views

from deputies import login_page
from deputies.forms import LoginForm
from deputies.models import User


class LoginView(auth_views.LoginView):
    """Django's login, which in the demo (SHOW_DEMO_LOGINS) also lists the registered accounts
    that exist in this database (deputies/login_page.py)."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        listed = login_page.listed()
        if settings.SHOW_DEMO_LOGINS and listed is not None:
            usernames = [username for username, _description in listed.accounts]
            present = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
            context["demo_logins"] = [(u, description) for u, description in listed.accounts if u in present]
            context["demo_password"] = listed.password
        return context
