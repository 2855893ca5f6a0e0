from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "msoic.support"
    label = "support"
    verbose_name = "Operations supported"
    default_auto_field = "django.db.models.BigAutoField"
