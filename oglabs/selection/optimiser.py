"""Exact, budget-bound selection of labs: a lexicographic MILP solved by HiGHS, and CONSUL's greedy rule.

Pure: no Django. Plain data in (:class:`Candidate`, :class:`Rules`), plain data out (:class:`Result`).
See docs/decisions/0005-selection-and-assignment.md for the formulation and the tie-break rule.

Exactness. Amounts are converted to integer cents, scores to integers scaled by ``10**d`` (``d`` the
largest number of decimal places among the scores, at most :data:`MAX_SCORE_DECIMALS`); every
conversion is checked to be exact. Every constraint then has integer coefficients, the solver's
answer is rounded to integers and verified again in exact integer arithmetic (budget, counts,
per-Land caps, rural share, minimum score); a violation raises :class:`SelectionError`.

Objective, lexicographic (each stage a MILP that keeps the optimum of the stages before it):

1. maximise the total score of the selected set;
2. then maximise the total granted amount (``min(budget, sum of requests)``, no needless cuts);
3. then the published tie-break: minimise the sum of the candidates' positions in the published
   order (``tie_rank``, then ``id``) — lower positions win;
4. canonical check: search for any other set with the same three values (no-good cuts); if there
   is one, the set whose sorted positions are lexicographically smallest wins. The search stops
   after :data:`MAX_ALTERNATIVES` alternatives (reported in ``Result.unique``).

With partial funding the selected set is decided by the MILP; the amounts are then distributed in
the published order (score descending, then position): everyone gets the minimum share first, the
rest of the budget goes to the highest-ranked first, up to the requested amount.
"""

from __future__ import annotations

import bisect
import enum
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

import numpy as np
import scipy
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

#: Scores may carry at most this many decimal places (they are scaled to integers by 10**d).
MAX_SCORE_DECIMALS = 6
#: The canonical check (stage 4) looks at most at this many alternative optimal sets.
MAX_ALTERNATIVES = 20
#: How many waitlisted candidates get a "needed score" by re-solving (see :func:`optimise`).
DEFAULT_EXPLAIN_TOP = 10
#: Integrality tolerance used when reading the solver's 0/1 values.
_INTEGRALITY = 1e-6


class SelectionError(RuntimeError):
    """The solver returned a solution that fails the exact integer verification (never expected)."""


class Status(enum.StrEnum):
    OPTIMAL = "optimal"  # proven optimal (HiGHS status optimal, gap 0)
    NOT_PROVEN = "not_proven"  # time limit: best solution found, optimality not proven
    NO_ELIGIBLE = "no_eligible"  # no candidate meets the minimum score and fits the budget alone
    RURAL_SHARE_UNATTAINABLE = "rural_share_unattainable"  # only the empty set meets the rural share
    HEURISTIC = "heuristic"  # greedy result (no optimality claim)


class ReasonCode(enum.StrEnum):
    BELOW_MIN_SCORE = "below_min_score"
    EXCEEDS_BUDGET_ALONE = "exceeds_budget_alone"
    BUDGET = "budget"
    MAX_LABS = "max_labs"
    MAX_PER_STATE = "max_per_state"
    MIN_RURAL_SHARE = "min_rural_share"
    NO_FEASIBLE_SET = "no_feasible_set"  # no set containing the candidate meets all rules
    NEEDED_SCORE = "needed_score"
    TIE_BREAK = "tie_break"
    REDUCED = "reduced"  # selected, but granted less than requested


@dataclass(frozen=True)
class Candidate:
    """One proposal as the optimiser sees it.

    ``score``: aggregated score, higher is better, >= 0. ``requested``: EUR with at most 2 decimals, > 0.
    ``state_key``: the Land (ARS prefix). ``tie_rank``: the published order, lower wins ties.
    """

    id: str
    score: Decimal | int
    requested: Decimal
    state_key: str
    rural: bool
    tie_rank: int


@dataclass(frozen=True)
class Rules:
    """The selection rules. Shares are fractions in [0, 1] (``Decimal("0.5")`` is 50 %)."""

    budget: Decimal
    max_labs: int
    max_per_state: int | None = None
    min_rural_share: Decimal | None = None
    min_score: Decimal | None = None
    min_funding_share: Decimal | None = None


class Grant(NamedTuple):
    id: str
    granted: Decimal


@dataclass(frozen=True)
class Reason:
    """One machine-readable reason; ``params`` hold the numbers the German text is made of."""

    code: ReasonCode
    params: dict[str, Decimal | int | str] = field(default_factory=dict)


