from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    name = "msoic.programme"
    label = "programme"
    verbose_name = "Programme pillars"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The pillars and objectives in use are counted from these records: the engine finds
        # them through the registry of derived sources (ADR 0011), never by importing this app.
        from msoic.metrics.sources import register
        from msoic.programme.source import PROGRAMME_SOURCE

        register(PROGRAMME_SOURCE)
