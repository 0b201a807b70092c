"""What the review services refuse, each with a German message for the person acting.

``str(error)`` is the message; a view shows it as it is. A refused call changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence


class ReviewError(Exception):
    """Base class; ``str(error)`` is the German message shown to the user."""


class NotStaff(ReviewError):
    def __init__(self) -> None:
        super().__init__("Dies darf nur das Programmteam.")


class InvalidSettings(ReviewError):
    def __init__(self, message: str) -> None:
        super().__init__(message)


class CriteriaLocked(ReviewError):
    """Criteria cannot change once a juror has scored a proposal."""

    def __init__(self) -> None:
        super().__init__(
            "Die Kriterien können nicht mehr geändert werden, weil bereits Bewertungen vorliegen. "
            "Sonst würden Gutachten nach unterschiedlichen Maßstäben verglichen."
        )


class CriteriaExist(ReviewError):
    def __init__(self) -> None:
        super().__init__(
            "Für diesen Aufruf sind bereits Kriterien angelegt. Die Standardkriterien werden nur für "
            "einen Aufruf ohne Kriterien übernommen."
        )


class InvalidCriterion(ReviewError):
    """A criterion that fails validation; ``errors`` maps a field to German messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__(
            "Bitte prüfen Sie das Kriterium: " + " ".join(" ".join(messages) for messages in errors.values())
        )


class CriterionOfOtherCall(ReviewError):
    def __init__(self) -> None:
        super().__init__("Dieses Kriterium gehört zu einem anderen Aufruf.")


class NotAJuror(ReviewError):
    def __init__(self) -> None:
        super().__init__(
            "Diese Person hat nicht die Rolle „Jury“. Bitte vergeben Sie zuerst die Rolle, dann "
            "können Sie sie in die Jury aufnehmen."
        )


class AlreadyJuror(ReviewError):
    def __init__(self) -> None:
        super().__init__("Diese Person gehört bereits zur Jury dieses Aufrufs.")


class InvalidJuror(ReviewError):
    def __init__(self, message: str) -> None:
        super().__init__(message)


class JurorHasSubmittedReviews(ReviewError):
    def __init__(self, count: int) -> None:
        self.count = count
        noun = "Gutachten" if count != 1 else "ein Gutachten"
        amount = f"{count} {noun}" if count != 1 else noun
        super().__init__(
            f"Dieses Jurymitglied hat bereits {amount} abgegeben und kann deshalb nicht mehr aus der "
            "Jury entfernt werden."
        )


class ConflictReasonMissing(ReviewError):
    def __init__(self, references: Sequence[str]) -> None:
        self.references = tuple(references)
        super().__init__(
            "Bitte begründen Sie jede Befangenheit kurz. Es fehlt eine Begründung für: "
            + ", ".join(self.references)
            + "."
        )


class ProposalNotInCompetition(ReviewError):
    def __init__(self, reference: str) -> None:
        self.reference = reference
        super().__init__(
            f"Die Interessenbekundung {reference} ist nicht im Teilnahmewettbewerb dieses Aufrufs."
        )


class OverrideNotAllowed(ReviewError):
    def __init__(self, message: str) -> None:
        super().__init__(message)


class OverrideReasonMissing(ReviewError):
    def __init__(self) -> None:
        super().__init__(
            "Bitte begründen Sie schriftlich, warum die automatisch erkannte Befangenheit nicht besteht."
        )


class AssignmentImpossible(ReviewError):
    """The request cannot be met; ``messages`` name the proposals and how many jurors are short."""

    def __init__(self, messages: Sequence[str]) -> None:
        self.messages = tuple(messages)
        super().__init__("Die Zuordnung ist so nicht möglich. " + " ".join(self.messages))


class NothingToAssign(ReviewError):
    def __init__(self, message: str) -> None:
        super().__init__(message)


class JurorConflicted(ReviewError):
    def __init__(self, reference: str) -> None:
        self.reference = reference
        super().__init__(
            f"Dieses Jurymitglied ist bei der Interessenbekundung {reference} befangen und darf sie "
            "nicht begutachten."
        )


class DeclarationMissing(ReviewError):
    def __init__(self) -> None:
        super().__init__(
            "Dieses Jurymitglied hat seine Befangenheiten noch nicht erklärt. Erst danach können ihm "
            "Interessenbekundungen zugeordnet werden."
        )


class LoadExceeded(ReviewError):
    def __init__(self, max_load: int) -> None:
        self.max_load = max_load
        super().__init__(
            f"Dieses Jurymitglied hat bereits die Höchstzahl von {max_load} Gutachten. Erhöhen Sie die "
            "Höchstzahl in den Einstellungen oder ordnen Sie jemand anderen zu."
        )


class AlreadyAssigned(ReviewError):
    def __init__(self, reference: str) -> None:
        self.reference = reference
        super().__init__(f"Dieses Jurymitglied begutachtet die Interessenbekundung {reference} bereits.")


class ReviewAlreadySubmitted(ReviewError):
    def __init__(self) -> None:
        super().__init__(
            "Dieses Gutachten ist bereits abgegeben. Abgegebene Gutachten sind endgültig und können "
            "weder geändert noch entfernt werden."
        )


class NotYourReview(ReviewError):
    def __init__(self) -> None:
        super().__init__("Dieses Gutachten gibt es nicht, oder es ist nicht Ihres.")


class InvalidScores(ReviewError):
    """Scores that fail validation; ``errors`` maps a criterion key (or ``__all__``) to messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__(
            "Bitte prüfen Sie Ihre Bewertung: " + " ".join(" ".join(messages) for messages in errors.values())
        )


class NoCriteria(ReviewError):
    def __init__(self) -> None:
        super().__init__(
            "Für diesen Aufruf sind noch keine Kriterien festgelegt; es kann noch nicht bewertet werden."
        )


class NoOpenReviews(ReviewError):
    def __init__(self) -> None:
        super().__init__("Es gibt keine offenen Gutachten; niemand muss erinnert werden.")


class NotYourSeat(ReviewError):
    def __init__(self) -> None:
        super().__init__("Befangenheiten kann nur das Jurymitglied selbst erklären.")
