"""URLs of API v1 (mounted at /api/v1/). Each one is described in msoic.api.openapi."""

from django.urls import path

from msoic.api import views

urlpatterns = [
    path("values", views.values, name="api-values"),
    path("series", views.series, name="api-series"),
    path("metrics", views.metrics, name="api-metrics"),
    path("returns", views.submit_return, name="api-returns"),
    path("submissions", views.submissions, name="api-submissions"),
    path("submissions/<int:pk>", views.submission_detail, name="api-submission"),
    path("openapi.json", views.openapi_json, name="api-openapi"),
    path("docs/", views.docs, name="api-docs"),
]
