"""URLs of operations supported (mounted at /operations-supported/)."""

from django.urls import path

from msoic.support import views

urlpatterns = [
    path("", views.operation_list, name="support-list"),
    path("new/", views.operation_new, name="support-new"),
    path("summary/", views.summary, name="support-summary"),
    path("summary.<str:fmt>", views.summary_download, name="support-summary-download"),
    path("<int:pk>/", views.operation_detail, name="support-detail"),
    path("<int:pk>/edit/", views.operation_edit, name="support-edit"),
    path("<int:pk>/outcomes/", views.outcome_add, name="support-outcome-add"),
    path(
        "<int:pk>/outcomes/<int:outcome_pk>/remove/",
        views.outcome_remove,
        name="support-outcome-remove",
    ),
]
