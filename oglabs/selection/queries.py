"""Reads of the selection: the rules, the candidates of a call, a computed (not stored) selection,
the runs of a call, and the decision with what holds now. One run as rows and two runs side by
side are in :mod:`oglabs.selection.run_queries`.

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
from collections.abc import Iterable
from dataclasses import dataclass
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
from oglabs.selection.optimiser import Candidate, Result, Rules
from oglabs.selection.run_queries import RunView
from oglabs.selection.run_queries import view_of as view_of  # re-exported: one run as rows
from oglabs.selection.serialise import (
    candidate_to_json,
    candidates_from_json,
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


def computation_view(call: Call, computation: Computation) -> RunView:
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


# --------------------------------------------------------------------------------------------------
# Lists for the screens


@dataclass(frozen=True)
class RunSummary:
    run: SelectionRun
    rules: Rules
    status: str
    proven_optimal: bool
    selected: int
    waitlisted: int
    total_score: Decimal
    total_granted: Decimal
    greedy_total_score: Decimal

    @property
    def score_difference(self) -> Decimal:
        return self.total_score - self.greedy_total_score


def run_summaries(call: Call) -> list[RunSummary]:
    """The call's runs, newest first, with their key figures (one query)."""
    summaries = []
    for run in runs_of_call(call):
        result, greedy = run.result, run.greedy_result
        summaries.append(
            RunSummary(
                run=run,
                rules=rules_from_json(run.parameters),
                status=run.status,
                proven_optimal=bool(result["proven_optimal"]),
                selected=len(result["selected"]),
                waitlisted=len(result["waitlist"]),
                total_score=Decimal(result["total_score"]),
                total_granted=Decimal(result["total_granted"]),
                greedy_total_score=Decimal(greedy["total_score"]),
            )
        )
    return summaries


def run_choices(call: Call) -> list[tuple[int, str]]:
    """(number, "Lauf n: label") of the call's runs, newest first."""
    rows = SelectionRun.objects.filter(call=call).order_by("-number").values_list("number", "label")
    return [(number, f"Lauf {number}: {label}" if label else f"Lauf {number}") for number, label in rows]


@dataclass(frozen=True)
class DecisionRow:
    entry: DecisionEntry
    #: What the proposal is funded with now (0 unless it is selected now).
    granted_now: Decimal
    #: A selected lab whose withdrawal staff may record.
    may_withdraw: bool


@dataclass(frozen=True)
class DecisionOverview:
    decision: Decision
    rules: Rules
    rows: tuple[DecisionRow, ...]
    move_ups: tuple[MoveUp, ...]

    @property
    def granted_now(self) -> Decimal:
        return sum((row.granted_now for row in self.rows), Decimal("0.00"))

    @property
    def budget_left(self) -> Decimal:
        return self.rules.budget - self.granted_now

    @property
    def selected_now(self) -> int:
        return sum(1 for row in self.rows if row.may_withdraw)


def decision_overview(decision: Decision) -> DecisionOverview:
    """The decision's entries (by rank) with what holds now, and the move-ups since (4 queries)."""
    grants = current_grants(decision)
    rows = tuple(
        DecisionRow(
            entry=entry,
            granted_now=grants.get(entry.proposal_id, Decimal("0.00")),
            may_withdraw=entry.proposal.state == ProposalState.SELECTED and entry.proposal_id in grants,
        )
        for entry in decision_entries(decision)
    )
    return DecisionOverview(
        decision=decision,
        rules=rules_from_json(decision.run.parameters),
        rows=rows,
        move_ups=tuple(move_ups_of(decision)),
    )
