from django.urls import path

from handling import views

app_name = "handling"
urlpatterns = [
    path("reply-attachments/<int:pk>/", views.reply_attachment, name="reply_attachment"),
]
