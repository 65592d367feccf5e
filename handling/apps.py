from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandlingConfig(AppConfig):
    name = "handling"
    verbose_name = _("Handling")

    def ready(self) -> None:
        # What this app declares and registers: its steps' events, its access rules, its
        # parts of the suggestion's pages (see proposals/hooks.py), its endpoints of the HTTP
        # API (deputies/api/).
        from handling import api, events, pages, public, referrals, rules, similar  # noqa: F401

        api.register()
