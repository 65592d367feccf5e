"""The security audit log's pages under /audit/ (deputies/views.py)."""

from django.urls import path

from deputies import views

app_name = "audit"

urlpatterns = [
    path("", views.audit_records, name="records"),
    path("export/", views.audit_export, name="export"),
]