@dataclass(frozen=True)
class Explanation:
    """Why a candidate was not selected (or was cut): reasons, German text, what would move it up."""

    candidate_id: str
    reasons: tuple[Reason, ...]
    text: str
    needed_score: Decimal | None = None  # with a higher score selected for sure; at it: tie-break
    displaces: tuple[str, ...] = ()  # selected candidates that would have made way for it


@dataclass(frozen=True)
class Result:
    status: Status
    proven_optimal: bool
    mip_gap: float | None
    selected: tuple[Grant, ...]  # in the published ranking: score descending, then position
    waitlist: tuple[str, ...]  # eligible, not selected: score descending, then position
    total_score: Decimal
    total_granted: Decimal
    solver: str
    explanations: dict[str, Explanation]
    message: str = ""  # a German sentence about the whole result (e.g. an unattainable rural share)
    unique: bool | None = None  # True: no other set ties on all three stages; None: not checked
    score_scale: int = 1
    solve_seconds: float = 0.0


# --------------------------------------------------------------------------------------------------
# German formatting


def format_eur(cents: int) -> str:
    """``4200000`` → ``"42.000,00 €"``."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    return f"{sign}{euros:,}".replace(",", ".") + f",{rest:02d} €"


def format_number(value: Decimal | Fraction | int) -> str:
    """``Decimal("71.50")`` → ``"71,5"``; integers without decimals; thousands with dots."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    value = Decimal(value)
    if value == value.to_integral_value():
        text = f"{int(value):,}".replace(",", ".")
        return text
    text = format(value.normalize(), "f")
    whole, _, frac = text.partition(".")
    return f"{int(whole):,}".replace(",", ".") + "," + frac if whole != "-0" else "-0," + frac


def format_percent(share: Fraction) -> str:
    return format_number(share * 100) + " %"


def solver_version() -> str:
    from scipy.optimize._highspy import _core  # private module: the only place HiGHS's version is exposed

    version = f"{_core.HIGHS_VERSION_MAJOR}.{_core.HIGHS_VERSION_MINOR}.{_core.HIGHS_VERSION_PATCH}"
    return f"HiGHS {version} via scipy {scipy.__version__}"


# --------------------------------------------------------------------------------------------------
# Exact conversion


def _to_cents(amount: Decimal | int, what: str) -> int:
    cents = Decimal(amount) * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{what}: {amount} has more than two decimal places")
    return int(cents)


def _score_scale(scores: Iterable[Decimal | int]) -> int:
    decimals = 0
    for score in scores:
        exponent = Decimal(score).normalize().as_tuple().exponent
        assert isinstance(exponent, int), "finite scores only"
        decimals = max(decimals, -exponent)
    if decimals > MAX_SCORE_DECIMALS:
        raise ValueError(f"scores may have at most {MAX_SCORE_DECIMALS} decimal places")
    return 10**decimals


def _scaled(value: Decimal | int, scale: int) -> int:
    scaled = Decimal(value) * scale
    if scaled != scaled.to_integral_value():
        raise ValueError(f"score {value} is not exact at scale {scale}")
    return int(scaled)


def _share(value: Decimal | None, what: str) -> Fraction | None:
    if value is None:
        return None
    share = Fraction(Decimal(value))
    if not 0 <= share <= 1:
        raise ValueError(f"{what} must lie between 0 and 1")
    return share


# --------------------------------------------------------------------------------------------------
# The problem in integers


@dataclass
class _Problem:
    """Everything in exact integers; index ``i`` runs over the *eligible* candidates."""

    candidates: list[Candidate]  # eligible, in the published order (position 1, 2, …)
    score: list[int]  # scaled
    requested: list[int]  # cents
    minimum: list[int]  # cents: the least that may be granted (== requested without partial funding)
    position: list[int]  # 1-based position in the published order
    state: list[str]
    rural: list[bool]
    budget: int
    max_labs: int
    max_per_state: int | None
    rural_share: Fraction | None
    scale: int

    def __len__(self) -> int:
        return len(self.candidates)


def _minimum(requested: int, share: Fraction | None) -> int:
    if share is None:
        return requested
    return math.ceil(share * requested)


def _published_order(candidates: Sequence[Candidate]) -> list[Candidate]:
    return sorted(candidates, key=lambda c: (c.tie_rank, c.id))


