from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "msoic.web"
    label = "web"

    def ready(self) -> None:
        from msoic.web import checks  # noqa: F401  (registers the system checks)
