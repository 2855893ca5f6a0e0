"""URLs of the investigation register (mounted at /investigations/). Other parts of the
register (import and HTCDS exchange, cleanse, PNC marker, NRM picture) add their own
patterns below with one ``include`` each."""

from django.urls import path

from msoic.cases import views

urlpatterns = [
    path("", views.hub, name="investigations"),
]
