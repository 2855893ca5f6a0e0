"""URLs of the dashboards app. The org unit, month and measure travel in the query string
(``?orgunit=kent&period=2024-02&measure=ms_recorded_crimes``) and are checked by the access
layer on every request, downloads included."""

from django.urls import path, re_path

from msoic.dashboards import views

urlpatterns = [
    path("ms/", views.ms_dashboard, name="dashboard-ms"),
    path("oic/", views.oic_dashboard, name="dashboard-oic"),
    re_path(
        r"^(?P<dashboard>ms|oic)/data/(?P<block>[a-z0-9_-]+)\.(?P<fmt>csv|xlsx)$",
        views.download,
        name="dashboard-download",
    ),
]
