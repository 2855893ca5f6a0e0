"""Home, log in (password, second factor, enrolment) and log out."""

from django.urls import path

from msoic.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.ThrottledLoginView.as_view(), name="login"),
    path("login/verify/", views.mfa_verify, name="mfa-verify"),
    path("login/enrol/", views.mfa_enrol, name="mfa-enrol"),
    path("logout/", views.logout_view, name="logout"),
    path("healthz", views.healthz, name="healthz"),
]
