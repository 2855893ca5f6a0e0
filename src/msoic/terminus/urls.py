"""URLs of Project Terminus (mounted at /operations/terminus/)."""

from django.urls import path

from msoic.terminus import views

urlpatterns = [
    path("", views.terminus, name="terminus"),
]
