from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # The login page lists the demo's main accounts (deputies/login_page.py).
        from deputies import login_page
        from reports.demo_accounts import MAIN_LOGINS, PASSWORD

        login_page.register(accounts=[(u, description) for u, _role, description in MAIN_LOGINS], password=PASSWORD)