def _validate(candidates: Sequence[Candidate], rules: Rules) -> None:
    ids = [c.id for c in candidates]
    if len(set(ids)) != len(ids):
        raise ValueError("candidate ids must be unique")
    for c in candidates:
        if Decimal(c.score) < 0:
            raise ValueError(f"{c.id}: scores must not be negative")
        if Decimal(c.requested) <= 0:
            raise ValueError(f"{c.id}: the requested amount must be positive")
    if (
        rules.budget < 0
        or rules.max_labs < 0
        or (rules.max_per_state is not None and rules.max_per_state < 0)
    ):
        raise ValueError("budget and caps must not be negative")


# --------------------------------------------------------------------------------------------------
# Exact reduction


def dominated(problem: _Problem) -> set[int]:
    """Candidates that no optimal set contains (and whose absence changes no forced re-solve).

    ``j`` dominates ``i`` when ``score_j > score_i``, ``minimum_j <= minimum_i``, ``j`` is in the same
    Land (only when a per-Land cap is set) and ``j`` is rural if ``i`` is. A set containing ``i``
    holds at most ``L - 1`` other candidates of that class, ``L = min(max_per_state, max_labs)``;
    with ``L`` dominators one of them is outside the set, and swapping it in for ``i`` keeps every
    rule and raises the total score — so ``i`` is in no optimal set. The same swap argument holds
    with another candidate forced in (it occupies one of the ``L - 1`` places), so the needed-score
    re-solves may use the reduced problem too.
    """
    limit = (
        problem.max_labs if problem.max_per_state is None else min(problem.max_per_state, problem.max_labs)
    )
    if limit <= 0:
        return set()
    by_score = sorted(range(len(problem)), key=lambda i: -problem.score[i])
    seen_all: dict[str, list[int]] = {}
    seen_rural: dict[str, list[int]] = {}
    removed: set[int] = set()
    start = 0
    while start < len(by_score):
        end = start
        while end < len(by_score) and problem.score[by_score[end]] == problem.score[by_score[start]]:
            end += 1
        group = by_score[start:end]
        for i in group:
            key = problem.state[i] if problem.max_per_state is not None else ""
            pool = seen_rural if problem.rural[i] else seen_all
            if bisect.bisect_right(pool.get(key, []), problem.minimum[i]) >= limit:
                removed.add(i)
        for i in group:
            key = problem.state[i] if problem.max_per_state is not None else ""
            bisect.insort(seen_all.setdefault(key, []), problem.minimum[i])
            if problem.rural[i]:
                bisect.insort(seen_rural.setdefault(key, []), problem.minimum[i])
        start = end
    return removed


# --------------------------------------------------------------------------------------------------
# MILP


@dataclass
class _Solve:
    chosen: list[int]  # indices with x = 1
    proven: bool
    gap: float | None
    status: int
    message: str


class _Model:
    """Variables: x_i binary (selected) for the candidates kept by :func:`dominated`, and G
    continuous (the granted total, 0 ≤ G ≤ budget, G ≤ Σ requested·x). Vectors passed in and
    indices passed out always refer to the full (eligible) problem."""

    def __init__(self, problem: _Problem, time_limit: float) -> None:
        self.problem = problem
        self.time_limit = time_limit
        n = len(problem)
        self.n = n
        removed = dominated(problem)
        self.active = [i for i in range(n) if i not in removed]
        rows: list[np.ndarray] = []
        lower: list[float] = []
        upper: list[float] = []

        def add(coefficients: np.ndarray, g: float, lo: float, hi: float) -> None:
            rows.append(np.append(coefficients, g))
            lower.append(lo)
            upper.append(hi)

        # Budget on the minimum amounts: the set can be funded at all.
        add(np.array(problem.minimum, dtype=float), 0.0, -np.inf, problem.budget)
        # G ≤ sum of requests of the selected set (G ≤ budget is G's upper bound).
        add(-np.array(problem.requested, dtype=float), 1.0, -np.inf, 0.0)
        add(np.ones(n), 0.0, -np.inf, problem.max_labs)
        if problem.max_per_state is not None:
            states = np.array(problem.state)
            for state in sorted(set(problem.state)):
                members = (states == state).astype(float)
                if members.sum() > problem.max_per_state:
                    add(members, 0.0, -np.inf, problem.max_per_state)
        if problem.rural_share:
            p, q = problem.rural_share.numerator, problem.rural_share.denominator
            coefficients = np.where(np.array(problem.rural, dtype=bool), q - p, -p).astype(float)
            add(coefficients, 0.0, 0.0, np.inf)
        self.base = np.vstack(rows)
        self.base_lower = lower
        self.base_upper = upper

    def solve(
        self,
        objective: np.ndarray,
        extra: Sequence[tuple[np.ndarray, float, float]] = (),
        forced: int | None = None,
    ) -> _Solve:
        columns = self.active if forced is None or forced in self.active else sorted([*self.active, forced])
        k = len(columns)
        index = np.array([*columns, self.n], dtype=np.intp)
        lower_bounds = np.zeros(k + 1)
        upper_bounds = np.append(np.ones(k), float(self.problem.budget))
        if forced is not None:
            lower_bounds[columns.index(forced)] = 1.0
        matrix = self.base[:, index]
        lower = list(self.base_lower)
        upper = list(self.base_upper)
        if extra:
            matrix = np.vstack([matrix, *[row[index] for row, _, _ in extra]])
            lower += [lo for _, lo, _ in extra]
            upper += [hi for _, _, hi in extra]
        result = milp(
            objective[index],
            integrality=np.append(np.ones(k), 0.0),
            bounds=Bounds(lower_bounds, upper_bounds),
            constraints=LinearConstraint(csr_array(matrix), lower, upper),
            options={"mip_rel_gap": 0.0, "time_limit": self.time_limit, "presolve": True},
        )
        if result.x is None:
            return _Solve([], False, None, result.status, result.message)
        x = result.x[:k]
        rounded = np.rint(x)
        if np.max(np.abs(x - rounded), initial=0.0) > _INTEGRALITY:
            raise SelectionError("the solver returned a fractional selection")
        chosen = [columns[int(j)] for j in np.flatnonzero(rounded > 0.5)]
        gap = float(getattr(result, "mip_gap", 0.0) or 0.0)
        # Objectives are integers for integer x: an absolute gap below 1 proves optimality.
        proven = result.status == 0 and gap * max(1.0, abs(float(result.fun))) < 1.0
        return _Solve(chosen, proven, gap, result.status, result.message)


