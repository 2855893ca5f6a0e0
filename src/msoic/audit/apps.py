from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "msoic.audit"
    label = "audit"
    verbose_name = "Audit log"
