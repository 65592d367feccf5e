"""The account pages under /accounts/. No app_name: Django's auth views and settings
(LOGIN_URL, LOGOUT_REDIRECT_URL) know them by these plain names."""

from django.contrib.auth import views as auth_views
from django.urls import path

from deputies import phone_views, token_views, views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/sms/", phone_views.login_sms, name="login_sms"),
    path("login/code/", phone_views.login_second_factor, name="login_second_factor"),
    path("password/reset/", phone_views.password_reset_sms, name="password_reset_sms"),
    path("password/reset/new/", phone_views.password_reset_sms_set, name="password_reset_sms_set"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("tokens/", token_views.api_tokens, name="api_tokens"),
    path("tokens/<int:pk>/revoke/", token_views.api_token_revoke, name="api_token_revoke"),
    path("tokens/wechat/unbind/", token_views.wechat_unbind, name="wechat_unbind"),
    path("password/", auth_views.PasswordChangeView.as_view(success_url="/"), name="password_change"),
]
