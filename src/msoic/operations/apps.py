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
        # The intensifications held are counted from the operation records: the engine finds
        # them through the registry of derived sources (ADR 0011), never by importing this app.
        from msoic.metrics.sources import register
        from msoic.operations.source import INTENSIFICATIONS_SOURCE

        register(INTENSIFICATIONS_SOURCE)
