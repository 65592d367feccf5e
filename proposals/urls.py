from django.urls import path

from proposals import deputy_views, notification_views, similar_views, views

app_name = "proposals"
urlpatterns = [
    # The list, one suggestion's page, congress staff's review.
    path("", views.proposal_list, name="list"),
    path("lookup/deputies/", views.deputy_lookup, name="deputy_lookup"),
    path("<int:pk>/", views.detail, name="detail"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("review/", views.review_queue, name="review_queue"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/register/", views.register, name="register"),
    path("<int:pk>/return/", views.return_for_revision, name="return"),
    path("<int:pk>/decline/", views.decline, name="decline"),
    path("<int:pk>/renumber/", views.renumber, name="renumber"),
    path("<int:pk>/withhold-public/", views.withhold_public, name="withhold_public"),
    path("<int:pk>/release-public/", views.release_public, name="release_public"),
    # The deputy's own pages, made for a phone.
    path("mine/", deputy_views.mine, name="mine"),
    path("mine/new/", deputy_views.new, name="new"),
    path("mine/similar/", similar_views.similar_hint, name="similar_hint"),
    path("mine/<int:pk>/", deputy_views.mine_detail, name="mine_detail"),
    path("mine/<int:pk>/edit/", deputy_views.edit, name="edit"),
    path("mine/from-matter/<int:pk>/", deputy_views.draft_from_matter, name="draft_from_matter"),
    path("mine/<int:pk>/invite/", deputy_views.invite, name="invite"),
    path("mine/<int:pk>/withdraw/", deputy_views.withdraw, name="withdraw"),
    path(
        "mine/<int:pk>/attachments/<int:attachment_pk>/remove/",
        deputy_views.remove_attachment,
        name="remove_attachment",
    ),
    path("cosign/<int:pk>/answer/", deputy_views.cosign_answer, name="cosign_answer"),
    # Everyone's notifications.
    path("notifications/", notification_views.notifications, name="notifications"),
    path("notifications/<int:pk>/open/", notification_views.notification_open, name="notification_open"),
    path("notifications/read-all/", notification_views.notifications_read_all, name="notifications_read_all"),
]
