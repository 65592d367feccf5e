from django.urls import path

from proposals import views

app_name = "proposals"
urlpatterns = [
    # issue 3: the list, one suggestion's page, congress staff's review
    path("", views.proposal_list, name="list"),
    path("<int:pk>/", views.detail, name="detail"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("review/", views.review_queue, name="review_queue"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/register/", views.register, name="register"),
    path("<int:pk>/return/", views.return_for_revision, name="return"),
    path("<int:pk>/decline/", views.decline, name="decline"),
    path("<int:pk>/renumber/", views.renumber, name="renumber"),
]
