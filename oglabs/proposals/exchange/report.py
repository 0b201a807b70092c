"""What an import did or refused: errors per record and field, imported proposals, contacts."""

from __future__ import annotations

from dataclasses import dataclass, field

from oglabs.proposals.states import ProposalState


@dataclass(frozen=True)
class ImportIssue:
    """One error. ``record`` counts from 1 (``None``: the file as a whole)."""

    record: int | None
    reference: str
    field: str
    message: str

    def __str__(self) -> str:
        where = "Datei" if self.record is None else f"Datensatz {self.record}"
        if self.reference:
            where += f" ({self.reference})"
        if self.field:
            where += f", Feld „{self.field}“"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class ImportedProposal:
    record: int
    reference: str
    title: str
    state: str
    version: int | None = None
    sha256: str = ""
    linked_contacts: tuple[str, ...] = ()


@dataclass(frozen=True)
class UnlinkedContact:
    """A contact without an account: recorded, not linked, no account created."""

    record: int
    reference: str
    email: str


@dataclass
class ImportReport:
    call: str
    dry_run: bool = False
    records: int = 0
    errors: list[ImportIssue] = field(default_factory=list)
    imported: list[ImportedProposal] = field(default_factory=list)
    unlinked_contacts: list[UnlinkedContact] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def saved(self) -> bool:
        """Whether the proposals are in the database now."""
        return self.ok and not self.dry_run


def format_report(report: ImportReport) -> str:
    """The report as German text for the command line."""
    lines = [f"Import in den Aufruf „{report.call}“: {report.records} Datensätze gelesen."]
    if report.errors:
        lines.append(f"{len(report.errors)} Fehler – nichts wurde importiert:")
        lines.extend(f"  {issue}" for issue in report.errors)
        return "\n".join(lines) + "\n"
    if report.dry_run:
        lines.append(
            f"Probelauf: {len(report.imported)} Interessenbekundungen sind fehlerfrei; nichts wurde gespeichert."
        )
    else:
        lines.append(f"{len(report.imported)} Interessenbekundungen importiert:")
    for item in report.imported:
        state = str(ProposalState(item.state).label)
        version = f", Version {item.version}, SHA-256 {item.sha256}" if item.version else ""
        lines.append(f"  Datensatz {item.record}: {item.reference} „{item.title}“ ({state}{version})")
    if report.unlinked_contacts:
        lines.append("Kontakte ohne Benutzerkonto (nicht verknüpft, kein Konto angelegt):")
        lines.extend(
            f"  Datensatz {item.record} ({item.reference}): {item.email}" for item in report.unlinked_contacts
        )
    return "\n".join(lines) + "\n"
