from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "msoic.cases"
    label = "cases"
    verbose_name = "Investigation register"
    default_auto_field = "django.db.models.BigAutoField"
