from django.apps import AppConfig


class TaskingConfig(AppConfig):
    name = "msoic.tasking"
    label = "tasking"
    verbose_name = "CCA tasking tracker"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Measures discharged and still open are counted from the progress records: the
        # engine finds them through the registry of derived sources (ADR 0011), never by
        # importing this app.
        from msoic.metrics.dates import register as date_register
        from msoic.metrics.sources import register
        from msoic.tasking.dates import TASKING_ISSUED
        from msoic.tasking.source import TASKING_SOURCE

        register(TASKING_SOURCE)
        date_register(TASKING_ISSUED)  # its dates, for reports (msoic.metrics.dates)
