from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "msoic.dashboards"
    label = "dashboards"
