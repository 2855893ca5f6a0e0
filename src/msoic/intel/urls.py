"""URLs of intelligence logs (mounted at /intelligence/)."""

from django.urls import path

from msoic.intel import views

urlpatterns = [
    path("", views.log_list, name="intel-list"),
    path("queue/", views.review_queue, name="intel-queue"),
    path("dashboard/", views.dashboard, name="intel-dashboard"),
    path("send/", views.send_extract, name="intel-send"),
    path("export/", views.export_logs, name="intel-export"),
    path("extracts/<int:pk>/", views.extract_detail, name="intel-extract"),
    path("<int:pk>/", views.log_detail, name="intel-log"),
    path("<int:pk>/review/", views.review_log, name="intel-review"),
]
