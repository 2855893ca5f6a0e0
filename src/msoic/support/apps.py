from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "msoic.support"
    label = "support"
    verbose_name = "Operations supported"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Operations supported and reparation orders are counted from the records: the
        # engine finds them through the registry of derived sources (ADR 0011), never by
        # importing this app.
        from msoic.metrics.sources import register
        from msoic.support.source import SUPPORT_SOURCE

        register(SUPPORT_SOURCE)
