from django.contrib import admin
from django.urls import include, path

from proposals import views as proposal_views

admin.site.site_header = "建议办理 · 系统管理"
admin.site.site_title = "建议办理"
admin.site.index_title = "数据与配置"

urlpatterns = [
    path("", proposal_views.home, name="home"),
    path("accounts/", include("deputies.urls")),
    path("audit/", include("deputies.audit_urls")),
    path("proposals/", include("proposals.urls")),
    path("handling/", include("handling.urls")),
    path("supervision/", include("supervision.urls")),
    path("reports/", include("reports.urls")),
    # The public disclosure page (no login).
    path("public/", include("reports.public_urls")),
    path("admin/", admin.site.urls),
]
