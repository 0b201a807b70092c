from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "oglabs.api"
    label = "api"
