from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "oglabs.accounts"
    label = "accounts"

    def ready(self) -> None:
        from oglabs.accounts import signals  # noqa: F401  # registers the receivers
