"""URLs of the library of documents produced (mounted at /documents/)."""

from django.urls import path

from msoic.documents import views

urlpatterns = [
    path("", views.document_list, name="documents-list"),
    path("new/", views.document_new, name="documents-new"),
    path("<int:pk>/", views.document_detail, name="documents-document"),
    path("<int:pk>/versions/new/", views.version_new, name="documents-version-new"),
    path(
        "<int:pk>/versions/<int:number>/download/",
        views.version_download,
        name="documents-download",
    ),
]
