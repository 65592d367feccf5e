"""The public pages of residents' matters (no login), under /public/: a station's and a
deputy's intake page (their QR codes' addresses), and the lookup by code."""

from django.urls import path

from deputies import matter_views as views

app_name = "intake"

urlpatterns = [
    path("stations/<str:code>/", views.station_intake, name="station"),
    path("deputies/<str:code>/", views.deputy_intake, name="deputy"),
    path("matters/received/", views.received, name="received"),
    path("matters/lookup/", views.lookup, name="lookup"),
]
