from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "oglabs.core"
    label = "core"
