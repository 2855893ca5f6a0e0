"""URLs of the programme's pillars (mounted at /programme/)."""

from django.urls import path

from msoic.programme import views

urlpatterns = [
    path("", views.pillars, name="programme-pillars"),
    path("pillars/<slug:code>/", views.pillar_edit, name="programme-pillar-edit"),
]
