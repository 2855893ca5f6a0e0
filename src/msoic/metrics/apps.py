from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "msoic.metrics"
    label = "metrics"
