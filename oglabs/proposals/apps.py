from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "oglabs.proposals"
    label = "proposals"
