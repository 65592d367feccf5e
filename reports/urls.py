from django.urls import path
from django.views.generic import RedirectView

from reports import public_views, record_views, views

app_name = "reports"
urlpatterns = [
    # Under dashboard/ so that the navigation marks the dashboard on its lists, and only there.
    path("", RedirectView.as_view(pattern_name="reports:dashboard"), name="index"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/figures/", views.figure_list, name="figure_list"),
    path("dashboard/units/", views.units, name="units"),
    path("export/", views.export_proposals, name="export_proposals"),
    path("export/<slug:kind>.xlsx", views.export_reference, name="export_reference"),
    path("import/", views.import_start, name="import"),
    path("import/template/<slug:kind>.xlsx", views.import_template, name="import_template"),
    path("import/<int:pk>/", views.import_batch, name="import_batch"),
    path("import/<int:pk>/apply/", views.import_apply, name="import_apply"),
    path("annual/", views.annual_report, name="annual_report"),
    path("annual/generate/", views.annual_generate, name="annual_generate"),
    path("annual/preview/", views.annual_preview, name="annual_preview"),
    path("annual/jobs/<int:pk>/", views.report_job, name="report_job"),
    path("annual/jobs/<int:pk>/pdf/", views.report_pdf, name="report_pdf"),
    path("records/", record_views.deputy_records, name="deputy_records"),
    path("records/mine/", record_views.my_record, name="my_record"),
    path("records/<int:pk>/", record_views.deputy_record, name="deputy_record"),
    path("records/<int:pk>/pdf/", record_views.deputy_record_pdf, name="deputy_record_pdf"),
    path("letters/<int:pk>/", record_views.reply_letter, name="reply_letter"),
    path("disclosure/", views.disclosure, name="disclosure"),
    path("disclosure/<int:pk>/hold/", views.disclosure_hold, name="disclosure_hold"),
    path("disclosure/<int:pk>/release/", views.disclosure_release, name="disclosure_release"),
    path("disclosure/figures/publish/", public_views.publish, name="publish_figures"),
    path("disclosure/figures/<int:pk>/unpublish/", public_views.unpublish, name="unpublish_figures"),
]
