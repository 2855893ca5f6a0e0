from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "msoic.documents"
    label = "documents"
    verbose_name = "Documents produced"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Documents produced are counted from the library: the engine finds the figure
        # through the registry of derived sources (ADR 0011), never by importing this app.
        from msoic.documents.source import DOCUMENTS_SOURCE
        from msoic.metrics.sources import register

        register(DOCUMENTS_SOURCE)
