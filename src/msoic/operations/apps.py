from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "msoic.operations"
    label = "operations"
    verbose_name = "Operations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from msoic.catalogue.loader import SOURCE_PROVIDERS
        from msoic.operations.catalogue import operation_sources

        if operation_sources not in SOURCE_PROVIDERS:
            SOURCE_PROVIDERS.append(operation_sources)
