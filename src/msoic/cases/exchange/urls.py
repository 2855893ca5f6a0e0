"""URLs of the HTCDS exchange (included by :mod:`msoic.cases.urls`). None takes an object
id: the force is the user's own, and the investigation an import goes to is named in the
form and looked up in that force."""

from django.urls import path

from msoic.cases.exchange import views

urlpatterns = [
    path("htcds/", views.htcds_exchange, name="cases-htcds"),
    path("htcds/export/", views.htcds_export, name="cases-htcds-export"),
    path("htcds/import/", views.htcds_import, name="cases-htcds-import"),
]
