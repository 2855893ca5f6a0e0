from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "msoic.cases"
    label = "cases"
    verbose_name = "Investigation register"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The register derives some forces' figures (direct data entry): the engine, the
        # pipeline and the return forms find it through the registry (ADR 0011).
        from msoic.cases.register.dde import REGISTER_SOURCE
        from msoic.metrics.sources import register

        register(REGISTER_SOURCE)
        # Its suspects and investigations are offered to record linkage (msoic.cps) the
        # same way, through the core: no feature app imports another.
        from msoic.cases.linkable import REGISTER_RECORDS
        from msoic.metrics import linkable

        linkable.register(REGISTER_RECORDS)
