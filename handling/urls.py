from django.urls import path

from handling import views

app_name = "handling"
urlpatterns = [
    path("reply-attachments/<int:pk>/", views.reply_attachment, name="reply_attachment"),
]

# --- issue 4: deputies on their phones ------------------------------------------------------------
from handling import deputy_views  # noqa: E402

urlpatterns += [
    path("replies/<int:pk>/rate/", deputy_views.rate, name="rate"),
    path("replies/<int:pk>/comment/", deputy_views.reply_comment, name="reply_comment"),
    path("replies/<int:pk>/paper-rating/", deputy_views.paper_rating, name="paper_rating"),
    path("replies/unrated/", deputy_views.unrated_replies, name="unrated_replies"),
    path("ratings/<int:pk>/paper-form/", deputy_views.paper_form, name="paper_form"),
    path("contacts/<int:pk>/answer/", deputy_views.contact_answer, name="contact_answer"),
    path("drafts/<int:pk>/ask/", deputy_views.ask_unit, name="ask_unit"),
    path("questions/", deputy_views.questions, name="questions"),
    path("questions/<int:pk>/", deputy_views.question_answer, name="question_answer"),
]
