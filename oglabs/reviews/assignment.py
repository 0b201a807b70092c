"""Automatic assignment of jurors to proposals: an exact min-cost flow, solved as an LP by HiGHS.

Pure: no Django. See docs/decisions/0005-selection-and-assignment.md.

The network: source → proposal (exactly ``k``), proposal → juror (capacity 1, cost ``-fit``; no arc
for a conflicted pair), juror → sink (``max_load`` parallel arcs of capacity 1 whose unit costs
``w·1, w·3, w·5, …`` are the increments of ``w·load²``: a convex penalty that spreads the load).
The objective is therefore ``Σ fit − w·Σ load²`` (maximised), ``w`` = ``balance_weight``. Costs
are integers (fit in thousandths, :data:`FIT_SCALE`); the constraint matrix is a network matrix,
so the LP's basic optimum is integral — it is rounded and verified by :func:`check_assignment`.

Pairs without a given fit have fit 0 but are allowed (unless conflicted). There are
``proposals × jurors`` such arcs (5 million for 10,000 × 500); they are handled by column
generation: the LP starts with every pair that has a positive fit plus ``k`` zero-fit pairs per
proposal; the duals then price every omitted pair at once (a numpy matrix); pairs with a negative
reduced cost are added and the LP is solved again until none is left — the optimum of the full
problem. A slack per proposal (cost above any assignment path) keeps every restricted LP
feasible; slack left at the full optimum is the exact number of reviews that cannot be placed.

*Completing* an assignment (the app keeps reviews already placed): ``demand`` gives the reviews
still needed per proposal and ``existing_load`` the reviews each juror already has; the juror's
sink arcs then start at the next load step, so the balance counts the existing reviews too.

Before solving, :func:`explain_impossible` checks the two counting conditions (jurors without a
conflict per proposal; total capacity) and explains each shortfall in German.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import ortools
from ortools.graph.python import min_cost_flow

#: Fit is rounded to thousandths (integer costs).
FIT_SCALE = 1000
#: Default weight of the load penalty, in fit units per unit of Σ load².
DEFAULT_BALANCE_WEIGHT = Decimal("0.01")
#: Pairs with the best fit per proposal in the first LP (the rest is priced in as needed).
#: Zero-fit pairs per proposal and review in the first LP (round-robin over the jurors).
ZERO_FIT = 3
#: Stop column generation after this many rounds (never reached in practice; reported if it is).
MAX_ROUNDS = 50


class AssignmentError(RuntimeError):
    """The solver's answer failed the exact verification (never expected)."""


@dataclass(frozen=True)
class FitArrays:
    """A sparse fit matrix as parallel arrays of indices into ``proposals`` / ``jurors``."""

    proposal_index: np.ndarray
    juror_index: np.ndarray
    value: np.ndarray


@dataclass(frozen=True)
class Shortfall:
    proposal: str
    available: int  # jurors without a conflict
    short: int  # k - available


@dataclass(frozen=True)
class Impossibility:
    """Why the request cannot be met; ``messages`` are German sentences."""

    shortfalls: tuple[Shortfall, ...] = ()
    capacity: int = 0  # jurors × max_load
    needed: int = 0  # proposals × k
    capacity_short: int = 0  # needed - capacity if positive
    unplaced: int = 0  # found by the solver when the counts alone looked fine
    messages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Assignment:
    status: str  # "optimal" | "impossible"
    assignments: dict[str, tuple[str, ...]]  # proposal → juror ids (sorted)
    total_fit: Decimal
    loads: dict[str, int]
    solver: str
    impossibility: Impossibility | None = None
    rounds: int = 0  # column generation rounds
    columns: int = 0  # proposal–juror pairs in the final LP
    seconds: float = 0.0
    objective: Decimal = Decimal(0)  # Σ fit − w·Σ load²
    details: dict[str, float] = field(default_factory=dict)


def solver_version() -> str:
    return f"OR-Tools {ortools.__version__} SimpleMinCostFlow (column generation, integer potentials)"


