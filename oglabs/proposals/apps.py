from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "oglabs.proposals"
    label = "proposals"

    def ready(self) -> None:
        from oglabs.proposals import receipt  # noqa: F401  # registers the receipt renderer for mail
