from django.urls import path

from proposals import views

app_name = "proposals"
urlpatterns = [
    path("<int:pk>/", views.detail, name="detail"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
]
