from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "msoic.api"
    label = "api"
