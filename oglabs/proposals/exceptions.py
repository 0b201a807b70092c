"""What the proposal services refuse, each with a German message for the person acting."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from oglabs.calls.timeline import BERLIN
from oglabs.proposals.eligibility import Finding

if TYPE_CHECKING:
    from oglabs.proposals.models import ProposalVersion


class ProposalError(Exception):
    """Base class; ``str(error)`` is the German message shown to the user."""


class ProposalNotFound(ProposalError):
    def __init__(self) -> None:
        super().__init__("Diese Interessenbekundung gibt es nicht, oder Sie haben keinen Zugriff darauf.")


class CallClosed(ProposalError):
    def __init__(self, deadline_at: datetime | None) -> None:
        self.deadline_at = deadline_at
        if deadline_at is None:
            message = "Für diesen Aufruf werden derzeit keine Interessenbekundungen angenommen."
        else:
            local = deadline_at.astimezone(BERLIN)
            message = (
                "Die Frist ist abgelaufen: Interessenbekundungen wurden bis "
                f"{local:%d.%m.%Y, %H:%M:%S} Uhr (Berliner Zeit) angenommen."
            )
        super().__init__(message)


class NotEditable(ProposalError):
    def __init__(self, state_label: str) -> None:
        super().__init__(
            f"Die Interessenbekundung ist im Status „{state_label}“ und kann nicht mehr geändert werden."
        )


class EditConflict(ProposalError):
    """Someone else saved first. The refused content is kept as a version, so nothing is lost."""

    def __init__(self, kept: ProposalVersion) -> None:
        self.kept = kept
        super().__init__(
            "Jemand anderes aus Ihrem Konsortium hat diesen Abschnitt inzwischen gespeichert. Ihre "
            f"Änderungen wurden nicht übernommen, aber als Version {kept.number} aufbewahrt. Bitte laden "
            "Sie die Seite neu, prüfen Sie den aktuellen Stand und übernehmen Sie Ihre Änderungen erneut."
        )


class SubmissionRefused(ProposalError):
    def __init__(self, findings: Sequence[Finding]) -> None:
        self.findings = [finding for finding in findings if not finding.met]
        super().__init__(
            "Die Interessenbekundung kann noch nicht eingereicht werden: "
            + " ".join(finding.message for finding in self.findings)
        )


class TransitionNotAllowed(ProposalError):
    def __init__(self, source_label: str, target_label: str) -> None:
        super().__init__(f"Ein Wechsel von „{source_label}“ zu „{target_label}“ ist nicht möglich.")


class InvalidContent(ProposalError):
    """Content that fails validation; ``errors`` maps a field path to German messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__(
            "Bitte prüfen Sie Ihre Angaben: "
            + " ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items())
        )


class InvitationInvalid(ProposalError):
    def __init__(self) -> None:
        super().__init__("Dieser Einladungslink ist ungültig oder wurde bereits verwendet.")


class AttachmentNotFound(ProposalNotFound):
    """An attachment that does not exist or belongs to a proposal the person is not a member of."""

    def __init__(self) -> None:
        ProposalError.__init__(self, "Diese Anlage gibt es nicht, oder Sie haben keinen Zugriff darauf.")


class ConfirmationInvalid(ProposalError):
    def __init__(self) -> None:
        super().__init__(
            "Dieser Bestätigungslink ist ungültig oder wurde bereits verwendet. Bitte wenden Sie sich "
            "an das Konsortium, das Sie als Partner benannt hat."
        )
