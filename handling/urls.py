from django.urls import path

from handling import views

app_name = "handling"
urlpatterns = [
    path("reply-attachments/<int:pk>/", views.reply_attachment, name="reply_attachment"),
    # issue 3: assignment, re-assignment, a unit's steps, the reply letter and its review
    path("assign/<int:pk>/", views.assign, name="assign"),
    path("assign/bulk/", views.bulk_assign, name="bulk_assign"),
    path("reassignment-requests/", views.reassignment_requests, name="reassignment_requests"),
    path("reassignment-requests/<int:pk>/", views.decide_reassignment, name="decide_reassignment"),
    path("assignments/<int:pk>/sign/", views.sign, name="sign"),
    path("assignments/<int:pk>/reassignment/", views.request_reassignment, name="request_reassignment"),
    path("assignments/<int:pk>/contact/", views.contact, name="contact"),
    path("assignments/<int:pk>/co-opinion/", views.co_opinion, name="co_opinion"),
    path("assignments/<int:pk>/reply/", views.reply_edit, name="reply_edit"),
    path("replies/<int:pk>/", views.reply_detail, name="reply"),
    path("replies/<int:pk>/<slug:step>/", views.reply_step, name="reply_step"),
    path("reply-attachments/<int:pk>/delete/", views.reply_attachment_delete, name="reply_attachment_delete"),
    path("reply-reviews/", views.reply_reviews, name="reply_reviews"),
]
