"""What the selection services refuse, each with a German message for the user. A refusal changes
nothing."""

from __future__ import annotations

from collections.abc import Mapping


class SelectionRefused(Exception):
    """Base class: ``str(error)`` is the German message shown to staff or applicants."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidParameters(SelectionRefused):
    """Rules that cannot be applied; ``errors`` maps parameter names to German messages."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("Die Auswahlregeln sind unvollständig oder ungültig: " + " ".join(errors.values()))
        self.errors = dict(errors)


class NoCandidates(SelectionRefused):
    def __init__(self) -> None:
        super().__init__(
            "Keine Interessenbekundung dieses Aufrufs ist im Teilnahmewettbewerb. Eine Auswahl ist erst "
            "möglich, wenn der Teilnahmewettbewerb begonnen hat."
        )


class AlreadyDecided(SelectionRefused):
    def __init__(self) -> None:
        super().__init__(
            "Für diesen Aufruf ist die Förderentscheidung bereits getroffen. Weitere Auswahlläufe und "
            "eine zweite Entscheidung sind nicht möglich."
        )


class RunNotProven(SelectionRefused):
    def __init__(self, status_label: str) -> None:
        super().__init__(
            f"Dieser Lauf hat den Status „{status_label}“. Entschieden werden kann nur ein Lauf, dessen "
            "Ergebnis als optimal bewiesen ist."
        )


class RunOutdated(SelectionRefused):
    def __init__(self, changes: str) -> None:
        super().__init__(
            "Seit diesem Lauf haben sich die Grundlagen der Auswahl geändert "
            f"({changes}). Bitte starten Sie einen neuen Lauf und entscheiden Sie auf dessen Grundlage."
        )


class ReasonsMissing(SelectionRefused):
    """A decision needs a reason for every proposal; ``missing`` holds the proposal ids without one."""

    def __init__(self, missing: list[int]) -> None:
        count = len(missing)
        what = "eine Interessenbekundung" if count == 1 else f"{count} Interessenbekundungen"
        super().__init__(
            f"Bitte geben Sie für jede Interessenbekundung eine Begründung an (fehlt für {what})."
        )
        self.missing = missing


class NotSelectedLab(SelectionRefused):
    def __init__(self, state_label: str) -> None:
        super().__init__(
            f"Die Interessenbekundung ist im Status „{state_label}“. Nachrücken lässt sich nur auslösen, "
            "wenn ein ausgewähltes Labor zurücktritt."
        )


class WithdrawalReasonMissing(SelectionRefused):
    def __init__(self) -> None:
        super().__init__("Bitte geben Sie einen Grund für den Rückzug an.")


class NoDecision(SelectionRefused):
    def __init__(self) -> None:
        super().__init__(
            "Diese Interessenbekundung ist nicht Teil einer Förderentscheidung mit Nachrückliste; "
            "ein Nachrücken ist daher nicht möglich."
        )