# --------------------------------------------------------------------------------------------------
# Exact evaluation and verification


@dataclass(frozen=True)
class _Value:
    score: int
    granted: int
    rank_sum: int
    positions: tuple[int, ...]

    def key(self) -> tuple[int, int, int, tuple[int, ...]]:
        """Smaller is better."""
        return (-self.score, -self.granted, self.rank_sum, self.positions)


def _value(problem: _Problem, chosen: Sequence[int]) -> _Value:
    requested = sum(problem.requested[i] for i in chosen)
    return _Value(
        score=sum(problem.score[i] for i in chosen),
        granted=min(problem.budget, requested),
        rank_sum=sum(problem.position[i] for i in chosen),
        positions=tuple(sorted(problem.position[i] for i in chosen)),
    )


def violations(problem: _Problem, chosen: Sequence[int]) -> list[str]:
    """The rules a set breaks, in exact integer arithmetic (empty: the set is feasible)."""
    broken = []
    if sum(problem.minimum[i] for i in chosen) > problem.budget:
        broken.append("budget")
    if len(chosen) > problem.max_labs:
        broken.append("max_labs")
    if problem.max_per_state is not None:
        counts: dict[str, int] = {}
        for i in chosen:
            counts[problem.state[i]] = counts.get(problem.state[i], 0) + 1
        if any(count > problem.max_per_state for count in counts.values()):
            broken.append("max_per_state")
    if problem.rural_share is not None:
        rural = sum(1 for i in chosen if problem.rural[i])
        if rural * problem.rural_share.denominator < problem.rural_share.numerator * len(chosen):
            broken.append("min_rural_share")
    return broken


def _distribute(problem: _Problem, chosen: Sequence[int]) -> dict[int, int]:
    """Granted cents per selected index: minimum first, the rest in the published ranking."""
    total = min(problem.budget, sum(problem.requested[i] for i in chosen))
    grants = {i: problem.minimum[i] for i in chosen}
    rest = total - sum(grants.values())
    for i in sorted(chosen, key=lambda i: (-problem.score[i], problem.position[i])):
        extra = min(problem.requested[i] - grants[i], rest)
        grants[i] += extra
        rest -= extra
    assert rest == 0
    return grants


# --------------------------------------------------------------------------------------------------
# Building the problem


@dataclass
class _Prepared:
    problem: _Problem
    all_candidates: list[Candidate]
    ineligible: dict[str, Explanation]
    min_score: Decimal | None
    share: Fraction | None