def _potentials(
    nodes: int, tails: np.ndarray, heads: np.ndarray, caps: np.ndarray, costs: np.ndarray, flows: np.ndarray
) -> np.ndarray:
    """Integer node potentials π with ``cost + π_tail − π_head ≥ 0`` on every residual arc: the
    shortest distances from a virtual source (Bellman–Ford, vectorised). They exist exactly when
    the flow is optimal, and they price the arcs left out of the restricted network."""
    forward = flows < caps
    backward = flows > 0
    t = np.concatenate([tails[forward], heads[backward]]).astype(np.int64)
    h = np.concatenate([heads[forward], tails[backward]]).astype(np.int64)
    c = np.concatenate([costs[forward], -costs[backward]])
    order = np.argsort(h, kind="stable")
    t, h, c = t[order], h[order], c[order]
    targets, starts = np.unique(h, return_index=True)
    distance = np.zeros(nodes, dtype=np.int64)
    for _ in range(nodes + 1):
        best = np.minimum.reduceat(distance[t] + c, starts)
        improved = best < distance[targets]
        if not improved.any():
            return distance
        distance[targets[improved]] = best[improved]
    raise AssignmentError("negative cycle: the flow is not optimal")


# --------------------------------------------------------------------------------------------------
# Impossibility, before solving


def _remaining(
    jurors: Iterable[str], max_load: int, existing_load: Mapping[str, int] | None
) -> dict[str, int]:
    """Free places per juror: ``max_load`` minus the reviews they already have (never below 0)."""
    existing_load = existing_load or {}
    return {j: max(0, max_load - existing_load.get(j, 0)) for j in jurors}


def _demand(proposals: Iterable[str], k: int, demand: Mapping[str, int] | None) -> dict[str, int]:
    """Reviews still to place per proposal: ``demand`` where given, else ``k``."""
    demand = demand or {}
    result = {p: demand.get(p, k) for p in proposals}
    if any(d < 0 for d in result.values()):
        raise ValueError("demand must not be negative")
    return result


def explain_impossible(
    proposals: Sequence[str],
    jurors: Sequence[str],
    *,
    k: int,
    max_load: int,
    conflicts: Collection[tuple[str, str]] = (),
    demand: Mapping[str, int] | None = None,
    existing_load: Mapping[str, int] | None = None,
) -> Impossibility | None:
    """The counting conditions: every proposal has ``k`` jurors without a conflict, and
    ``jurors × max_load ≥ proposals × k``. ``None`` if both hold (the flow may still find a
    bottleneck; :func:`assign` reports it as ``unplaced``).

    When some reviews are already placed (see :func:`assign`), ``demand`` gives the reviews still
    needed per proposal and ``existing_load`` the reviews each juror already has: a proposal then
    needs ``demand`` jurors without a conflict who still have a free place, and the free places
    (``Σ max_load − existing_load``) must cover ``Σ demand``."""
    juror_set = set(jurors)
    proposal_set = set(proposals)
    needs = _demand(proposals, k, demand)
    free = _remaining(juror_set, max_load, existing_load)
    partial = demand is not None or existing_load is not None
    conflicted: dict[str, int] = {}
    for juror, proposal in set(conflicts):
        if juror in juror_set and proposal in proposal_set and (not partial or free[juror] > 0):
            conflicted[proposal] = conflicted.get(proposal, 0) + 1
    usable = sum(1 for j in juror_set if free[j] > 0) if partial else len(juror_set)
    shortfalls = []
    for proposal in proposals:
        available = usable - conflicted.get(proposal, 0)
        if available < needs[proposal]:
            shortfalls.append(Shortfall(proposal, available, needs[proposal] - available))
    capacity = sum(free.values())
    needed = sum(needs.values())
    capacity_short = max(0, needed - capacity)
    if not shortfalls and not capacity_short:
        return None
    if not partial:
        messages = [
            f"Für die Interessenbekundung {s.proposal} gibt es nur {s.available} nicht befangene "
            f"Jurorinnen und Juroren; benötigt werden {k}, es fehlen {s.short}."
            for s in shortfalls
        ]
        if capacity_short:
            messages.append(
                f"Die Gesamtkapazität reicht nicht: {len(juror_set)} Jurorinnen und Juroren × höchstens "
                f"{max_load} Bewertungen = {capacity} Bewertungen; benötigt werden {len(proposals)} × {k} = "
                f"{needed}; es fehlen {capacity_short} Bewertungen."
            )
    else:
        messages = [
            f"Für die Interessenbekundung {s.proposal} gibt es nur {s.available} nicht befangene "
            f"Jurorinnen und Juroren mit freier Kapazität; benötigt werden noch {needs[s.proposal]}, "
            f"es fehlen {s.short}."
            for s in shortfalls
        ]
        if capacity_short:
            placed = sum(max_load - free[j] for j in juror_set)
            messages.append(
                f"Die Gesamtkapazität reicht nicht: {len(juror_set)} Jurorinnen und Juroren × höchstens "
                f"{max_load} Bewertungen, davon {placed} bereits vergeben, lassen {capacity} freie Plätze; "
                f"benötigt werden noch {needed}; es fehlen {capacity_short} Bewertungen."
            )
    return Impossibility(tuple(shortfalls), capacity, needed, capacity_short, 0, tuple(messages))


