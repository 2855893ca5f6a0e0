from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _load_after_migrate(sender: Any, **kwargs: Any) -> None:
    from msoic.catalogue.loader import load_catalogue

    load_catalogue(actor="migrate")


class CatalogueConfig(AppConfig):
    name = "msoic.catalogue"
    label = "catalogue"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        post_migrate.connect(_load_after_migrate, sender=self, dispatch_uid="msoic-catalogue-load")
