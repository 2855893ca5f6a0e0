"""URLs of the audit app (mounted at /audit/)."""

from django.urls import path

from msoic.audit import views

urlpatterns = [
    path("", views.audit_log, name="audit-log"),
]
