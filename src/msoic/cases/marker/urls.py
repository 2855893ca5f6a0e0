"""URLs of the PNC marker worklist (included by :mod:`msoic.cases.urls`)."""

from django.urls import path, re_path

from msoic.cases.marker import views

urlpatterns = [
    path("marker/", views.marker_page, name="marker"),
    path("marker/people/<int:pk>/", views.marker_record, name="marker-record"),
    re_path(
        r"^marker/coverage\.(?P<fmt>csv|xlsx)$",
        views.marker_coverage_download,
        name="marker-coverage-download",
    ),
    path("marker/export/", views.marker_export, name="marker-export"),
]
