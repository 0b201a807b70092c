from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "oglabs.backoffice"
    label = "backoffice"
