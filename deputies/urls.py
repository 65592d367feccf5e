"""The account pages under /accounts/. No app_name: Django's auth views and settings
(LOGIN_URL, LOGOUT_REDIRECT_URL) know them by these plain names."""

from django.contrib.auth import views as auth_views
from django.urls import path

from deputies import token_views, views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("tokens/", token_views.api_tokens, name="api_tokens"),
    path("tokens/<int:pk>/revoke/", token_views.api_token_revoke, name="api_token_revoke"),
    path("password/", auth_views.PasswordChangeView.as_view(success_url="/"), name="password_change"),
]
