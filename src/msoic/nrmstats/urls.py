"""URLs of the national NRM statistics (mounted at /nrm-statistics/)."""

from django.urls import path

from msoic.nrmstats import views

urlpatterns = [
    path("", views.nrm_statistics, name="nrm-statistics"),
]
