"""The triage pages of residents' matters (station staff and deputies), under /matters/."""

from django.urls import path

from deputies import matter_views as views

app_name = "matters"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("cards/", views.cards, name="cards"),
    path("cards/station/<int:pk>.png", views.station_qr, name="station_qr"),
    path("cards/deputy/<int:pk>.png", views.deputy_qr, name="deputy_qr"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/photo/", views.photo, name="photo"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/merge/", views.merge, name="merge"),
]
