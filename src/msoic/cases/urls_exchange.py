"""URLs of the register's bulk import and the HTCDS exchange (included by
:mod:`msoic.cases.urls`). None takes an object id: the force is the user's own, and the
investigation an HTCDS import goes to is named in the form and looked up in that force."""

from django.urls import path

from msoic.cases import views_exchange

urlpatterns = [
    path("import/", views_exchange.register_import, name="cases-import"),
    path(
        "import/template.xlsx",
        views_exchange.register_import_template,
        name="cases-import-template",
    ),
    path("htcds/", views_exchange.htcds_exchange, name="cases-htcds"),
    path("htcds/export/", views_exchange.htcds_export, name="cases-htcds-export"),
    path("htcds/import/", views_exchange.htcds_import, name="cases-htcds-import"),
]
