from django.apps import AppConfig


class CommissioningConfig(AppConfig):
    name = "msoic.commissioning"
    label = "commissioning"
    verbose_name = "Commissioning and funding allocations"
    default_auto_field = "django.db.models.BigAutoField"
