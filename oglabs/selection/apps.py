from django.apps import AppConfig


class SelectionConfig(AppConfig):
    name = "oglabs.selection"
    label = "selection"
