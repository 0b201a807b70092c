"""One selection run as rows for the screens and the command, and two runs side by side.

A run's rows are in the published ranking (score descending, then the published order); each row
carries the outcome of the optimum and, beside it, the outcome of CONSUL's greedy rule on the same
input. Everything is read from the run's stored JSON: no query beyond loading the run itself.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from oglabs.selection.models import Outcome, SelectionRun
from oglabs.selection.optimiser import Result, Rules, format_eur, format_number
from oglabs.selection.serialise import result_from_json, rules_from_json


@dataclass(frozen=True)
class Totals:
    total_score: Decimal
    total_granted: Decimal
    count: int
    rural: int
    #: (Land name, number of labs), by name.
    per_state: tuple[tuple[str, int], ...]

    @property
    def rural_share_percent(self) -> Decimal | None:
        if self.count == 0:
            return None
        return (Decimal(100 * self.rural) / self.count).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class RunRow:
    proposal_id: int
    reference: str
    title: str
    municipality: str
    state_name: str
    rural: bool
    score: Decimal
    requested: Decimal
    rank: int
    outcome: Outcome
    granted: Decimal
    waitlist_position: int | None
    explanation: str
    needed_score: Decimal | None
    greedy_outcome: Outcome
    greedy_granted: Decimal


@dataclass(frozen=True)
class RunView:
    run: SelectionRun
    result: Result
    greedy: Result
    rows: tuple[RunRow, ...]  # the published ranking: score descending, then the published order
    totals: Totals
    greedy_totals: Totals
    rules: Rules
    excluded_count: int
    aggregation: dict[str, Any] = field(default_factory=dict)

    @property
    def selected(self) -> list[RunRow]:
        return [row for row in self.rows if row.outcome == Outcome.SELECTED]

    @property
    def waitlist(self) -> list[RunRow]:
        return sorted(
            (row for row in self.rows if row.outcome == Outcome.WAITLISTED),
            key=lambda row: row.waitlist_position or 0,
        )

    @property
    def not_selected(self) -> list[RunRow]:
        return [row for row in self.rows if row.outcome == Outcome.NOT_SELECTED]

    @property
    def alpha(self) -> Decimal | None:
        """Krippendorff's alpha of the jury at the time of the run (stored as a string)."""
        value = self.aggregation.get("alpha")
        return None if value is None else Decimal(value)

    @property
    def shown_rules(self) -> RulesShown:
        return rules_shown(self.rules)

    @property
    def score_difference(self) -> Decimal:
        """How much more total score the optimum has than CONSUL's greedy rule (never negative)."""
        return self.result.total_score - self.greedy.total_score

    @property
    def differs_from_greedy(self) -> list[RunRow]:
        return [
            row
            for row in self.rows
            if (row.outcome == Outcome.SELECTED) != (row.greedy_outcome == Outcome.SELECTED)
        ]


def _outcomes(result: Result) -> tuple[dict[str, Decimal], dict[str, int]]:
    granted = {grant.id: grant.granted for grant in result.selected}
    waitlist = {cid: position for position, cid in enumerate(result.waitlist, start=1)}
    return granted, waitlist


def _outcome(cid: str, granted: dict[str, Decimal], waitlist: dict[str, int]) -> Outcome:
    if cid in granted:
        return Outcome.SELECTED
    if cid in waitlist:
        return Outcome.WAITLISTED
    return Outcome.NOT_SELECTED


def _totals(result: Result, proposals: dict[str, dict[str, Any]]) -> Totals:
    ids = [grant.id for grant in result.selected]
    per_state = Counter(proposals[cid]["state_name"] or "–" for cid in ids)
    return Totals(
        total_score=result.total_score,
        total_granted=result.total_granted,
        count=len(ids),
        rural=sum(1 for cid in ids if proposals[cid]["rural"]),
        per_state=tuple(sorted(per_state.items())),
    )


def _explanation_text(
    cid: str, result: Result, excluded: dict[str, dict[str, Any]]
) -> tuple[str, Decimal | None]:
    if cid in excluded:
        return str(excluded[cid]["text"]), None
    explanation = result.explanations.get(cid)
    if explanation is None:
        return "", None
    return explanation.text, explanation.needed_score


def view_of(run: SelectionRun, *, result: Result | None = None, greedy: Result | None = None) -> RunView:
    """The run as rows in the published ranking, with the greedy result beside each row."""
    result = result or result_from_json(run.result)
    greedy = greedy or result_from_json(run.greedy_result)
    proposals: dict[str, dict[str, Any]] = run.inputs["proposals"]
    excluded = {item["id"]: item for item in run.inputs["excluded"]}
    granted, waitlist = _outcomes(result)
    greedy_granted, greedy_waitlist = _outcomes(greedy)
    order = sorted(proposals, key=lambda cid: (-Decimal(proposals[cid]["score"]), proposals[cid]["position"]))
    rows = []
    for rank, cid in enumerate(order, start=1):
        info = proposals[cid]
        text, needed = _explanation_text(cid, result, excluded)
        rows.append(
            RunRow(
                proposal_id=int(cid),
                reference=info["reference"],
                title=info["title"],
                municipality=info["municipality"],
                state_name=info["state_name"],
                rural=bool(info["rural"]),
                score=Decimal(info["score"]),
                requested=Decimal(info["requested"]),
                rank=rank,
                outcome=_outcome(cid, granted, waitlist),
                granted=granted.get(cid, Decimal("0.00")),
                waitlist_position=waitlist.get(cid),
                explanation=text,
                needed_score=needed,
                greedy_outcome=_outcome(cid, greedy_granted, greedy_waitlist),
                greedy_granted=greedy_granted.get(cid, Decimal("0.00")),
            )
        )
    return RunView(
        run=run,
        result=result,
        greedy=greedy,
        rows=tuple(rows),
        totals=_totals(result, proposals),
        greedy_totals=_totals(greedy, proposals),
        rules=rules_from_json(run.parameters),
        excluded_count=len(excluded),
        aggregation=run.aggregation,
    )


