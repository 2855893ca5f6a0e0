from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "msoic.demo"
    label = "demo"
