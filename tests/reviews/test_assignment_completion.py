"""Completing an assignment: reviews already placed are kept, only the missing ones are solved for
(``demand`` and ``existing_load`` of the pure ``assign``), and the result is the exact optimum
over every completion (brute force)."""

from __future__ import annotations

import itertools
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oglabs.reviews.assignment import assign, check_assignment, explain_impossible, objective_of


@st.composite
def partial_case(draw: st.DrawFn) -> dict:
    proposals = [f"P{i}" for i in range(draw(st.integers(1, 3)))]
    jurors = [f"J{j}" for j in range(draw(st.integers(1, 4)))]
    k = draw(st.integers(1, 2))
    max_load = draw(st.integers(1, 3))
    pairs = [(j, p) for j in jurors for p in proposals]
    conflicts = draw(st.sets(st.sampled_from(pairs), max_size=2))
    fit = {pair: draw(st.integers(0, 10)) / 10 for pair in draw(st.sets(st.sampled_from(pairs)))}
    # Reviews already placed: at most k per proposal, at most max_load per juror, no conflict.
    existing: dict[str, list[str]] = {p: [] for p in proposals}
    load = dict.fromkeys(jurors, 0)
    for juror, proposal in draw(st.lists(st.sampled_from(pairs), max_size=4, unique=True)):
        if (juror, proposal) in conflicts or len(existing[proposal]) >= k or load[juror] >= max_load:
            continue
        existing[proposal].append(juror)
        load[juror] += 1
    return {
        "proposals": proposals,
        "jurors": jurors,
        "k": k,
        "max_load": max_load,
        "conflicts": conflicts,
        "fit": fit,
        "existing": existing,
    }


def brute_force(case: dict) -> Decimal | None:
    """The best objective over every full assignment that contains the existing reviews."""
    options = [
        [
            combo
            for combo in itertools.combinations(case["jurors"], case["k"])
            if set(case["existing"][p]) <= set(combo) and not any((j, p) in case["conflicts"] for j in combo)
        ]
        for p in case["proposals"]
    ]
    best = None
    for choice in itertools.product(*options):
        full = dict(zip(case["proposals"], choice, strict=True))
        if check_assignment(
            full,
            proposals=case["proposals"],
            jurors=case["jurors"],
            k=case["k"],
            max_load=case["max_load"],
            conflicts=case["conflicts"],
        ):
            continue
        value = objective_of(full, fit=case["fit"], jurors=case["jurors"])
        if best is None or value > best:
            best = value
    return best


def _solve(case: dict):  # type: ignore[no-untyped-def]
    existing = case["existing"]
    placed = {(j, p) for p, js in existing.items() for j in js}
    loads = {j: sum(j in js for js in existing.values()) for j in case["jurors"]}
    return assign(
        case["proposals"],
        case["jurors"],
        k=case["k"],
        max_load=case["max_load"],
        conflicts=set(case["conflicts"]) | placed,
        fit=case["fit"],
        demand={p: case["k"] - len(js) for p, js in existing.items()},
        existing_load=loads,
    )


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(partial_case())
def test_assign_completion_matches_brute_force_and_keeps_existing_reviews(case: dict) -> None:
    result = _solve(case)
    best = brute_force(case)
    if best is None:
        assert result.status == "impossible"
        assert result.impossibility is not None and result.impossibility.messages
        return
    assert result.status == "optimal"
    combined = {
        p: tuple(sorted(case["existing"][p] + list(result.assignments[p]))) for p in case["proposals"]
    }
    assert (
        check_assignment(
            combined,
            proposals=case["proposals"],
            jurors=case["jurors"],
            k=case["k"],
            max_load=case["max_load"],
            conflicts=case["conflicts"],
        )
        == []
    )
    assert objective_of(combined, fit=case["fit"], jurors=case["jurors"]) == best
    assert result.loads == {j: sum(j in js for js in combined.values()) for j in case["jurors"]}


def test_assign_completion_counts_existing_load_in_the_balance() -> None:
    fit = {("A", "P3"): 0.9, ("B", "P3"): 0.7}
    weight = Decimal("0.1")
    # Without earlier reviews A wins: 0.9 − 0.1·1 = 0.8 against 0.7 − 0.1·1 = 0.6.
    fresh = assign(["P3"], ["A", "B"], k=1, max_load=3, fit=fit, balance_weight=weight)
    assert fresh.assignments == {"P3": ("A",)}
    # A already has 2: a third costs 0.1·(9 − 4) = 0.5, so B wins: 0.9 − 0.5 = 0.4 < 0.7 − 0.1 = 0.6.
    result = assign(
        ["P3"], ["A", "B"], k=1, max_load=3, fit=fit, balance_weight=weight, existing_load={"A": 2}
    )
    assert result.assignments == {"P3": ("B",)}
    assert result.loads == {"A": 2, "B": 1}
    assert result.objective == Decimal("0.2")  # 0.7 − 0.1·(2² + 1²)


def test_explain_impossible_with_existing_reviews_counts_free_places_only() -> None:
    found = explain_impossible(
        ["P1", "P2"],
        ["A", "B", "C"],
        k=2,
        max_load=2,
        conflicts={("C", "P1"), ("A", "P2")},
        demand={"P1": 1, "P2": 2},
        existing_load={"A": 2, "B": 1},
    )
    # A is full; P1 needs 1 more (B free, C conflicted) → fine; P2 needs 2 (B, C) → fine;
    # free places: B 1 + C 2 = 3, needed 3 → possible.
    assert found is None
    found = explain_impossible(
        ["P1", "P2"],
        ["A", "B", "C"],
        k=2,
        max_load=2,
        conflicts={("C", "P1"), ("A", "P2")},
        demand={"P1": 2, "P2": 2},
        existing_load={"A": 2, "B": 1},
    )
    assert found is not None
    assert [(s.proposal, s.available, s.short) for s in found.shortfalls] == [("P1", 1, 1)]
    assert (found.capacity, found.needed, found.capacity_short) == (3, 4, 1)
    assert found.messages == (
        "Für die Interessenbekundung P1 gibt es nur 1 nicht befangene Jurorinnen und Juroren mit freier "
        "Kapazität; benötigt werden noch 2, es fehlen 1.",
        "Die Gesamtkapazität reicht nicht: 3 Jurorinnen und Juroren × höchstens 2 Bewertungen, davon 3 "
        "bereits vergeben, lassen 3 freie Plätze; benötigt werden noch 4; es fehlen 1 Bewertungen.",
    )
