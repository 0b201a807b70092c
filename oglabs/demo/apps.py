from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "oglabs.demo"
    label = "demo"
    verbose_name = "Demo"
