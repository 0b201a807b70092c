from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "oglabs.public"
    label = "public"