def _prepare(candidates: Sequence[Candidate], rules: Rules) -> _Prepared:
    _validate(candidates, rules)
    ordered = _published_order(candidates)
    scale = _score_scale(
        [c.score for c in ordered] + ([rules.min_score] if rules.min_score is not None else [])
    )
    budget = _to_cents(rules.budget, "budget")
    funding_share = _share(rules.min_funding_share, "min_funding_share")
    rural_share = _share(rules.min_rural_share, "min_rural_share")
    min_score = None if rules.min_score is None else _scaled(rules.min_score, scale)
    eligible: list[Candidate] = []
    scores: list[int] = []
    requests: list[int] = []
    minima: list[int] = []
    positions: list[int] = []
    ineligible: dict[str, Explanation] = {}
    for position, c in enumerate(ordered, start=1):
        requested = _to_cents(c.requested, c.id)
        scaled = _scaled(c.score, scale)
        if min_score is not None and scaled < min_score:
            reason = Reason(ReasonCode.BELOW_MIN_SCORE, {"min_score": Decimal(rules.min_score or 0)})
            text = f"Punktzahl unter der Mindestpunktzahl von {format_number(Decimal(rules.min_score or 0))}."
            ineligible[c.id] = Explanation(c.id, (reason,), text)
            continue
        minimum = _minimum(requested, funding_share)
        if minimum > budget:
            reason = Reason(ReasonCode.EXCEEDS_BUDGET_ALONE, {"minimum": Decimal(minimum) / 100})
            what = "Der beantragte Betrag" if funding_share is None else "Schon der Mindestbetrag"
            text = f"{what} von {format_eur(minimum)} übersteigt das Budget von {format_eur(budget)}."
            ineligible[c.id] = Explanation(c.id, (reason,), text)
            continue
        eligible.append(c)
        scores.append(scaled)
        requests.append(requested)
        minima.append(minimum)
        positions.append(position)
    problem = _Problem(
        candidates=eligible,
        score=scores,
        requested=requests,
        minimum=minima,
        position=positions,
        state=[c.state_key for c in eligible],
        rural=[c.rural for c in eligible],
        budget=budget,
        max_labs=rules.max_labs,
        max_per_state=rules.max_per_state,
        rural_share=rural_share,
        scale=scale,
    )
    if sum(problem.score) >= 2**52 or sum(problem.position) >= 2**52 or budget >= 2**52:
        raise ValueError("the instance is too large for exact double-precision coefficients")
    return _Prepared(problem, ordered, ineligible, rules.min_score, rural_share)


# --------------------------------------------------------------------------------------------------
# Optimise


