from django.apps import AppConfig


class CollectionConfig(AppConfig):
    name = "msoic.collection"
    label = "collection"
    verbose_name = "Collection"

    def ready(self) -> None:
        from msoic.collection import validation  # noqa: F401  (registers the rule checks)
