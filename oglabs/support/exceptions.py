"""What the support services refuse, each with a German message for the person acting."""

from __future__ import annotations


class SupportError(Exception):
    """Base class; ``str(error)`` is the German message shown to the user."""


class InvalidInput(SupportError):
    """Input that fails validation; ``errors`` maps a field name to German messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__(
            "Bitte prüfen Sie Ihre Angaben: "
            + " ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items())
        )


class QuestionStateError(SupportError):
    """The question is not in a state that allows the action."""


class QuestionNotFound(SupportError):
    def __init__(self) -> None:
        super().__init__("Diese Rückfrage gibt es nicht.")


class WorkshopNotFound(SupportError):
    def __init__(self) -> None:
        super().__init__("Diesen Workshop gibt es nicht, oder Ihr Konsortium ist nicht dazu eingeladen.")


class MaterialNotFound(WorkshopNotFound):
    def __init__(self) -> None:
        SupportError.__init__(self, "Dieses Material gibt es nicht, oder Sie haben keinen Zugriff darauf.")


class RegistrationNotFound(WorkshopNotFound):
    def __init__(self) -> None:
        SupportError.__init__(self, "Diese Anmeldung gibt es nicht, oder Sie haben keinen Zugriff darauf.")


class NotInvited(SupportError):
    def __init__(self) -> None:
        super().__init__("Ihr Konsortium ist zu diesem Workshop nicht eingeladen.")


class RegistrationClosed(SupportError):
    def __init__(self) -> None:
        super().__init__(
            "Der Workshop hat bereits begonnen; Anmeldungen und Abmeldungen sind nicht mehr möglich."
        )


class AlreadyCancelled(SupportError):
    def __init__(self) -> None:
        super().__init__("Diese Anmeldung ist bereits storniert.")


class NothingToInvite(SupportError):
    def __init__(self) -> None:
        super().__init__("Es gibt keine förderfähigen Konsortien, die noch nicht eingeladen sind.")
