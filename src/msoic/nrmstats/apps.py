from django.apps import AppConfig


class NrmStatsConfig(AppConfig):
    name = "msoic.nrmstats"
    label = "nrmstats"
    verbose_name = "National NRM statistics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The engine finds the national NRM figures through the registry of derived sources
        # (ADR 0011, 0014), and reports find the dates through the registry of dated facts,
        # never by importing this app.
        from msoic.metrics.dates import register as register_date
        from msoic.metrics.sources import register
        from msoic.nrmstats.source import FALL_QUARTER, NRM_SOURCE, RISING_SINCE

        register(NRM_SOURCE)
        register_date(RISING_SINCE)
        register_date(FALL_QUARTER)
