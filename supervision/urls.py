from django.urls import path

from supervision import views

app_name = "supervision"
urlpatterns = [
    path("key/", views.key_list, name="key_list"),
    path("key/new/", views.key_new, name="key_new"),
    path("key/<int:pk>/", views.key_detail, name="key_detail"),
    path("key/<int:pk>/edit/", views.key_edit, name="key_edit"),
    path("key/<int:pk>/records/new/", views.record_new, name="record_new"),
    path("key/<int:pk>/report/", views.key_report, name="key_report"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("leader/", views.my_items, name="my_items"),
    path("leaders/<int:user_id>/", views.leader_page, name="leader_page"),
    path("urging/", views.urging_list, name="urging_list"),
    path("urging/new/", views.urging_new, name="urging_new"),
    path("urging/<int:pk>/", views.urging_detail, name="urging_detail"),
    path("urging/<int:pk>/acknowledge/", views.urging_acknowledge, name="urging_acknowledge"),
    path("followup/", views.followup, name="followup"),
    path("followup/<int:pk>/", views.promise_detail, name="promise_detail"),
    path("followup/<int:pk>/report/", views.promise_report, name="promise_report"),
    path("followup/<int:pk>/confirm/", views.promise_confirm, name="promise_confirm"),
    path("followup/<int:pk>/reopen/", views.promise_reopen, name="promise_reopen"),
    path("followup/<int:pk>/survey/", views.promise_survey, name="promise_survey"),
]
