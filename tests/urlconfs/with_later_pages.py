"""The project's URLs plus stand-ins for pages other issues build (the deputy's own page,
the Excel export), to test that this issue's pages link to them once they exist."""

from django.http import HttpResponse
from django.urls import include, path

from tests.urlconfs.without_later_pages import project, proposal_urls, report_urls, without_later

mine = path("mine/", lambda request: HttpResponse("mine"), name="mine")
export = path("export/", lambda request: HttpResponse("xlsx"), name="export_proposals")

urlpatterns = [
    path("proposals/", include(([*without_later(proposal_urls.urlpatterns), mine], "proposals"))),
    path("reports/", include(([*without_later(report_urls.urlpatterns), export], "reports"))),
    *[p for p in project if str(p.pattern) not in ("proposals/", "reports/")],
]
