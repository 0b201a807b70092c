"""Juror assignment: k per proposal, loads, conflicts, the exact optimum, impossibility explained."""

from __future__ import annotations

import itertools
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oglabs.reviews.assignment import (
    DEFAULT_BALANCE_WEIGHT,
    FitArrays,
    assign,
    check_assignment,
    explain_impossible,
    objective_of,
)


@st.composite
def tiny(draw: st.DrawFn) -> dict:
    proposals = [f"P{i}" for i in range(draw(st.integers(1, 4)))]
    jurors = [f"J{j}" for j in range(draw(st.integers(1, 4)))]
    pairs = [(j, p) for j in jurors for p in proposals]
    conflicts = draw(st.sets(st.sampled_from(pairs), max_size=3))
    fit = {pair: draw(st.integers(0, 10)) / 10 for pair in draw(st.sets(st.sampled_from(pairs)))}
    return {
        "proposals": proposals,
        "jurors": jurors,
        "k": draw(st.integers(1, 2)),
        "max_load": draw(st.integers(1, 3)),
        "conflicts": conflicts,
        "fit": fit,
    }


def brute_force(
    proposals: list[str], jurors: list[str], k: int, max_load: int, conflicts: set, fit: dict
) -> Decimal | None:
    options = [
        [combo for combo in itertools.combinations(jurors, k) if not any((j, p) in conflicts for j in combo)]
        for p in proposals
    ]
    best = None
    for choice in itertools.product(*options):
        assignment = dict(zip(proposals, choice, strict=True))
        if check_assignment(
            assignment, proposals=proposals, jurors=jurors, k=k, max_load=max_load, conflicts=conflicts
        ):
            continue
        value = objective_of(assignment, fit=fit, jurors=jurors)
        if best is None or value > best:
            best = value
    return best


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(tiny())
def test_assign_matches_brute_force_and_respects_every_rule(case: dict) -> None:
    result = assign(
        case["proposals"],
        case["jurors"],
        k=case["k"],
        max_load=case["max_load"],
        conflicts=case["conflicts"],
        fit=case["fit"],
    )
    best = brute_force(**case)
    if best is None:
        assert result.status == "impossible"
        assert result.impossibility is not None and result.impossibility.messages
        return
    assert result.status == "optimal"
    assert (
        check_assignment(
            result.assignments,
            proposals=case["proposals"],
            jurors=case["jurors"],
            k=case["k"],
            max_load=case["max_load"],
            conflicts=case["conflicts"],
        )
        == []
    )
    assert (
        result.objective == best == objective_of(result.assignments, fit=case["fit"], jurors=case["jurors"])
    )


def test_assign_trades_fit_against_balanced_load() -> None:
    fit = {("A", "P1"): 0.9, ("B", "P1"): 0.2, ("A", "P2"): 0.8, ("B", "P2"): 0.7}
    # Default weight 0.01: A on both, 1.7 − 0.01·4 = 1.66 beats A + B, 1.6 − 0.01·2 = 1.58.
    result = assign(["P1", "P2"], ["A", "B"], k=1, max_load=2, fit=fit)
    assert result.assignments == {"P1": ("A",), "P2": ("A",)}
    assert result.objective == Decimal("1.66")
    # Weight 0.1: A + B, 1.6 − 0.2 = 1.4 beats 1.7 − 0.4 = 1.3.
    balanced = assign(["P1", "P2"], ["A", "B"], k=1, max_load=2, fit=fit, balance_weight=Decimal("0.1"))
    assert balanced.assignments == {"P1": ("A",), "P2": ("B",)}
    assert balanced.total_fit == Decimal("1.6")
    assert balanced.loads == {"A": 1, "B": 1}
    assert balanced.objective == Decimal("1.4")


def test_assign_never_uses_a_conflicted_juror() -> None:
    fit = {("A", "P1"): 1.0}
    result = assign(["P1"], ["A", "B", "C"], k=2, max_load=1, conflicts={("A", "P1")}, fit=fit)
    assert result.assignments == {"P1": ("B", "C")}


def test_explain_impossible_names_the_shortfalls_before_solving() -> None:
    conflicts = {("A", "P1"), ("B", "P1")}
    found = explain_impossible(["P1", "P2"], ["A", "B", "C"], k=2, max_load=1, conflicts=conflicts)
    assert found is not None
    assert [(s.proposal, s.available, s.short) for s in found.shortfalls] == [("P1", 1, 1)]
    assert found.capacity == 3
    assert found.needed == 4
    assert found.capacity_short == 1
    assert found.messages == (
        "Für die Interessenbekundung P1 gibt es nur 1 nicht befangene Jurorinnen und Juroren; "
        "benötigt werden 2, es fehlen 1.",
        "Die Gesamtkapazität reicht nicht: 3 Jurorinnen und Juroren × höchstens 1 Bewertungen = 3 "
        "Bewertungen; benötigt werden 2 × 2 = 4; es fehlen 1 Bewertungen.",
    )
    result = assign(["P1", "P2"], ["A", "B", "C"], k=2, max_load=1, conflicts=conflicts)
    assert result.status == "impossible"
    assert result.impossibility == found
    assert explain_impossible(["P1"], ["A", "B"], k=2, max_load=1) is None


