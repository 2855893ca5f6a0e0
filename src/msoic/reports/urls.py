"""URLs of reports (mounted at /reports/)."""

from django.urls import path, re_path

from msoic.reports import views

urlpatterns = [
    path("", views.report_list, name="reports-list"),
    path("templates/<slug:name>/", views.template_edit, name="reports-template"),
    path("<int:pk>/", views.edition_detail, name="reports-edition"),
    path("<int:pk>/build/", views.edition_build, name="reports-build"),
    path("<int:pk>/status/", views.edition_status, name="reports-status"),
    path("<int:pk>/changes/", views.edition_changes, name="reports-changes"),
    re_path(
        r"^(?P<pk>[0-9]+)/published\.(?P<fmt>html|pdf|docx|xlsx|json)$",
        views.published_file,
        name="reports-published-file",
    ),
    path("builds/<int:pk>/", views.build_detail, name="reports-build-detail"),
    path("builds/<int:pk>/file/", views.build_file, name="reports-build-file"),
]
