from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "oglabs.audit"
    label = "audit"
