from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "oglabs.portal"
    label = "portal"
