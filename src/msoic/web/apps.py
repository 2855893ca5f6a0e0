from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "msoic.web"
    label = "web"
