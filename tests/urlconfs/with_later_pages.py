"""The project's URLs plus stand-ins for pages other issues build (the deputy's own page,
the Excel export), to test that this issue's pages link to them once they exist."""

from django.http import HttpResponse
from django.urls import include, path

from config.urls import urlpatterns as project
from proposals import urls as proposal_urls
from reports import urls as report_urls

mine = path("mine/", lambda request: HttpResponse("mine"), name="mine")
export = path("export/", lambda request: HttpResponse("xlsx"), name="export_proposals")

urlpatterns = [
    path("proposals/", include(([*proposal_urls.urlpatterns, mine], "proposals"))),
    path("reports/", include(([*report_urls.urlpatterns, export], "reports"))),
    *[p for p in project if str(p.pattern) not in ("proposals/", "reports/")],
]
