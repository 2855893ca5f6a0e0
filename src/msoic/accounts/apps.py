from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "msoic.accounts"
    label = "accounts"
    verbose_name = "Users and access"
