from django.apps import AppConfig


class OrgUnitsConfig(AppConfig):
    name = "msoic.orgunits"
    label = "orgunits"
    verbose_name = "Organisational units"
