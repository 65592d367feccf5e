from typing import Any

from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # What this app declares and registers: its steps' events, its access rules, its
        # parts of the suggestion's pages (see proposals/hooks.py), its endpoints of the HTTP
        # API (deputies/api/).
        from reports import api, events, pages, rules  # noqa: F401

        api.register()

        # The triggers that tell kept figures from stale ones (reports/stored.py): dropped while
        # migrations run, made again after (with a new generation: migrations change data too).
        pre_migrate.connect(_drop_figures_triggers, sender=self)
        post_migrate.connect(_install_figures_triggers, sender=self)


def _drop_figures_triggers(using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    from reports.stored import drop_triggers

    drop_triggers(connections[using])


def _install_figures_triggers(using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    from reports.stored import install_triggers

    install_triggers(connections[using])