# --------------------------------------------------------------------------------------------------
# Verification


def check_assignment(
    assignments: Mapping[str, Sequence[str]],
    *,
    proposals: Sequence[str],
    jurors: Sequence[str],
    k: int,
    max_load: int,
    conflicts: Collection[tuple[str, str]] = (),
    demand: Mapping[str, int] | None = None,
    existing_load: Mapping[str, int] | None = None,
) -> list[str]:
    """German descriptions of every broken rule (empty: the assignment is valid). Used by the
    tests and by manual adjustment in the app. With ``demand`` / ``existing_load`` (see
    :func:`assign`) a proposal must get exactly its demand and a juror's existing reviews count
    towards ``max_load``."""
    problems: list[str] = []
    juror_set = set(jurors)
    conflict_set = set(conflicts)
    needs = _demand(proposals, k, demand)
    loads: dict[str, int] = {j: (existing_load or {}).get(j, 0) for j in jurors}
    proposal_set = set(proposals)
    for proposal in assignments:
        if proposal not in proposal_set:
            problems.append(f"Unbekannte Interessenbekundung {proposal}.")
    for proposal in proposals:
        assigned = list(assignments.get(proposal, ()))
        if len(set(assigned)) != len(assigned):
            problems.append(f"{proposal}: eine Jurorin oder ein Juror ist doppelt zugeordnet.")
        if len(set(assigned)) != needs[proposal]:
            problems.append(
                f"{proposal}: {len(set(assigned))} statt {needs[proposal]} Bewertungen zugeordnet."
            )
        for juror in set(assigned):
            if juror not in juror_set:
                problems.append(f"{proposal}: unbekannte Jurorin oder unbekannter Juror {juror}.")
                continue
            loads[juror] += 1
            if (juror, proposal) in conflict_set:
                problems.append(f"{proposal}: {juror} ist befangen und darf nicht zugeordnet werden.")
    for juror, load in loads.items():
        if load > max_load:
            problems.append(f"{juror}: {load} Bewertungen, höchstens {max_load} erlaubt.")
    return problems


# --------------------------------------------------------------------------------------------------
# Solving


