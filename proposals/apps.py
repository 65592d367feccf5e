from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("Suggestions")

    def ready(self) -> None:
        # What this app declares and registers: its steps' events, its access rules, its
        # parts of the suggestion's pages (see proposals/hooks.py).
        from proposals import events, from_matters, pages, textindex  # noqa: F401

        # Here rather than in a system check: ready() runs in every process (gunicorn and the
        # Celery worker and beat too), a system check only under manage.py.
        from proposals.deadlines import check_period_settings

        check_period_settings()

        # Its endpoints of the HTTP API (deputies/api/).
        from proposals import api

        api.register()
