from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "oglabs.calls"
    label = "calls"
