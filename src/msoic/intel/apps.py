from django.apps import AppConfig


class IntelConfig(AppConfig):
    name = "msoic.intel"
    label = "intel"
    verbose_name = "Intelligence logs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Tagged logs (for forces that send extracts) and the unit's reviews are counted from
        # the logs: the engine finds them through the registry of derived sources (ADR 0011).
        from msoic.intel.dates import HASHTAG_FIRST_LOG
        from msoic.intel.source import INTEL_SOURCE
        from msoic.metrics.dates import register as date_register
        from msoic.metrics.sources import register

        register(INTEL_SOURCE)
        date_register(HASHTAG_FIRST_LOG)  # its dates, for reports (msoic.metrics.dates)
