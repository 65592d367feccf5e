"""The project's URLs without the deputy's own page and the Excel export (built by other
issues), to test this issue's pages as they behave before those exist."""

from django.urls import include, path

from config.urls import urlpatterns as project
from proposals import urls as proposal_urls
from reports import urls as report_urls

LATER = {"mine", "export_proposals"}


def without_later(patterns: list) -> list:
    return [p for p in patterns if getattr(p, "name", None) not in LATER]


urlpatterns = [
    path("proposals/", include((without_later(proposal_urls.urlpatterns), "proposals"))),
    path("reports/", include((without_later(report_urls.urlpatterns), "reports"))),
    *[p for p in project if str(p.pattern) not in ("proposals/", "reports/")],
]
