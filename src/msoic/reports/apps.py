from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "msoic.reports"
    label = "reports"
    verbose_name = "Reports built from records"
    default_auto_field = "django.db.models.BigAutoField"
