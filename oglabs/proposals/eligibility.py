"""The call's eligibility rules, checked rule by rule. Pure: no Django, plain data in and out.

Each rule yields one ``Finding`` with a stable code, whether it is met, and a German message
that says what is missing. Submission is refused while any finding is unmet; staff see the same
findings in the formal check.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

KIND_LABELS = {"stadt": "Stadt", "gemeinde": "Gemeinde", "landkreis": "Landkreis"}


@dataclass(frozen=True)
class Rules:
    """A call's eligibility rules (``calls.EligibilityRules`` as plain data)."""

    allowed_kinds: frozenset[str] = frozenset(KIND_LABELS)
    min_municipalities: int = 1
    min_civil_society_partners: int = 1
    requires_tasks: bool = True
    requires_cost_estimate: bool = True


@dataclass(frozen=True)
class Task:
    title: str
    indicator: str
    target_value: str
    due_within_funding_period: bool
    verification: str

    @property
    def is_verifiable(self) -> bool:
        return (
            all(value.strip() for value in (self.title, self.indicator, self.target_value, self.verification))
            and self.due_within_funding_period
        )


@dataclass(frozen=True)
class Facts:
    """What the rules look at in a proposal."""

    lead_kind: str | None
    municipality_kinds: tuple[str, ...] = ()  # every municipality of the consortium, lead included
    partner_kinds: tuple[str, ...] = ()
    tasks: tuple[Task, ...] = ()
    requested_total: Decimal = Decimal("0")
    budget_line_count: int = 0
    missing_texts: tuple[str, ...] = field(default=())  # labels of required text fields left empty


@dataclass(frozen=True)
class Finding:
    code: str
    met: bool
    message: str


def _allowed(kinds: Iterable[str]) -> str:
    labels = [KIND_LABELS.get(kind, kind) for kind in sorted(kinds, key=list(KIND_LABELS).index)]
    return ", ".join(labels)


def check_eligibility(rules: Rules, facts: Facts) -> list[Finding]:
    """All findings, in a fixed order: one per rule."""
    findings: list[Finding] = []

    if facts.lead_kind is None:
        findings.append(Finding("lead", False, "Es ist keine federführende Kommune (Träger) angegeben."))
    elif facts.lead_kind not in rules.allowed_kinds:
        findings.append(
            Finding(
                "lead",
                False,
                f"Die federführende Kommune ist ein(e) {KIND_LABELS.get(facts.lead_kind, facts.lead_kind)}; "
                f"antragsberechtigt sind: {_allowed(rules.allowed_kinds)}.",
            )
        )
    else:
        findings.append(Finding("lead", True, "Die federführende Kommune ist antragsberechtigt."))

    count = len(facts.municipality_kinds)
    findings.append(
        Finding(
            "municipalities",
            count >= rules.min_municipalities,
            f"Das Konsortium umfasst {count} Kommune(n); erforderlich sind mindestens {rules.min_municipalities}.",
        )
    )

    civil = sum(1 for kind in facts.partner_kinds if kind == "civil_society")
    findings.append(
        Finding(
            "civil_society",
            civil >= rules.min_civil_society_partners,
            f"Es sind {civil} zivilgesellschaftliche(r) Partner angegeben; erforderlich sind mindestens "
            f"{rules.min_civil_society_partners}.",
        )
    )

    if rules.requires_tasks:
        if not facts.tasks:
            findings.append(Finding("tasks", False, "Es ist keine Laboraufgabe angegeben."))
        else:
            incomplete = [
                task.title or f"Aufgabe {n}"
                for n, task in enumerate(facts.tasks, 1)
                if not task.is_verifiable
            ]
            if incomplete:
                findings.append(
                    Finding(
                        "tasks",
                        False,
                        "Nicht jede Laboraufgabe ist nachprüfbar (Indikator, Zielwert, Termin im Förderzeitraum "
                        "und Art der Prüfung fehlen): " + "; ".join(incomplete) + ".",
                    )
                )
            else:
                findings.append(
                    Finding("tasks", True, f"{len(facts.tasks)} nachprüfbare Laboraufgabe(n) angegeben.")
                )

    if rules.requires_cost_estimate:
        has_estimate = facts.budget_line_count > 0 and facts.requested_total > 0
        findings.append(
            Finding(
                "cost_estimate",
                has_estimate,
                "Eine Schätzung des Mittelbedarfs liegt vor."
                if has_estimate
                else "Es fehlt eine Schätzung des Mittelbedarfs (mindestens ein Betrag größer als 0 €).",
            )
        )

    if facts.missing_texts:
        findings.append(
            Finding("texts", False, "Folgende Angaben fehlen noch: " + ", ".join(facts.missing_texts) + ".")
        )
    else:
        findings.append(Finding("texts", True, "Alle Pflichtangaben sind ausgefüllt."))
    return findings


def is_eligible(findings: Iterable[Finding]) -> bool:
    return all(finding.met for finding in findings)
