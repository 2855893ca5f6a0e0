"""URLs of the CCA tasking tracker (mounted at /cca-tasking/)."""

from django.urls import path

from msoic.tasking import views

urlpatterns = [
    path("", views.tasking_list, name="tasking-list"),
    path("<int:pk>/", views.tracker, name="tasking-tracker"),
    path("<int:pk>/tracker.<str:fmt>", views.tracker_download, name="tasking-tracker-download"),
    path("measures/<int:pk>/", views.measure_detail, name="tasking-measure"),
    path("measures/<int:pk>/threshold/", views.threshold_revise, name="tasking-threshold"),
    path("progress/<int:pk>/", views.progress_detail, name="tasking-progress"),
]
