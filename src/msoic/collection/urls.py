"""URLs of the collection app (mounted at /returns/)."""

from django.urls import path

from msoic.collection import approval_views, views

urlpatterns = [
    path("", views.returns_hub, name="returns"),
    path(
        "template/<slug:dataset>/<slug:force>/<str:period>.xlsx",
        views.template_download,
        name="returns-template",
    ),
    path("upload/", views.upload, name="returns-upload"),
    path("jobs/<int:pk>/", views.job_detail, name="returns-job"),
    path("jobs/<int:pk>/status.json", views.job_status, name="returns-job-status"),
    path(
        "jobs/<int:pk>/files/<int:position>/comments/",
        views.job_acknowledge,
        name="returns-job-acknowledge",
    ),
    path(
        "enter/<slug:dataset>/<slug:force>/<str:period>/",
        views.entry_form,
        name="returns-enter",
    ),
    path("completeness/", views.completeness, name="completeness"),
    path("approvals/", approval_views.approval_queue, name="returns-approvals"),
    path("<int:pk>/", views.submission_detail, name="submission-detail"),
    path("<int:pk>/versions/<int:number>/", views.submission_version, name="submission-version"),
    path("<int:pk>/versions/<int:number>/file/", views.submission_file, name="submission-file"),
    path("<int:pk>/approve/", views.submission_approve, name="submission-approve"),
    path("<int:pk>/unlock/", views.submission_unlock, name="submission-unlock"),
]