def optimise(
    candidates: Sequence[Candidate],
    rules: Rules,
    *,
    explain_top: int = DEFAULT_EXPLAIN_TOP,
    time_limit: float = 60.0,
) -> Result:
    """The exact lexicographic optimum (see the module docstring).

    ``explain_top``: the first so many waitlisted candidates get a needed score by re-solving with
    the candidate forced in; every other non-selected candidate gets the exact binding rules only.
    ``time_limit`` applies to each MILP; if it is hit the result says ``NOT_PROVEN``.
    """
    started = time.perf_counter()
    prepared = _prepare(candidates, rules)
    problem = prepared.problem
    n = len(problem)
    solver = solver_version()
    if n == 0:
        return _result(
            prepared,
            [],
            Status.NO_ELIGIBLE,
            True,
            0.0,
            solver,
            {},
            "Keine Interessenbekundung erfüllt die Mindestpunktzahl und passt in das Budget.",
            True,
            started,
        )
    model = _Model(problem, time_limit)
    score = np.array(problem.score, dtype=float)
    position = np.array(problem.position, dtype=float)
    proven = True
    gaps: list[float] = []

    def run(objective: np.ndarray, extra: Sequence[tuple[np.ndarray, float, float]]) -> list[int]:
        nonlocal proven
        solved = model.solve(objective, extra)
        if solved.status not in (0, 1):
            raise SelectionError(f"HiGHS: {solved.message}")
        proven = proven and solved.proven
        gaps.append(solved.gap or 0.0)
        if violations(problem, solved.chosen):
            raise SelectionError(f"the solution breaks {violations(problem, solved.chosen)}")
        return solved.chosen

    # Stages 1 and 2: total score, then the granted total (G is the last variable). When the
    # weighted objective score·(budget + 1) + G stays below 2**53 they are one exact MILP (every
    # score unit outweighs any amount); otherwise two.
    weight = problem.budget + 1
    if sum(problem.score) * weight + problem.budget < 2**53:
        chosen2 = run(np.append(-score * weight, -1.0), [])
        best = _value(problem, chosen2)
        keep: list[tuple[np.ndarray, float, float]] = [(np.append(score, 0.0), best.score - 0.5, np.inf)]
    else:
        chosen = run(np.append(-score, 0.0), [])
        best = _value(problem, chosen)
        keep = [(np.append(score, 0.0), best.score - 0.5, np.inf)]
        chosen2 = run(np.append(np.zeros(n), -1.0), keep)
        if _value(problem, chosen2).score != best.score:
            raise SelectionError("stage 2 lost score")
        best = _value(problem, chosen2)
    g_row = np.append(np.zeros(n), 1.0)
    keep.append((g_row, best.granted - 0.5, np.inf))
    # Stage 3: the published order.
    chosen3 = run(np.append(position, 0.0), keep)
    value3 = _value(problem, chosen3)
    if (value3.score, value3.granted) != (best.score, best.granted):
        raise SelectionError("stage 3 lost score or amount")
    best = value3
    chosen = chosen3
    keep.append((np.append(position, 0.0), -np.inf, best.rank_sum + 0.5))
    # Stage 4: canonical check — any other set with the same three values?
    unique: bool | None = True
    found = [set(chosen)]
    for _ in range(MAX_ALTERNATIVES):
        cuts = [_no_good(n, s) for s in found]
        solved = model.solve(np.append(position, 0.0), keep + cuts)
        if solved.status != 0:  # 2: infeasible — no other optimal set; 1: time limit — unknown
            unique = unique if solved.status == 2 else None
            break
        if violations(problem, solved.chosen) or _value(problem, solved.chosen).key()[:3] != best.key()[:3]:
            break
        unique = False
        found.append(set(solved.chosen))
        if _value(problem, solved.chosen).key() < _value(problem, chosen).key():
            chosen = solved.chosen
    else:
        unique = None
    status = Status.OPTIMAL if proven else Status.NOT_PROVEN
    message = ""
    if not chosen and n > 0 and problem.max_labs > 0 and problem.rural_share:
        status = Status.RURAL_SHARE_UNATTAINABLE
        message = (
            f"Der Mindestanteil ländlicher Labore von {format_percent(problem.rural_share)} ist nicht "
            "erreichbar: Keine berechtigte ländliche Interessenbekundung passt in das Budget und die "
            "Höchstzahlen. Es wurde daher kein Labor ausgewählt."
        )
    explanations = _explain(problem, chosen, model, best.score, explain_top, prepared)
    gap = max(gaps) if gaps else 0.0
    return _result(prepared, chosen, status, proven, gap, solver, explanations, message, unique, started)


def _no_good(n: int, chosen: set[int]) -> tuple[np.ndarray, float, float]:
    row = -np.ones(n + 1)
    row[n] = 0.0
    for i in chosen:
        row[i] = 1.0
    return (row, -np.inf, len(chosen) - 1 + 0.5)


def _result(
    prepared: _Prepared,
    chosen: Sequence[int],
    status: Status,
    proven: bool,
    gap: float | None,
    solver: str,
    explanations: dict[str, Explanation],
    message: str,
    unique: bool | None,
    started: float,
) -> Result:
    problem = prepared.problem
    broken = violations(problem, chosen)
    if broken:
        raise SelectionError(f"the selection breaks {broken}")
    grants = _distribute(problem, chosen)
    if sum(grants.values()) > problem.budget:
        raise SelectionError("the grants exceed the budget")
    ranking = sorted(range(len(problem)), key=lambda i: (-problem.score[i], problem.position[i]))
    chosen_set = set(chosen)
    selected = tuple(
        Grant(problem.candidates[i].id, Decimal(grants[i]) / 100) for i in ranking if i in chosen_set
    )
    for i in chosen_set:
        if grants[i] < problem.requested[i]:
            cid = problem.candidates[i].id
            explanations[cid] = Explanation(
                cid,
                (Reason(ReasonCode.REDUCED, {"granted": Decimal(grants[i]) / 100}),),
                f"Ausgewählt mit gekürztem Betrag von {format_eur(grants[i])} statt "
                f"{format_eur(problem.requested[i])}, weil das Budget ausgeschöpft war (Kürzung in der "
                "veröffentlichten Rangfolge, beginnend beim niedrigsten Rang).",
            )
    explanations.update(prepared.ineligible)
    waitlist = tuple(problem.candidates[i].id for i in ranking if i not in chosen_set)
    total_score = Decimal(sum(problem.score[i] for i in chosen)) / problem.scale
    return Result(
        status=status,
        proven_optimal=proven,
        mip_gap=gap,
        selected=selected,
        waitlist=waitlist,
        total_score=total_score,
        total_granted=Decimal(sum(grants.values())) / 100,
        solver=solver,
        explanations=explanations,
        message=message,
        unique=unique,
        score_scale=problem.scale,
        solve_seconds=time.perf_counter() - started,
    )


