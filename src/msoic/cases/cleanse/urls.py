"""URLs of the data cleanse (included by :mod:`msoic.cases.urls`)."""

from django.urls import path, re_path

from msoic.cases.cleanse import views

urlpatterns = [
    path("cleanse/", views.cleanse_list, name="cleanse-list"),
    path("cleanse/new/", views.cleanse_new, name="cleanse-new"),
    path("cleanse/<int:pk>/", views.cleanse_detail, name="cleanse-detail"),
    re_path(
        r"^cleanse/(?P<pk>[0-9]+)/progress\.(?P<fmt>csv|xlsx)$",
        views.cleanse_progress_download,
        name="cleanse-progress-download",
    ),
    path("cleanse/<int:pk>/worklist/", views.cleanse_worklist, name="cleanse-worklist"),
    path("cleanse/items/<int:pk>/", views.cleanse_item, name="cleanse-item"),
]
