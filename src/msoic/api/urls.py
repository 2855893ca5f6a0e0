"""URLs of API v1 (mounted at /api/v1/): the typed endpoints of msoic.api.views, from which
the OpenAPI document is generated, and the API page that renders that document."""

from django.urls import path

from msoic.api import service, views

urlpatterns = [
    *service.urlpatterns(),
    path("docs/", views.docs, name="api-docs"),
]
