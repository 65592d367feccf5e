from django.contrib import admin
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path

from proposals import views as proposal_views

admin.site.site_header = "建议办理 · 系统管理"
admin.site.site_title = "建议办理"
admin.site.index_title = "数据与配置"


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico when a page names no icon (the admin's pages do not)."""
    return redirect(static("img/favicon.svg"), permanent=True)


urlpatterns = [
    path("", proposal_views.home, name="home"),
    path("favicon.ico", favicon),
    path("accounts/", include("deputies.urls")),
    path("audit/", include("deputies.audit_urls")),
    path("proposals/", include("proposals.urls")),
    path("handling/", include("handling.urls")),
    path("supervision/", include("supervision.urls")),
    path("reports/", include("reports.urls")),
    # The public pages (no login): each item's progress, the disclosed replies, the units' figures.
    path("public/suggestions/", include("proposals.public_urls")),
    path("public/", include("reports.public_urls")),
    # Residents leave matters at a liaison station or with a deputy, and look them up (no login);
    # station staff and deputies triage them.
    path("public/", include("deputies.intake_urls")),
    path("matters/", include("deputies.matter_urls")),
    # The HTTP API (deputies/api/): its endpoints, schema and docs.
    path("api/v1/", include("deputies.api.urls")),
    path("admin/", admin.site.urls),
]

# Our error pages, in Chinese and in the app's frame (deputies/errors.py; under DEBUG its
# middleware keeps Django's technical pages for administrators).
handler400 = "deputies.errors.bad_request"
handler403 = "deputies.errors.permission_denied"
handler404 = "deputies.errors.page_not_found"
handler500 = "deputies.errors.server_error"
