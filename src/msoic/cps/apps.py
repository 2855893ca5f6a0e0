from django.apps import AppConfig


class CpsConfig(AppConfig):
    name = "msoic.cps"
    label = "cps"
    verbose_name = "CPS outcomes and linkage"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The attrition funnel is counted from linked records: the engine finds it through
        # the registry of derived sources (ADR 0011), never by importing this app.
        from msoic.cps.source import FUNNEL_SOURCE
        from msoic.metrics.sources import register

        register(FUNNEL_SOURCE)
