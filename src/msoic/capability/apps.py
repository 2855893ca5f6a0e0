from django.apps import AppConfig


class CapabilityConfig(AppConfig):
    name = "msoic.capability"
    label = "capability"
    verbose_name = "Training and events"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Training figures are counted from attendance: the engine finds them through the
        # registry of derived sources (ADR 0011), never by importing this app.
        from msoic.capability import checks  # noqa: F401  (registers the system checks)
        from msoic.capability.dates import EVENT_HELD
        from msoic.capability.source import TRAINING_SOURCE
        from msoic.metrics.dates import register as date_register
        from msoic.metrics.sources import register

        register(TRAINING_SOURCE)
        date_register(EVENT_HELD)  # its dates, for reports (msoic.metrics.dates)
