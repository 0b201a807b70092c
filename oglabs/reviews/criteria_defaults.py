"""The default criteria of the competition, derived from the aims of the 2019 call.

Weights sum to 100; every criterion is scored on the scale 0–10, so a review's weighted sum lies
between 0 and 1,000. No minimum scores by default (staff may set them per criterion).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class DefaultCriterion:
    key: str
    name: str
    description: str
    weight: Decimal
    scale_min: int = 0
    scale_max: int = 10


DEFAULT_CRITERIA: tuple[DefaultCriterion, ...] = (
    DefaultCriterion(
        key="zusammenarbeit",
        name="Qualität der Zusammenarbeit von Verwaltung, Politik und Zivilgesellschaft",
        description=(
            "Wie überzeugend ist angelegt, dass Kommunalverwaltung, Kommunalpolitik und "
            "Zivilgesellschaft im Labor gleichberechtigt zusammenarbeiten? Sind Rollen, Moderation, "
            "Interessenausgleich und Konfliktmanagement beschrieben?"
        ),
        weight=Decimal("25.00"),
    ),
    DefaultCriterion(
        key="laboraufgaben",
        name="Konkretheit und Überprüfbarkeit der Laboraufgaben",
        description=(
            "Sind die Laboraufgaben konkret, mit Indikatoren, Zielwerten und Terminen versehen, und "
            "ist beschrieben, wie ihre Erfüllung geprüft wird?"
        ),
        weight=Decimal("20.00"),
    ),
    DefaultCriterion(
        key="regionalbezug",
        name="Regionale Relevanz und Bezug zum ländlichen Raum",
        description=(
            "Greift das Labor eine drängende Herausforderung der Region auf (etwa Strukturwandel, "
            "Daseinsvorsorge, Digitalisierung) und stärkt es ländliche Räume?"
        ),
        weight=Decimal("20.00"),
    ),
    DefaultCriterion(
        key="zivilgesellschaft",
        name="Einbindung der Zivilgesellschaft",
        description=(
            "Wie stark und verbindlich sind zivilgesellschaftliche Partner beteiligt, und wie werden "
            "Bürgerinnen und Bürger über die Partner hinaus einbezogen?"
        ),
        weight=Decimal("15.00"),
    ),
    DefaultCriterion(
        key="uebertragbarkeit",
        name="Übertragbarkeit",
        description=(
            "Lassen sich Vorgehen und Ergebnisse auf andere Kommunen und Regionen übertragen, und "
            "ist vorgesehen, sie offen zu teilen?"
        ),
        weight=Decimal("10.00"),
    ),
    DefaultCriterion(
        key="wirtschaftlichkeit",
        name="Wirtschaftlichkeit",
        description=(
            "Steht der geschätzte Mittelbedarf in einem angemessenen Verhältnis zu den Aufgaben und "
            "der erwarteten Wirkung? Sind Eigenanteile oder Beteiligungen des Landes vorgesehen?"
        ),
        weight=Decimal("10.00"),
    ),
)
