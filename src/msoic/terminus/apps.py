from django.apps import AppConfig


class TerminusConfig(AppConfig):
    name = "msoic.terminus"
    label = "terminus"
    verbose_name = "Project Terminus"
    default_auto_field = "django.db.models.BigAutoField"
