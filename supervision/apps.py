from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        # What this app declares and registers: its steps' events, its access rules, its
        # parts of the suggestion's pages (see proposals/hooks.py), its rule of the daily scan.
        from supervision import events, pages, public, referral_reminders, resurvey, rules  # noqa: F401
