"""URLs of the api app."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
