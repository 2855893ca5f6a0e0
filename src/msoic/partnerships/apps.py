from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "msoic.partnerships"
    label = "partnerships"
    verbose_name = "Anti-slavery partnerships"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Partnership coverage is counted from the memberships: the engine finds the figure
        # through the registry of derived sources (ADR 0011), never by importing this app.
        from msoic.metrics.sources import register
        from msoic.partnerships.source import COVERAGE_SOURCE

        register(COVERAGE_SOURCE)
