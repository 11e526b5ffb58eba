from django.urls import path

from gonghui.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.login_view, name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("accounts/2fa/", views.two_factor, name="2fa"),
    path("w/", views.workspace, name="workspace"),
    path("w/profile/", views.profile, name="profile"),
    path("w/users/", views.user_list, name="user_list"),
    path("w/roles/", views.role_list, name="role_list"),
    path("w/users/new/", views.user_create, name="user_create"),
    path("w/users/<uuid:public_id>/", views.user_detail, name="user_detail"),
]
