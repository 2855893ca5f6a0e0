from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _load_after_migrate(sender: Any, **kwargs: Any) -> None:
    from msoic.assurance.loader import load_shipped_frameworks
    from msoic.assurance.support import load_offers

    load_shipped_frameworks(actor="migrate")
    load_offers(actor="migrate")


class AssuranceConfig(AppConfig):
    name = "msoic.assurance"
    label = "assurance"
    verbose_name = "Assurance: benchmarking"

    def ready(self) -> None:
        post_migrate.connect(
            _load_after_migrate, sender=self, dispatch_uid="msoic-assurance-frameworks"
        )
        # Forces benchmarked and the framework's standards are counted from the campaigns:
        # the engine finds them through the registry of derived sources (ADR 0011), never by
        # importing this app.
        from msoic.assurance.source import BENCHMARKING_SOURCE
        from msoic.metrics.sources import register

        register(BENCHMARKING_SOURCE)
