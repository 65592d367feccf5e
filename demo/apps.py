from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo builder (`manage.py seed_demo`): last in the chain of apps, it may use every
    other app, and none uses it."""

    name = "demo"
    verbose_name = _("Demo data")

    def ready(self) -> None:
        # The login page lists the demo's main accounts (deputies/login_page.py).
        from demo.accounts import MAIN_LOGINS, PASSWORD
        from deputies import login_page

        login_page.register(accounts=[(u, description) for u, _role, description in MAIN_LOGINS], password=PASSWORD)