def _fit_arrays(
    fit: Mapping[tuple[str, str], float] | FitArrays | None,
    proposal_at: Mapping[str, int],
    juror_at: Mapping[str, int],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if fit is None:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    if isinstance(fit, FitArrays):
        p = np.asarray(fit.proposal_index, dtype=np.int64)
        j = np.asarray(fit.juror_index, dtype=np.int64)
        values = np.asarray(fit.value, dtype=float)
    else:
        items = [(proposal_at[pr], juror_at[ju], v) for (ju, pr), v in fit.items()]
        p = np.array([a for a, _, _ in items], dtype=np.int64)
        j = np.array([b for _, b, _ in items], dtype=np.int64)
        values = np.array([c for _, _, c in items], dtype=float)
    if values.size and (values.min() < 0 or values.max() > 1):
        raise ValueError("fit must lie in [0, 1]")
    return p, j, np.rint(values * FIT_SCALE).astype(np.int64)


def assign(
    proposals: Sequence[str],
    jurors: Sequence[str],
    *,
    k: int,
    max_load: int,
    conflicts: Collection[tuple[str, str]] = (),
    fit: Mapping[tuple[str, str], float] | FitArrays | None = None,
    balance_weight: Decimal = DEFAULT_BALANCE_WEIGHT,
    demand: Mapping[str, int] | None = None,
    existing_load: Mapping[str, int] | None = None,
) -> Assignment:
    """Assign ``k`` jurors to every proposal, at most ``max_load`` proposals per juror, no conflicted
    pair, maximising ``Σ fit − balance_weight·Σ load²`` exactly.

    ``conflicts`` and ``fit`` are keyed by ``(juror, proposal)``; a missing fit is 0.
    ``balance_weight`` must be a multiple of 1/:data:`FIT_SCALE`.

    *Completing an assignment* (reviews already placed are kept): ``demand`` maps a proposal to
    the reviews still to place (default ``k``), ``existing_load`` a juror to the reviews they
    already have (default 0). A juror then takes at most ``max_load − existing_load`` more, and the
    load penalty counts the existing reviews too (``loads`` in the result are totals). The caller
    lists every already placed pair in ``conflicts``, so nobody reviews a proposal twice; the
    result's ``assignments`` hold only the new pairs."""
    started = time.perf_counter()
    if len(set(proposals)) != len(proposals) or len(set(jurors)) != len(jurors):
        raise ValueError("ids must be unique")
    weight = Decimal(balance_weight) * FIT_SCALE
    if weight != weight.to_integral_value() or weight < 0:
        raise ValueError(f"balance_weight must be a non-negative multiple of 1/{FIT_SCALE}")
    weight_int = int(weight)
    solver = solver_version()
    impossible = explain_impossible(
        proposals,
        jurors,
        k=k,
        max_load=max_load,
        conflicts=conflicts,
        demand=demand,
        existing_load=existing_load,
    )
    if impossible is not None:
        return Assignment(
            "impossible", {}, Decimal(0), {}, solver, impossible, seconds=time.perf_counter() - started
        )
    n_p, n_j = len(proposals), len(jurors)
    needs = _demand(proposals, k, demand)
    free = _remaining(jurors, max_load, existing_load)
    before = {j: (existing_load or {}).get(j, 0) for j in jurors}
    if n_p == 0 or sum(needs.values()) == 0:
        return Assignment("optimal", dict.fromkeys(proposals, ()), Decimal(0), before, solver)
    need = np.array([needs[p] for p in proposals], dtype=np.int64)
    spare = np.array([free[j] for j in jurors], dtype=np.int64)
    already = np.array([before[j] for j in jurors], dtype=np.int64)
    round_robin = max(k, int(need.max()))
    proposal_at = {p: i for i, p in enumerate(proposals)}
    juror_at = {j: i for i, j in enumerate(jurors)}
    allowed = np.ones((n_p, n_j), dtype=bool)
    for juror, proposal in conflicts:
        if juror in juror_at and proposal in proposal_at:
            allowed[proposal_at[proposal], juror_at[juror]] = False
    fit_p, fit_j, fit_v = _fit_arrays(fit, proposal_at, juror_at)
    fit_cost = np.zeros((n_p, n_j), dtype=np.int64)
    fit_cost[fit_p, fit_j] = -fit_v
    # Initial columns: every allowed pair with a positive fit, and k zero-fit pairs per proposal,
    # spread round-robin over the jurors.
    included = np.zeros((n_p, n_j), dtype=bool)
    included |= (fit_cost < 0) & allowed
    offsets = (np.arange(n_p)[:, None] * round_robin + np.arange(ZERO_FIT * round_robin)[None, :]) % n_j
    rows = np.repeat(np.arange(n_p), ZERO_FIT * round_robin)
    cols = offsets.ravel()
    ok = allowed[rows, cols]
    included[rows[ok], cols[ok]] = True

    step_costs = weight_int * (2 * np.arange(1, max_load + 1, dtype=np.int64) - 1)  # w·(2l−1): steps of w·l²
    largest = FIT_SCALE + (int(step_costs[-1]) if max_load else 0)
    # An unplaced review costs more than any path can save: placing a review always comes first.
    unplaced_cost = (n_p + n_j + 2) * largest + 1
    source, sink = n_p + n_j, n_p + n_j + 1
    # Juror j's free places are the load steps already + 1 … max_load, costing w·(2l − 1) each.
    places = int(spare.sum())
    step_juror = np.repeat(np.arange(n_j), spare)
    step_index = np.arange(places) - np.repeat(np.cumsum(spare) - spare, spare)  # 0, 1, … per juror
    juror_step_costs = weight_int * (2 * (already[step_juror] + step_index + 1) - 1)
    fixed_tails = np.concatenate([np.full(n_p, source), n_p + step_juror, np.arange(n_p)])
    fixed_heads = np.concatenate([np.arange(n_p), np.full(places, sink), np.full(n_p, sink)])
    fixed_caps = np.concatenate([need, np.ones(places, dtype=np.int64), need])
    fixed_costs = np.concatenate(
        [np.zeros(n_p, dtype=np.int64), juror_step_costs.astype(np.int64), np.full(n_p, unplaced_cost)]
    )

    rounds = 0
    details: dict[str, float] = {}
    while True:
        rounds += 1
        pair_p, pair_j = np.nonzero(included)
        m = pair_p.size
        tails = np.concatenate([pair_p, fixed_tails]).astype(np.int32)
        heads = np.concatenate([n_p + pair_j, fixed_heads]).astype(np.int32)
        caps = np.concatenate([np.ones(m, dtype=np.int64), fixed_caps]).astype(np.int64)
        costs = np.concatenate([fit_cost[pair_p, pair_j], fixed_costs]).astype(np.int64)
        flow = min_cost_flow.SimpleMinCostFlow()
        arcs = flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
        flow.set_node_supply(source, int(need.sum()))
        flow.set_node_supply(sink, -int(need.sum()))
        t = time.perf_counter()
        status = flow.solve()
        details[f"flow_{rounds}"] = time.perf_counter() - t
        if status != flow.OPTIMAL:
            raise AssignmentError(f"min-cost flow: {status}")
        flows = np.asarray(flow.flows(arcs), dtype=np.int64)
        t = time.perf_counter()
        potential = _potentials(n_p + n_j + 2, tails, heads, caps, costs, flows)
        # Reduced cost of every omitted pair p → j: cost + π_p − π_j (< 0: it would improve).
        reduced = fit_cost + potential[:n_p, None] - potential[None, n_p : n_p + n_j]
        improving = allowed & ~included & (reduced < 0)
        details[f"pricing_{rounds}"] = time.perf_counter() - t
        if not improving.any():
            break
        if rounds >= MAX_ROUNDS:
            raise AssignmentError("column generation did not converge")
        included |= improving
    chosen = flows[:m] > 0
    slack = int(flows[-n_p:].sum())
    assignments: dict[str, list[str]] = {p: [] for p in proposals}
    for p_index, j_index in zip(pair_p[chosen], pair_j[chosen], strict=True):
        assignments[proposals[p_index]].append(jurors[j_index])
    final = {p: tuple(sorted(js)) for p, js in assignments.items()}
    loads = dict(before)
    for js in final.values():
        for j in js:
            loads[j] += 1
    total_fit_int = int(-fit_cost[pair_p[chosen], pair_j[chosen]].sum())
    objective = Decimal(total_fit_int - weight_int * sum(load * load for load in loads.values())) / FIT_SCALE
    seconds = time.perf_counter() - started
    if slack:
        messages = (
            f"{slack} Bewertungen lassen sich nicht verteilen, obwohl die Zahlen im Einzelnen reichen: "
            "Die nicht befangenen Jurorinnen und Juroren einiger Interessenbekundungen sind mit anderen "
            "Interessenbekundungen bereits voll ausgelastet.",
        )
        impossibility = Impossibility(
            capacity=places, needed=int(need.sum()), unplaced=slack, messages=messages
        )
        return Assignment("impossible", {}, Decimal(0), {}, solver, impossibility, rounds, m, seconds)
    problems = check_assignment(
        final,
        proposals=proposals,
        jurors=jurors,
        k=k,
        max_load=max_load,
        conflicts=conflicts,
        demand=needs,
        existing_load=before,
    )
    if problems:
        raise AssignmentError("; ".join(problems[:5]))
    return Assignment(
        status="optimal",
        assignments=final,
        total_fit=Decimal(total_fit_int) / FIT_SCALE,
        loads=loads,
        solver=solver,
        rounds=rounds,
        columns=m,
        seconds=seconds,
        objective=objective,
        details=details,
    )


def objective_of(
    assignments: Mapping[str, Iterable[str]],
    *,
    fit: Mapping[tuple[str, str], float] | None,
    balance_weight: Decimal = DEFAULT_BALANCE_WEIGHT,
    jurors: Sequence[str] = (),
) -> Decimal:
    """``Σ fit − w·Σ load²`` of any assignment, in exact thousandths (for comparisons)."""
    fit = fit or {}
    loads: dict[str, int] = dict.fromkeys(jurors, 0)
    total = 0
    for proposal, assigned in assignments.items():
        for juror in assigned:
            total += round(fit.get((juror, proposal), 0.0) * FIT_SCALE)
            loads[juror] = loads.get(juror, 0) + 1
    penalty = int(Decimal(balance_weight) * FIT_SCALE) * sum(load * load for load in loads.values())
    return Decimal(total - penalty) / FIT_SCALE