# --------------------------------------------------------------------------------------------------
# Explanations


@dataclass(frozen=True)
class _Totals:
    minimum: int
    count: int
    rural: int
    per_state: dict[str, int]

    @classmethod
    def of(cls, problem: _Problem, chosen: Sequence[int]) -> _Totals:
        per_state: dict[str, int] = {}
        for j in chosen:
            per_state[problem.state[j]] = per_state.get(problem.state[j], 0) + 1
        return cls(
            minimum=sum(problem.minimum[j] for j in chosen),
            count=len(chosen),
            rural=sum(1 for j in chosen if problem.rural[j]),
            per_state=per_state,
        )


def binding_reasons(
    problem: _Problem, chosen: Sequence[int], i: int, totals: _Totals | None = None
) -> list[tuple[Reason, str]]:
    """The rules that adding candidate ``i`` to the selection ``chosen`` would break (exact)."""
    totals = totals or _Totals.of(problem, chosen)
    reasons: list[tuple[Reason, str]] = []
    need = totals.minimum + problem.minimum[i]
    if need > problem.budget:
        over = need - problem.budget
        cut = (
            ""
            if problem.minimum[i] == problem.requested[i]
            else " (auch bei Kürzung aller auf den Mindestanteil)"
        )
        reasons.append(
            (
                Reason(ReasonCode.BUDGET, {"over": Decimal(over) / 100}),
                "Das Budget war ausgeschöpft: Mit dieser Interessenbekundung wäre die Summe um "
                f"{format_eur(over)} überschritten worden{cut}.",
            )
        )
    if totals.count + 1 > problem.max_labs:
        reasons.append(
            (
                Reason(ReasonCode.MAX_LABS, {"max_labs": problem.max_labs}),
                f"Höchstzahl von {problem.max_labs} Laboren erreicht.",
            )
        )
    if (
        problem.max_per_state is not None
        and totals.per_state.get(problem.state[i], 0) + 1 > problem.max_per_state
    ):
        reasons.append(
            (
                Reason(ReasonCode.MAX_PER_STATE, {"max_per_state": problem.max_per_state}),
                f"Höchstzahl von {problem.max_per_state} Laboren je Land erreicht.",
            )
        )
    if problem.rural_share is not None and not problem.rural[i]:
        p, q = problem.rural_share.numerator, problem.rural_share.denominator
        if totals.rural * q < p * (totals.count + 1):
            reasons.append(
                (
                    Reason(ReasonCode.MIN_RURAL_SHARE, {"share": Decimal(p) / Decimal(q)}),
                    "Mit dieser nicht ländlichen Interessenbekundung wäre der Mindestanteil ländlicher "
                    f"Labore von {format_percent(problem.rural_share)} unterschritten worden.",
                )
            )
    return reasons


def _explain(
    problem: _Problem,
    chosen: Sequence[int],
    model: _Model | None,
    optimum: int,
    explain_top: int,
    prepared: _Prepared,
) -> dict[str, Explanation]:
    chosen_set = set(chosen)
    ranking = sorted(range(len(problem)), key=lambda i: (-problem.score[i], problem.position[i]))
    waiting = [i for i in ranking if i not in chosen_set]
    top = set(waiting[:explain_top]) if model is not None else set()
    score = np.array(problem.score, dtype=float)
    explanations: dict[str, Explanation] = {}
    totals = _Totals.of(problem, chosen)
    for i in waiting:
        cid = problem.candidates[i].id
        found = binding_reasons(problem, chosen, i, totals)
        reasons = [r for r, _ in found]
        texts = [t for _, t in found]
        needed: Decimal | None = None
        displaces: tuple[str, ...] = ()
        if i in top and model is not None:
            objective = np.append(-score, 0.0)
            objective[i] = 0.0
            solved = model.solve(objective, forced=i)
            if not solved.chosen:
                reasons.append(Reason(ReasonCode.NO_FEASIBLE_SET))
                texts.append(
                    "Auch mit höherer Punktzahl wäre keine Auswahl möglich gewesen, die diese "
                    "Interessenbekundung enthält und alle Regeln einhält."
                )
            else:
                others = sum(problem.score[j] for j in solved.chosen if j != i)
                needed_scaled = optimum - others
                needed = Decimal(needed_scaled) / problem.scale
                if needed_scaled <= problem.score[i]:
                    reasons.append(Reason(ReasonCode.TIE_BREAK, {"needed_score": needed}))
                    texts.append(
                        "Gleichstand in der Gesamtpunktzahl: Entschieden haben der höhere Gesamtbetrag "
                        "und die veröffentlichte Reihenfolge."
                    )
                else:
                    displaced = chosen_set - set(solved.chosen)
                    displaces = tuple(problem.candidates[j].id for j in ranking if j in displaced)
                    reasons.append(Reason(ReasonCode.NEEDED_SCORE, {"needed_score": needed}))
                    count = len(displaces)
                    what = "ein ausgewähltes Vorhaben" if count == 1 else f"{count} ausgewählte Vorhaben"
                    texts.append(
                        f"Für eine Auswahl wäre eine Punktzahl von mindestens {format_number(needed)} "
                        f"nötig gewesen (sie hätte dann {what} verdrängt; bei genau dieser Punktzahl "
                        "entscheidet die Gleichstandsregel)."
                    )
        if not reasons:
            reasons.append(Reason(ReasonCode.TIE_BREAK))
            texts.append(
                "Eine Auswahl mit dieser Interessenbekundung wäre nicht besser gewesen (gleiche "
                "Gesamtpunktzahl und gleicher Gesamtbetrag); entschieden hat die veröffentlichte Reihenfolge."
            )
        explanations[cid] = Explanation(cid, tuple(reasons), " ".join(texts), needed, displaces)
    return explanations