# --------------------------------------------------------------------------------------------------
# Comparing two runs


@dataclass(frozen=True)
class CompareRow:
    proposal_id: int
    reference: str
    title: str
    state_name: str
    rural: bool
    outcome_a: Outcome | None  # None: not part of that run
    granted_a: Decimal
    score_a: Decimal | None
    outcome_b: Outcome | None
    granted_b: Decimal
    score_b: Decimal | None

    @property
    def changed(self) -> bool:
        return (self.outcome_a, self.granted_a) != (self.outcome_b, self.granted_b)


@dataclass(frozen=True)
class Comparison:
    a: RunView
    b: RunView
    rows: tuple[CompareRow, ...]

    @property
    def changed_count(self) -> int:
        return sum(1 for row in self.rows if row.changed)

    @property
    def both_rules(self) -> tuple[RulesShown, RulesShown]:
        return (self.a.shown_rules, self.b.shown_rules)

    @property
    def all_totals(self) -> tuple[Totals, Totals, Totals, Totals]:
        """Run A, greedy A, run B, greedy B."""
        return (self.a.totals, self.a.greedy_totals, self.b.totals, self.b.greedy_totals)

    @property
    def states(self) -> list[tuple[str, int, int, int, int]]:
        """Per Land: labs in run A, greedy A, run B, greedy B."""
        columns = [
            dict(t.per_state)
            for t in (self.a.totals, self.a.greedy_totals, self.b.totals, self.b.greedy_totals)
        ]
        names = sorted(set().union(*columns))
        return [(name, *(column.get(name, 0) for column in columns)) for name in names]  # type: ignore[misc]  # a 5-tuple by construction


def compare_runs(run_a: SelectionRun, run_b: SelectionRun) -> Comparison:
    """Two runs side by side, per proposal (outcome and amount in each, changed or not), in the
    ranking of run B (then proposals only in run A)."""
    a, b = view_of(run_a), view_of(run_b)
    rows_a = {row.proposal_id: row for row in a.rows}
    rows_b = {row.proposal_id: row for row in b.rows}
    order = [row.proposal_id for row in b.rows] + [pid for pid in rows_a if pid not in rows_b]
    rows = []
    for pid in order:
        ra, rb = rows_a.get(pid), rows_b.get(pid)
        base = rb or ra
        assert base is not None
        rows.append(
            CompareRow(
                proposal_id=pid,
                reference=base.reference,
                title=base.title,
                state_name=base.state_name,
                rural=base.rural,
                outcome_a=ra.outcome if ra else None,
                granted_a=ra.granted if ra else Decimal("0.00"),
                score_a=ra.score if ra else None,
                outcome_b=rb.outcome if rb else None,
                granted_b=rb.granted if rb else Decimal("0.00"),
                score_b=rb.score if rb else None,
            )
        )
    return Comparison(a, b, tuple(rows))


def describe_rules(rules: Rules) -> list[tuple[str, str]]:
    """The rules as (German label, value) pairs for screens and the command."""
    items = [
        ("Budget", format_eur(int(rules.budget * 100))),
        ("Höchstzahl der Labore", str(rules.max_labs)),
        ("Höchstzahl je Land", "–" if rules.max_per_state is None else str(rules.max_per_state)),
        (
            "Mindestanteil ländlicher Labore",
            "–" if rules.min_rural_share is None else format_number(rules.min_rural_share * 100) + " %",
        ),
        ("Mindestpunktzahl", "–" if rules.min_score is None else format_number(rules.min_score)),
        (
            "Teilförderung bis hinunter zu",
            "–" if rules.min_funding_share is None else format_number(rules.min_funding_share * 100) + " %",
        ),
    ]
    return items


def suggested_reason(row: RunRow) -> str:
    """The reason a decision page prefills for one proposal: the outcome and the optimiser's
    plain German explanation (staff may change it before deciding)."""
    if row.outcome == Outcome.SELECTED:
        text = (
            "Ausgewählt: Die Interessenbekundung gehört zu der Auswahl mit der höchsten Gesamtpunktzahl, "
            "die das Budget und alle Regeln der Auswahl einhält."
        )
        return f"{text} {row.explanation}".strip()
    if row.outcome == Outcome.WAITLISTED:
        return f"Nicht ausgewählt, Platz {row.waitlist_position} der Nachrückliste. {row.explanation}".strip()
    return f"Nicht ausgewählt. {row.explanation}".strip()


@dataclass(frozen=True)
class RulesShown:
    """The rules for a screen: shares in percent (``50`` for ``0.5``)."""

    budget: Decimal
    max_labs: int
    max_per_state: int | None
    rural_percent: Decimal | None
    min_score: Decimal | None
    partial_percent: Decimal | None


def rules_shown(rules: Rules) -> RulesShown:
    def percent(share: Decimal | None) -> Decimal | None:
        return None if share is None else Decimal(share) * 100

    return RulesShown(
        budget=rules.budget,
        max_labs=rules.max_labs,
        max_per_state=rules.max_per_state,
        rural_percent=percent(rules.min_rural_share),
        min_score=rules.min_score,
        partial_percent=percent(rules.min_funding_share),
    )
