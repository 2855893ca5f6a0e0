from django.apps import AppConfig


class CollectionConfig(AppConfig):
    name = "msoic.collection"
    label = "collection"
    verbose_name = "Collection"
