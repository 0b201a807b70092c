"""Reads of the selection: the candidates of a call, a computed (not stored) selection, the runs of
a call, one run as rows, two runs side by side, and the decision.

**The candidates** are the call's proposals *im Teilnahmewettbewerb*:

- score: the jury's aggregated score from :func:`oglabs.reviews.results.proposal_results`
  (4 decimal places);
- requested amount: the federal funding the consortium asks for, i.e. the total of its budget
  lines (``proposals.queries.budget_total``); own and Land contributions are not part of it;
- Land: the Land of the lead municipality (2-digit key); rural: the lead municipality's degree of
  urbanisation is 3 (DEGURBA "gering besiedelt");
- the published tie-break order (``tie_rank``, position 1 wins a tie): the time of the first
  submission (the sketch, as frozen in its first version), then the reference.

A proposal takes part only when every review assigned to it has been submitted and it meets the
minimum score of every criterion; otherwise it is not a candidate and gets its reason here (in the
same shape as the optimiser's explanations, with the codes of :data:`EXCLUSION_CODES`).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Min, Q, QuerySet

from oglabs.calls.models import Call
from oglabs.proposals.models import Proposal, VersionKind
from oglabs.proposals.states import ProposalState
from oglabs.reviews.results import Results, proposal_results
from oglabs.selection import optimiser
from oglabs.selection.exceptions import InvalidParameters
from oglabs.selection.models import Decision, DecisionEntry, MoveUp, Outcome, SelectionRun
from oglabs.selection.optimiser import Candidate, Result, Rules, format_eur, format_number
from oglabs.selection.serialise import (
    candidate_to_json,
    candidates_from_json,
    result_from_json,
    result_to_json,
    rules_from_json,
    rules_to_json,
)

#: Up to this many candidates, every waitlisted one gets its needed score by re-solving (36
#: proposals take a few hundredths of a second each); above it, the optimiser's default.
EXPLAIN_ALL_UP_TO = 100
#: Per MILP (see ``optimiser.optimise``); a run that hits it is stored as "not proven".
TIME_LIMIT_SECONDS = 60
#: Reasons for not being a candidate at all (the optimiser's own codes are in ``ReasonCode``).
REVIEWS_INCOMPLETE = "reviews_incomplete"
BELOW_CRITERION_MINIMUM = "below_criterion_minimum"
NO_REQUEST = "no_request"
EXCLUSION_CODES = (REVIEWS_INCOMPLETE, BELOW_CRITERION_MINIMUM, NO_REQUEST)
#: The published tie-break, as shown with every run.
TIE_BREAK_RULE = (
    "Bei Gleichstand entscheidet die veröffentlichte Reihenfolge: zuerst der Zeitpunkt der ersten "
    "Einreichung (Skizze), dann die Kennung."
)


# --------------------------------------------------------------------------------------------------
# Parameters


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(value) from None
    if not number.is_finite():
        raise ValueError(value)
    return number


def selection_rules(
    *,
    budget: Decimal | str | int,
    max_labs: int,
    max_per_state: int | None = None,
    rural_min_share: Decimal | str | None = None,
    min_score: Decimal | str | None = None,
    partial_min_share: Decimal | str | None = None,
) -> Rules:
    """The optimiser's rules from what staff chose; shares are fractions (``0.5`` is 50 %).

    Raises :class:`InvalidParameters` (German, per parameter) for anything the optimiser cannot
    apply exactly: negative or sub-cent amounts, fewer than one lab, shares outside 0–1, scores
    with more than 4 decimal places.
    """
    errors: dict[str, str] = {}

    def number(name: str, value: Any, message: str) -> Decimal | None:
        try:
            return _decimal(value)
        except ValueError:
            errors[name] = message
            return None

    amount = number("budget", budget, "Das Budget muss ein Betrag in Euro sein.")
    if amount is None and "budget" not in errors:
        errors["budget"] = "Bitte geben Sie das Budget an."
    elif amount is not None and (amount < 0 or amount != amount.quantize(Decimal("0.01"))):
        errors["budget"] = (
            "Das Budget muss ein Betrag von mindestens 0 € mit höchstens zwei Nachkommastellen sein."
        )
    if max_labs is None or int(max_labs) < 1:
        errors["max_labs"] = "Die Höchstzahl der Labore muss mindestens 1 sein."
    if max_per_state is not None and int(max_per_state) < 1:
        errors["max_per_state"] = "Die Höchstzahl je Land muss mindestens 1 sein (oder leer bleiben)."
    shares: dict[str, Decimal | None] = {}
    for name, value in (("rural_min_share", rural_min_share), ("partial_min_share", partial_min_share)):
        share = number(name, value, "Der Anteil muss eine Zahl sein.")
        if share is not None and not Decimal(0) <= share <= Decimal(1):
            errors[name] = "Der Anteil muss zwischen 0 und 100 % liegen."
        shares[name] = share
    if shares["partial_min_share"] is not None and shares["partial_min_share"] == 0:
        errors["partial_min_share"] = "Der Mindestanteil bei Teilförderung muss größer als 0 % sein."
    score = number("min_score", min_score, "Die Mindestpunktzahl muss eine Zahl sein.")
    if score is not None and (score < 0 or score != score.quantize(Decimal("0.0001"))):
        errors["min_score"] = (
            "Die Mindestpunktzahl muss mindestens 0 sein und darf höchstens vier Nachkommastellen haben."
        )
    if errors:
        raise InvalidParameters(errors)
    assert amount is not None
    return Rules(
        budget=amount.quantize(Decimal("0.01")),
        max_labs=int(max_labs),
        max_per_state=None if max_per_state is None else int(max_per_state),
        min_rural_share=shares["rural_min_share"],
        min_score=score,
        min_funding_share=shares["partial_min_share"],
    )


# --------------------------------------------------------------------------------------------------
# Candidates


@dataclass(frozen=True)
class Inputs:
    """Everything a run depends on besides the rules; ``to_json`` is what the run stores."""

    candidates: tuple[Candidate, ...]  # in the published order
    #: Proposals in the competition that are not candidates: ``{"id", "code", "text", ...}``.
    excluded: tuple[dict[str, Any], ...]
    #: Per proposal id (string): what the screens show (reference, title, Land, municipality …).
    proposals: dict[str, dict[str, Any]]
    aggregation: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "candidates": [candidate_to_json(c) for c in self.candidates],
            "excluded": [dict(item) for item in self.excluded],
            "proposals": self.proposals,
            "tie_break": TIE_BREAK_RULE,
        }

    def fingerprint(self) -> dict[str, Any]:
        """What must be unchanged for a decision on a run: candidates (scores, amounts, Land,
        rural, order) and the excluded proposals with their reasons."""
        return {
            "candidates": [candidate_to_json(c) for c in self.candidates],
            "excluded": sorted((item["id"], item["code"]) for item in self.excluded),
        }


def _competing(call: Call) -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(call=call, state=ProposalState.IN_COMPETITION)
        .select_related("lead_municipality__state")
        .prefetch_related("budget_lines")
        .annotate(
            first_submitted_at=Min("versions__created_at", filter=Q(versions__kind=VersionKind.SUBMITTED))
        )
    )


def _published_order_key(proposal: Proposal) -> tuple[datetime, str]:
    first = getattr(proposal, "first_submitted_at", None) or proposal.submitted_at or proposal.created_at
    return (first, proposal.reference)


def _aggregation_info(results: Results) -> dict[str, Any]:
    return {
        "method": results.method,
        "normalised": results.normalised,
        "alpha": None if results.alpha is None else str(results.alpha),
        "complete": results.complete,
        "reviews_per_proposal": results.reviews_per_proposal,
        "max_score": str(results.max_score),
        "criteria": [
            {
                "key": c.key,
                "name": c.name,
                "weight": str(c.weight),
                "scale_min": c.scale_min,
                "scale_max": c.scale_max,
                "min_score": None if c.min_score is None else str(c.min_score),
            }
            for c in results.criteria
        ],
    }


def _exclusion(proposal_id: int, code: str, text: str) -> dict[str, Any]:
    return {"id": str(proposal_id), "code": code, "text": text}


def selection_inputs(call: Call) -> Inputs:
    """The candidates of ``call`` as the optimiser sees them, and who is left out and why."""
    proposals = sorted(_competing(call), key=_published_order_key)
    results = proposal_results(call)
    names = {c.key: c.name for c in results.criteria}
    candidates: list[Candidate] = []
    excluded: list[dict[str, Any]] = []
    shown: dict[str, dict[str, Any]] = {}
    for position, proposal in enumerate(proposals, start=1):
        row = results.row_for(proposal.pk)
        lead = proposal.lead_municipality
        requested = sum((line.amount for line in proposal.budget_lines.all()), Decimal("0.00"))
        score = row.score if row is not None else Decimal("0.0000")
        state_key = lead.state_id if lead is not None else ""
        rural = lead is not None and lead.urbanisation == 3
        submitted = row.reviews_submitted if row is not None else 0
        assigned = row.reviews_assigned if row is not None else 0
        shown[str(proposal.pk)] = {
            "reference": proposal.reference,
            "title": proposal.title,
            "municipality": lead.name if lead is not None else "",
            "state_key": state_key,
            "state_name": lead.state.name if lead is not None else "",
            "rural": rural,
            "score": str(score),
            "requested": str(requested),
            "position": position,
            "reviews_submitted": submitted,
            "reviews_assigned": assigned,
        }
        if row is None or not row.scored or submitted < assigned:
            text = (
                "Der Interessenbekundung wurde kein Gutachten zugewiesen; ohne Bewertung nimmt sie nicht "
                "an der Auswahl teil."
                if assigned == 0
                else f"Es liegen erst {submitted} von {assigned} Gutachten vor; ohne alle Gutachten nimmt "
                "die Interessenbekundung nicht an der Auswahl teil."
            )
            excluded.append(_exclusion(proposal.pk, REVIEWS_INCOMPLETE, text))
            continue
        if row.below_minimum:
            criteria = ", ".join(f"„{names.get(key, key)}“" for key in row.below_minimum)
            word = "im Kriterium" if len(row.below_minimum) == 1 else "in den Kriterien"
            excluded.append(
                _exclusion(
                    proposal.pk,
                    BELOW_CRITERION_MINIMUM,
                    f"Die Mindestpunktzahl {word} {criteria} ist nicht erreicht.",
                )
            )
            continue
        if requested <= 0:
            excluded.append(
                _exclusion(proposal.pk, NO_REQUEST, "Die Interessenbekundung beantragt keine Fördermittel.")
            )
            continue
        candidates.append(
            Candidate(
                id=str(proposal.pk),
                score=score,
                requested=requested,
                state_key=state_key,
                rural=rural,
                tie_rank=position,
            )
        )
    return Inputs(tuple(candidates), tuple(excluded), shown, _aggregation_info(results))


def explain_top_for(candidates: Iterable[Candidate]) -> int:
    count = sum(1 for _ in candidates)
    return count if count <= EXPLAIN_ALL_UP_TO else optimiser.DEFAULT_EXPLAIN_TOP


@dataclass(frozen=True)
class Computation:
    inputs: Inputs
    rules: Rules
    explain_top: int
    result: Result
    greedy: Result
    duration_ms: int

    def parameters_json(self) -> dict[str, Any]:
        return {
            **rules_to_json(self.rules),
            "explain_top": self.explain_top,
            "time_limit": TIME_LIMIT_SECONDS,
        }


def compute_selection(call: Call, rules: Rules) -> Computation:
    """Solve the selection of ``call`` under ``rules`` (optimum and CONSUL's greedy); stores nothing."""
    started = time.perf_counter()
    inputs = selection_inputs(call)
    top = explain_top_for(inputs.candidates)
    result = optimiser.optimise(inputs.candidates, rules, explain_top=top, time_limit=TIME_LIMIT_SECONDS)
    greedy = optimiser.greedy(inputs.candidates, rules)
    duration_ms = round((time.perf_counter() - started) * 1000)
    return Computation(inputs, rules, top, result, greedy, duration_ms)


def resolve_stored(run: SelectionRun) -> tuple[Result, Result]:
    """Solve the stored inputs and parameters of ``run`` again (optimum, greedy)."""
    candidates = candidates_from_json(run.inputs["candidates"])
    rules = rules_from_json(run.parameters)
    result = optimiser.optimise(
        candidates,
        rules,
        explain_top=int(run.parameters.get("explain_top", optimiser.DEFAULT_EXPLAIN_TOP)),
        time_limit=float(run.parameters.get("time_limit", TIME_LIMIT_SECONDS)),
    )
    return result, optimiser.greedy(candidates, rules)


# --------------------------------------------------------------------------------------------------
# Runs


def runs_of_call(call: Call) -> QuerySet[SelectionRun]:
    """The call's runs, newest first (without the large inputs)."""
    return (
        SelectionRun.objects.filter(call=call)
        .select_related("created_by")
        .defer("inputs", "aggregation")
        .order_by("-number")
    )


def get_run(call: Call, number: int) -> SelectionRun:
    """Raises ``SelectionRun.DoesNotExist``."""
    return SelectionRun.objects.select_related("call", "created_by").get(call=call, number=number)


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


def computation_view(call: Call, computation: Computation, *, actor_label: str = "") -> RunView:
    """A computed but unsaved selection as a :class:`RunView` (for the command's dry run)."""
    run = SelectionRun(
        call=call,
        number=0,
        parameters=computation.parameters_json(),
        inputs=computation.inputs.to_json(),
        aggregation=computation.inputs.aggregation,
        result=result_to_json(computation.result),
        greedy_result=result_to_json(computation.greedy),
        status=computation.result.status.value,
        duration_ms=computation.duration_ms,
    )
    return view_of(run, result=computation.result, greedy=computation.greedy)


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


# --------------------------------------------------------------------------------------------------
# The decision


def decision_of(call: Call) -> Decision | None:
    return Decision.objects.filter(call=call).select_related("run", "decided_by").order_by("pk").first()


def decision_entries(decision: Decision) -> QuerySet[DecisionEntry]:
    return (
        DecisionEntry.objects.filter(decision=decision)
        .select_related("proposal__lead_municipality__state")
        .order_by("rank")
    )


def move_ups_of(decision: Decision) -> QuerySet[MoveUp]:
    return (
        MoveUp.objects.filter(decision=decision)
        .select_related("withdrawn", "moved_up", "created_by")
        .order_by("created_at", "pk")
    )


def entry_for(proposal: Proposal) -> DecisionEntry | None:
    """The proposal's entry in its call's decision, if there is one."""
    return (
        DecisionEntry.objects.filter(proposal=proposal, decision__call_id=proposal.call_id)
        .select_related("decision__run")
        .order_by("pk")
        .first()
    )


def current_grants(decision: Decision) -> dict[int, Decimal]:
    """Who is funded now: the selected of the decision that have not withdrawn, and everyone who
    moved up since, with their granted amounts."""
    grants: dict[int, Decimal] = {}
    for proposal_id, amount in DecisionEntry.objects.filter(
        decision=decision, outcome=Outcome.SELECTED, proposal__state=ProposalState.SELECTED
    ).values_list("proposal_id", "granted_amount"):
        grants[proposal_id] = amount
    for proposal_id, amount in MoveUp.objects.filter(
        decision=decision, moved_up__isnull=False, moved_up__state=ProposalState.SELECTED
    ).values_list("moved_up_id", "granted_amount"):
        grants[proposal_id] = amount
    return grants


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
