from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "msoic.referrals"
    label = "referrals"
    verbose_name = "Organ-harvesting referrals and the SPOC network"
    default_auto_field = "django.db.models.BigAutoField"