def test_assign_reports_a_bottleneck_the_counts_do_not_show() -> None:
    # Both proposals may only go to A (B is conflicted with both); A can take one.
    conflicts = {("B", "P1"), ("B", "P2")}
    result = assign(["P1", "P2"], ["A", "B"], k=1, max_load=1, conflicts=conflicts)
    assert result.status == "impossible"
    assert result.impossibility is not None
    assert result.impossibility.unplaced == 1
    assert result.impossibility.messages[0].startswith("1 Bewertungen lassen sich nicht verteilen")


def test_assign_accepts_fit_arrays_and_prices_in_zero_fit_pairs() -> None:
    import numpy as np

    proposals = [f"P{i}" for i in range(30)]
    jurors = [f"J{j}" for j in range(10)]
    # Every proposal likes J0 best; J0 can take only 9: the rest must go elsewhere (fit 0).
    fit = FitArrays(np.arange(30), np.zeros(30, dtype=int), np.full(30, 0.5))
    result = assign(proposals, jurors, k=3, max_load=9, fit=fit)
    assert result.status == "optimal"
    assert result.loads["J0"] == 9
    assert sum(result.loads.values()) == 90
    assert check_assignment(result.assignments, proposals=proposals, jurors=jurors, k=3, max_load=9) == []
    assert result.total_fit == Decimal("4.5")


def test_check_assignment_lists_every_broken_rule() -> None:
    problems = check_assignment(
        {"P1": ("A", "A"), "X": ("A",)},
        proposals=["P1", "P2"],
        jurors=["A", "B"],
        k=2,
        max_load=1,
        conflicts={("A", "P1")},
    )
    assert problems == [
        "Unbekannte Interessenbekundung X.",
        "P1: eine Jurorin oder ein Juror ist doppelt zugeordnet.",
        "P1: 1 statt 2 Bewertungen zugeordnet.",
        "P1: A ist befangen und darf nicht zugeordnet werden.",
        "P2: 0 statt 2 Bewertungen zugeordnet.",
    ]
    assert Decimal("0.01") == DEFAULT_BALANCE_WEIGHT


def _lp_optimum(
    proposals: list[str], jurors: list[str], k: int, max_load: int, conflicts: set, fit: dict
) -> Decimal:
    """The full LP over every allowed pair (HiGHS), as an independent reference."""
    import numpy as np
    from scipy.optimize import linprog

    pairs = [(p, j) for p in proposals for j in jurors if (j, p) not in conflicts]
    n_y = len(jurors) * max_load
    cost = [-round(fit.get((j, p), 0) * 1000) for p, j in pairs] + [
        10 * (2 * level - 1) for _ in jurors for level in range(1, max_load + 1)
    ]
    a_eq = np.zeros((len(proposals) + len(jurors), len(pairs) + n_y))
    for col, (p, j) in enumerate(pairs):
        a_eq[proposals.index(p), col] = 1
        a_eq[len(proposals) + jurors.index(j), col] = 1
    for jj in range(len(jurors)):
        for level in range(max_load):
            a_eq[len(proposals) + jj, len(pairs) + jj * max_load + level] = -1
    b_eq = [k] * len(proposals) + [0] * len(jurors)
    result = linprog(cost, A_eq=a_eq, b_eq=b_eq, bounds=(0, 1), method="highs")
    assert result.status == 0
    return Decimal(-round(result.fun)) / 1000


def test_assign_column_generation_reaches_the_full_lp_optimum() -> None:
    import random

    rounds = []
    for seed in range(6):
        rng = random.Random(seed)
        proposals = [f"P{i:02d}" for i in range(24)]
        jurors = [f"J{j:02d}" for j in range(40)]
        # Everyone likes the first four jurors; they fill up, the rest must be priced in.
        fit = {(f"J{j:02d}", p): rng.randint(1, 10) / 10 for p in proposals for j in rng.sample(range(4), 2)}
        conflicts = {(rng.choice(jurors), p) for p in proposals}
        result = assign(proposals, jurors, k=2, max_load=2, conflicts=conflicts, fit=fit)
        assert result.status == "optimal"
        assert (
            check_assignment(
                result.assignments, proposals=proposals, jurors=jurors, k=2, max_load=2, conflicts=conflicts
            )
            == []
        )
        assert result.objective == _lp_optimum(proposals, jurors, 2, 2, conflicts, fit)
        rounds.append(result.rounds)
    assert max(rounds) > 1  # pricing added pairs at least once
