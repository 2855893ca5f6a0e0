from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import pre_save


class AuditConfig(AppConfig):
    name = "msoic.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from msoic.audit import checks  # noqa: F401  (registers the system checks)
        from msoic.audit.maintenance import keep_stored_row_on_raw_save, register_sqlite_function
        from msoic.audit.models import AuditEvent

        connection_created.connect(
            register_sqlite_function, dispatch_uid="msoic-audit-sqlite-maintenance-flag"
        )
        pre_save.connect(
            keep_stored_row_on_raw_save,
            sender=AuditEvent,
            dispatch_uid="msoic-audit-keep-stored-row-on-raw-save",
        )
