"""The public progress pages (no login): /public/suggestions/."""

from django.urls import path

from proposals import public_views

app_name = "public_progress"
urlpatterns = [
    path("", public_views.progress_list, name="list"),
    path("<int:pk>/", public_views.progress_detail, name="detail"),
]
