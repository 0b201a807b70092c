"""What the transparency services refuse, each with a German message for the person acting."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from oglabs.calls.timeline import BERLIN


class TransparencyError(Exception):
    """Base class; ``str(error)`` is the German message shown to the user."""


class SecondPersonRequired(TransparencyError):
    def __init__(self) -> None:
        super().__init__(
            "Vier-Augen-Prinzip: Die Schwärzungen muss eine andere Person bestätigen oder zurückgeben "
            "als die, die den Text vorbereitet oder die Schwärzungen gesetzt hat."
        )


class TextNotAwaitingConfirmation(TransparencyError):
    def __init__(self, status_label: str) -> None:
        super().__init__(
            f"Dieser Text wartet nicht auf eine Bestätigung (Stand: {status_label}). Bestätigt oder "
            "zurückgegeben werden nur Texte, deren Schwärzungen gesetzt und noch nicht geprüft sind."
        )


class TextOutdated(TransparencyError):
    def __init__(self) -> None:
        super().__init__(
            "Die Begründung wurde geändert, nachdem sie zur Schwärzung vorbereitet wurde. Bitte bereiten "
            "Sie die Veröffentlichung erneut vor."
        )


class InvalidMarks(TransparencyError):
    def __init__(self, detail: str = "") -> None:
        message = "Die Schwärzungen passen nicht zum Text. Bitte laden Sie die Seite neu und versuchen Sie es erneut."
        super().__init__(f"{message} ({detail})" if detail else message)


class NoteRequired(TransparencyError):
    def __init__(self) -> None:
        super().__init__("Bitte schreiben Sie dazu, was an den Schwärzungen geändert werden soll.")


class AlreadyPublished(TransparencyError):
    def __init__(self, published_at: datetime) -> None:
        local = published_at.astimezone(BERLIN)
        super().__init__(f"Die Entscheidung ist bereits veröffentlicht (am {local:%d.%m.%Y, %H:%M} Uhr).")


class PublicationNotReady(TransparencyError):
    def __init__(self, missing: Sequence[str]) -> None:
        self.missing = list(missing)
        super().__init__("Die Entscheidung kann noch nicht veröffentlicht werden: " + " ".join(self.missing))


class DeadlineNotPassed(TransparencyError):
    def __init__(self, deadline_at: datetime) -> None:
        local = deadline_at.astimezone(BERLIN)
        super().__init__(
            f"Die Frist endet erst am {local:%d.%m.%Y, %H:%M:%S} Uhr (Berliner Zeit); das Fristsiegel "
            "wird danach berechnet."
        )


class NoDeadline(TransparencyError):
    def __init__(self, label: str) -> None:
        super().__init__(f"Für diesen Aufruf ist keine {label} festgelegt.")


class VersionHashMismatch(TransparencyError):
    def __init__(self, reference: str) -> None:
        super().__init__(
            f"Der gespeicherte Hashwert der Fassung von {reference} passt nicht zu ihrem Inhalt. "
            "Das Fristsiegel wird nicht berechnet; bitte prüfen Sie die Daten."
        )
