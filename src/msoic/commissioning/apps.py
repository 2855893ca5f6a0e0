from django.apps import AppConfig


class CommissioningConfig(AppConfig):
    name = "msoic.commissioning"
    label = "commissioning"
    verbose_name = "Commissioning and funding allocations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Approved bids, funding envelopes and allocations are counted from the records: the
        # engine finds them through the registry of derived sources (ADR 0011), never by
        # importing this app.
        from msoic.commissioning.dates import ALLOCATIONS_END
        from msoic.commissioning.source import COMMISSIONING_SOURCE
        from msoic.metrics.dates import register as date_register
        from msoic.metrics.sources import register

        register(COMMISSIONING_SOURCE)
        date_register(ALLOCATIONS_END)  # its dates, for reports (msoic.metrics.dates)
