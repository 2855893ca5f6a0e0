"""URLs of the NRM picture (included by :mod:`msoic.cases.urls`)."""

from django.urls import path, re_path

from msoic.cases.nrm import views

urlpatterns = [
    path("nrm/", views.nrm_picture, name="nrm-picture"),
    re_path(
        r"^nrm/data/(?P<panel>[a-z0-9-]+)\.(?P<fmt>csv|xlsx)$",
        views.nrm_download,
        name="nrm-download",
    ),
]
