from django.apps import AppConfig
from django.db.backends.signals import connection_created


class AuditConfig(AppConfig):
    name = "msoic.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from msoic.audit import checks  # noqa: F401  (registers the system checks)
        from msoic.audit.maintenance import register_sqlite_function

        connection_created.connect(
            register_sqlite_function, dispatch_uid="msoic-audit-sqlite-maintenance-flag"
        )
