from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "oglabs.monitoring"
    label = "monitoring"
