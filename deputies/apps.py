from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeputiesConfig(AppConfig):
    name = "deputies"
    verbose_name = _("Deputies and accounts")

    def ready(self) -> None:
        # Login auditing, and the check that the app does not connect as the tables' owner.
        from deputies import checks, signals  # noqa: F401
        from deputies.api import login

        # The API's login endpoints (a phone code, the WeChat mini-program).
        login.register()
