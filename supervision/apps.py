from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        # What this app declares and registers: its steps' events, its access rules, its
        # parts of the suggestion's pages (see proposals/hooks.py), its rule of the daily scan,
        # and the promise an issued reply puts on its follow-up list.
        from handling.services import on_issue
        from supervision import events, pages, public, referral_reminders, resurvey, rules  # noqa: F401
        from supervision.services import promise_on_issue

        on_issue(promise_on_issue)
