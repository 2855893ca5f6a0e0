from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "msoic.accounts"
    label = "accounts"
    verbose_name = "Users and access"

    def ready(self) -> None:
        from msoic.accounts import checks  # noqa: F401  (registers the system checks)