# --------------------------------------------------------------------------------------------------
# Greedy (CONSUL)


def greedy(candidates: Sequence[Candidate], rules: Rules) -> Result:
    """CONSUL's rule: by score descending (then the published order), take if it still fits.

    "Fits" means: the budget (the full request; with partial funding the rest of the budget if it
    covers the minimum share), the count, the per-Land cap, and — beyond CONSUL — the rural share
    for the set taken so far including this candidate.
    """
    started = time.perf_counter()
    prepared = _prepare(candidates, rules)
    problem = prepared.problem
    ranking = sorted(range(len(problem)), key=lambda i: (-problem.score[i], problem.position[i]))
    chosen: list[int] = []
    grants: dict[int, int] = {}
    reasons_at: dict[int, list[tuple[Reason, str]]] = {}
    # "minimum" holds the amount granted so far: the budget reason then names the true overshoot.
    totals = _Totals(minimum=0, count=0, rural=0, per_state={})
    share = problem.rural_share
    for i in ranking:
        remaining = problem.budget - totals.minimum
        rural_after = totals.rural + (1 if problem.rural[i] else 0)
        fits = (
            remaining >= problem.minimum[i]
            and totals.count + 1 <= problem.max_labs
            and (
                problem.max_per_state is None
                or totals.per_state.get(problem.state[i], 0) + 1 <= problem.max_per_state
            )
            and (share is None or rural_after * share.denominator >= share.numerator * (totals.count + 1))
        )
        if fits:
            chosen.append(i)
            grants[i] = min(problem.requested[i], remaining)
            per_state = dict(totals.per_state)
            per_state[problem.state[i]] = per_state.get(problem.state[i], 0) + 1
            totals = _Totals(totals.minimum + grants[i], totals.count + 1, rural_after, per_state)
        else:
            reasons_at[i] = binding_reasons(problem, chosen, i, totals)
    chosen_set = set(chosen)
    explanations: dict[str, Explanation] = {}
    for i, found in reasons_at.items():
        cid = problem.candidates[i].id
        explanations[cid] = Explanation(cid, tuple(r for r, _ in found), " ".join(t for _, t in found))
    explanations.update(prepared.ineligible)
    selected = tuple(
        Grant(problem.candidates[i].id, Decimal(grants[i]) / 100) for i in ranking if i in chosen_set
    )
    if sum(grants.values()) > problem.budget or violations(problem, chosen):
        raise SelectionError("greedy broke a rule")
    return Result(
        status=Status.HEURISTIC if problem.candidates else Status.NO_ELIGIBLE,
        proven_optimal=False,
        mip_gap=None,
        selected=selected,
        waitlist=tuple(problem.candidates[i].id for i in ranking if i not in chosen_set),
        total_score=Decimal(sum(problem.score[i] for i in chosen)) / problem.scale,
        total_granted=Decimal(sum(grants.values())) / 100,
        solver="greedy (CONSUL: by score, take if it fits)",
        explanations=explanations,
        score_scale=problem.scale,
        solve_seconds=time.perf_counter() - started,
    )
