from django.apps import AppConfig


class RuntimeConfig(AppConfig):
    name = "msoic.runtime"
    verbose_name = "Worker, scheduled tasks and backups"
