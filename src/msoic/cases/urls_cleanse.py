"""URLs of the data cleanse, the PNC marker worklist and the NRM picture (included by
:mod:`msoic.cases.urls`)."""

from django.urls import path, re_path

from msoic.cases import views_cleanse, views_nrm

urlpatterns = [
    path("cleanse/", views_cleanse.cleanse_list, name="cleanse-list"),
    path("cleanse/new/", views_cleanse.cleanse_new, name="cleanse-new"),
    path("cleanse/<int:pk>/", views_cleanse.cleanse_detail, name="cleanse-detail"),
    re_path(
        r"^cleanse/(?P<pk>[0-9]+)/progress\.(?P<fmt>csv|xlsx)$",
        views_cleanse.cleanse_progress_download,
        name="cleanse-progress-download",
    ),
    path("cleanse/<int:pk>/worklist/", views_cleanse.cleanse_worklist, name="cleanse-worklist"),
    path("cleanse/items/<int:pk>/", views_cleanse.cleanse_item, name="cleanse-item"),
    path("marker/", views_cleanse.marker_page, name="marker"),
    path("marker/people/<int:pk>/", views_cleanse.marker_record, name="marker-record"),
    re_path(
        r"^marker/coverage\.(?P<fmt>csv|xlsx)$",
        views_cleanse.marker_coverage_download,
        name="marker-coverage-download",
    ),
    path("marker/export/", views_cleanse.marker_export, name="marker-export"),
    path("nrm/", views_nrm.nrm_picture, name="nrm-picture"),
    re_path(
        r"^nrm/data/(?P<panel>[a-z0-9-]+)\.(?P<fmt>csv|xlsx)$",
        views_nrm.nrm_download,
        name="nrm-download",
    ),
]
