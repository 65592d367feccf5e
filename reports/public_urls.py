"""Pages for the public: no login."""

from django.urls import path

from reports import public_views, views

app_name = "disclosure"
urlpatterns = [
    path("replies/", views.public_replies, name="replies"),
    path("replies/<int:pk>/", views.public_reply, name="reply"),
    path("figures/", public_views.figures, name="figures"),
    path("figures/<int:year>/", public_views.figures_year, name="figures_year"),
]
