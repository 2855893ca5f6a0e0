"""URLs of the SPOC network (mounted at /spocs/)."""

from django.urls import path

from msoic.referrals import views

urlpatterns = [
    path("", views.spoc_list, name="spoc-list"),
    path("coverage/", views.spoc_coverage, name="spoc-coverage"),
    path("new/", views.spoc_new, name="spoc-new"),
    path("<int:pk>/edit/", views.spoc_edit, name="spoc-edit"),
]
