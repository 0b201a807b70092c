from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "oglabs.mail"
    label = "mail"
