from django.urls import path, re_path

from handling import deputy_views, referral_views, schedule_views, views

app_name = "handling"
urlpatterns = [
    # Assignment and re-assignment (congress staff, the supervision office).
    path("assign/<int:pk>/", views.assign, name="assign"),
    path("assign/bulk/", views.bulk_assign, name="bulk_assign"),
    # The lists' unit filter.
    path("lookup/units/", views.unit_lookup, name="unit_lookup"),
    path("reassignment-requests/", views.reassignment_requests, name="reassignment_requests"),
    path("reassignment-requests/<int:pk>/", views.decide_reassignment, name="decide_reassignment"),
    # Deadline extensions (the assigning office decides).
    path("extensions/", schedule_views.extensions, name="extensions"),
    path("extensions/<int:pk>/", schedule_views.decide_extension, name="decide_extension"),
    # A unit's steps on its assignment.
    path("assignments/<int:pk>/sign/", views.sign, name="sign"),
    path("assignments/<int:pk>/reassignment/", views.request_reassignment, name="request_reassignment"),
    path("assignments/<int:pk>/contact/", views.contact, name="contact"),
    path("assignments/<int:pk>/extension/", schedule_views.request_extension, name="request_extension"),
    path("assignments/<int:pk>/plan/", schedule_views.plan_edit, name="plan_edit"),
    path("plan-steps/<int:pk>/done/", schedule_views.plan_step_done, name="plan_step_done"),
    path("assignments/<int:pk>/co-opinion/", views.co_opinion, name="co_opinion"),
    path("assignments/<int:pk>/reply/", views.reply_edit, name="reply_edit"),
    # The reply letter, its steps (the other pages of a reply, below, share replies/<pk>/) and review.
    path("replies/<int:pk>/", views.reply_detail, name="reply"),
    re_path(
        r"^replies/(?P<pk>\d+)/(?P<step>submit|request_countersign|approve|issue|countersign|return|staff_return|correct)/$",
        views.reply_step,
        name="reply_step",
    ),
    path("reply-attachments/<int:pk>/", views.reply_attachment, name="reply_attachment"),
    path("reply-attachments/<int:pk>/delete/", views.reply_attachment_delete, name="reply_attachment_delete"),
    path("reply-reviews/", views.reply_reviews, name="reply_reviews"),
    # The deputy's part: rating, comments, contacts, questions before submitting; and the pages
    # that complete them for staff (paper ratings) and for units (answering questions).
    path("replies/<int:pk>/rate/", deputy_views.rate, name="rate"),
    path("replies/<int:pk>/comment/", deputy_views.reply_comment, name="reply_comment"),
    path("replies/<int:pk>/paper-rating/", deputy_views.paper_rating, name="paper_rating"),
    path("replies/unrated/", deputy_views.unrated_replies, name="unrated_replies"),
    path("ratings/<int:pk>/paper-form/", deputy_views.paper_form, name="paper_form"),
    path("contacts/<int:pk>/answer/", deputy_views.contact_answer, name="contact_answer"),
    path("drafts/<int:pk>/ask/", deputy_views.ask_unit, name="ask_unit"),
    path("questions/", deputy_views.questions, name="questions"),
    path("questions/<int:pk>/", deputy_views.question_answer, name="question_answer"),
    # Residents' matters forwarded to a unit (民意件): forwarding, the unit's list and answer.
    path("matters/<int:pk>/forward/", referral_views.forward_matter, name="forward_matter"),
    path("referrals/", referral_views.referrals_list, name="referrals"),
    path("referrals/<int:pk>/", referral_views.referral, name="referral"),
]
