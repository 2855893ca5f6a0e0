from django.apps import AppConfig


class TaskingConfig(AppConfig):
    name = "msoic.tasking"
    label = "tasking"
    verbose_name = "CCA tasking tracker"
    default_auto_field = "django.db.models.BigAutoField"
