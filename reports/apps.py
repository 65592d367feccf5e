from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # What this app declares and registers: its steps' events, its access rules, its
        # parts of the suggestion's pages (see proposals/hooks.py).
        from reports import events, pages, rules  # noqa: F401
