"""URLs of operations (mounted at /operations/)."""

from django.urls import path

from msoic.operations import views

urlpatterns = [
    path("", views.hub, name="operations"),
    path("intensifications/", views.intensifications, name="operations-intensifications"),
    path("intensifications/new/", views.operation_new, name="operations-new"),
    path("intensifications/<int:pk>/", views.operation_detail, name="operations-detail"),
    path("intensifications/<int:pk>/edit/", views.operation_edit, name="operations-edit"),
]
