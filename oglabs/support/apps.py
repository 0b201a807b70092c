from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "oglabs.support"
    label = "support"
