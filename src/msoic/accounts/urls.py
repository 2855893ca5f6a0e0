"""URLs of user management (administrators, under /admin-users/) and of the set-password
link a new user follows (public: the link itself is the credential). Mounted at the root."""

from django.urls import path

from msoic.accounts import views_admin as views

urlpatterns = [
    path("admin-users/", views.user_list, name="admin-users"),
    path("admin-users/new/", views.user_create, name="admin-users-new"),
    path("admin-users/<int:pk>/", views.user_detail, name="admin-users-detail"),
    path("admin-users/<int:pk>/role/", views.user_role, name="admin-users-role"),
    path("admin-users/<int:pk>/active/", views.user_active, name="admin-users-active"),
    path("admin-users/<int:pk>/mfa-reset/", views.user_mfa_reset, name="admin-users-mfa-reset"),
    path(
        "admin-users/<int:pk>/set-password-link/",
        views.user_link,
        name="admin-users-link",
    ),
    path(
        "admin-users/<int:pk>/tokens/<int:token_pk>/revoke/",
        views.token_revoke,
        name="admin-users-token-revoke",
    ),
    path(
        "set-password/<uidb64>/<token>/",
        views.SetPasswordView.as_view(),
        name="set-password",
    ),
]
