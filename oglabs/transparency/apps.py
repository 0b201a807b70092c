from django.apps import AppConfig


class TransparencyConfig(AppConfig):
    name = "oglabs.transparency"
    label = "transparency"
