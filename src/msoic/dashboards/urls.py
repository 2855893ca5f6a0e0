"""URLs of the dashboards app."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
