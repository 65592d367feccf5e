from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeputiesConfig(AppConfig):
    name = "deputies"
    verbose_name = _("Deputies and accounts")

    def ready(self) -> None:
        from deputies import signals  # noqa: F401  (login auditing)
