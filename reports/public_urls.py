"""Pages for the public: no login."""

from django.urls import path

from reports import views

app_name = "disclosure"
urlpatterns = [
    path("replies/", views.public_replies, name="replies"),
    path("replies/<int:pk>/", views.public_reply, name="reply"),
]
