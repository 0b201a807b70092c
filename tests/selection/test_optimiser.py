"""The selection optimiser: exact (brute force), never above budget or caps, never below greedy,
and every explanation true (checked by re-solving)."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oglabs.selection.optimiser import (
    Candidate,
    ReasonCode,
    Result,
    Rules,
    Status,
    format_eur,
    format_number,
    greedy,
    optimise,
)

EXAMPLES = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


def _c(
    cid: str, score: str | int, requested: int, state: str = "01", rural: bool = True, rank: int = 0
) -> Candidate:
    return Candidate(cid, Decimal(score), Decimal(requested), state, rural, rank)


# ------------------------------------------------------------------------------------------------
# Brute force: the same lexicographic objective, by enumeration, in exact arithmetic


def _minimum(c: Candidate, rules: Rules) -> int:
    cents = int(Decimal(c.requested) * 100)
    if rules.min_funding_share is None:
        return cents
    return math.ceil(Fraction(rules.min_funding_share) * cents)


def _feasible(subset: tuple[Candidate, ...], rules: Rules) -> bool:
    if sum(_minimum(c, rules) for c in subset) > int(rules.budget * 100):
        return False
    if len(subset) > rules.max_labs:
        return False
    if rules.max_per_state is not None:
        states = [c.state_key for c in subset]
        if any(states.count(s) > rules.max_per_state for s in states):
            return False
    if rules.min_rural_share is not None:
        rural = sum(1 for c in subset if c.rural)
        if Fraction(rural) < Fraction(rules.min_rural_share) * len(subset):
            return False
    return True


def brute_force(
    candidates: list[Candidate], rules: Rules
) -> tuple[tuple[Decimal, int, int, tuple[int, ...]], set[str]]:
    order = {c.id: k + 1 for k, c in enumerate(sorted(candidates, key=lambda c: (c.tie_rank, c.id)))}
    eligible = [
        c
        for c in candidates
        if (rules.min_score is None or Decimal(c.score) >= rules.min_score)
        and _minimum(c, rules) <= int(rules.budget * 100)
    ]
    best_key = None
    best: set[str] = set()
    for size in range(len(eligible) + 1):
        for subset in itertools.combinations(eligible, size):
            if not _feasible(subset, rules):
                continue
            score = sum((Decimal(c.score) for c in subset), Decimal(0))
            granted = min(int(rules.budget * 100), sum(int(c.requested * 100) for c in subset))
            positions = tuple(sorted(order[c.id] for c in subset))
            key = (-score, -granted, sum(positions), positions)
            if best_key is None or key < best_key:
                best_key, best = key, {c.id for c in subset}
    assert best_key is not None
    return best_key, best


def _key(result: Result, candidates: list[Candidate]) -> tuple[Decimal, int]:
    return (result.total_score, int(result.total_granted * 100))


def assert_valid(result: Result, candidates: list[Candidate], rules: Rules) -> None:
    by_id = {c.id: c for c in candidates}
    subset = tuple(by_id[g.id] for g in result.selected)
    assert _feasible(subset, rules)
    assert sum(g.granted for g in result.selected) == result.total_granted <= rules.budget
    for g in result.selected:
        c = by_id[g.id]
        assert g.granted == g.granted.quantize(Decimal("0.01"))
        assert Decimal(_minimum(c, rules)) / 100 <= g.granted <= c.requested
        if rules.min_score is not None:
            assert Decimal(c.score) >= rules.min_score
    assert result.total_score == sum((Decimal(by_id[g.id].score) for g in result.selected), Decimal(0))
    selected = {g.id for g in result.selected}
    assert set(result.explanations) >= set(by_id) - selected


# ------------------------------------------------------------------------------------------------
# Strategies


@st.composite
def instances(draw: st.DrawFn, max_size: int = 15) -> tuple[list[Candidate], Rules]:
    n = draw(st.integers(0, max_size))
    candidates = []
    ranks = draw(st.permutations(list(range(n))))
    for i in range(n):
        score = Decimal(draw(st.integers(0, 40))) / 2
        requested = Decimal(draw(st.integers(1, 8)) * 1000 + draw(st.sampled_from([0, 0, 0, 250, 0.5])))
        candidates.append(
            Candidate(
                id=f"P{i:02d}",
                score=score,
                requested=requested.quantize(Decimal("0.01")),
                state_key=draw(st.sampled_from(["01", "02", "03"])),
                rural=draw(st.booleans()),
                tie_rank=ranks[i],
            )
        )
    rules = Rules(
        budget=Decimal(draw(st.integers(0, 30)) * 1000),
        max_labs=draw(st.integers(0, 6)),
        max_per_state=draw(st.sampled_from([None, 1, 2, 3])),
        min_rural_share=draw(st.sampled_from([None, Decimal("0.5"), Decimal("0.34"), Decimal("1")])),
        min_score=draw(st.sampled_from([None, Decimal(5), Decimal("7.5")])),
        min_funding_share=draw(st.sampled_from([None, None, Decimal("0.5"), Decimal("0.8")])),
    )
    return candidates, rules


# ------------------------------------------------------------------------------------------------
# Properties


@EXAMPLES
@given(instances())
def test_optimiser_matches_brute_force_and_never_breaks_a_rule(
    instance: tuple[list[Candidate], Rules],
) -> None:
    candidates, rules = instance
    result = optimise(candidates, rules, explain_top=0)
    assert_valid(result, candidates, rules)
    assert result.proven_optimal
    best_key, best_set = brute_force(candidates, rules)
    assert (-result.total_score, -int(result.total_granted * 100)) == best_key[:2]
    order = {c.id: k + 1 for k, c in enumerate(sorted(candidates, key=lambda c: (c.tie_rank, c.id)))}
    assert sum(order[g.id] for g in result.selected) == best_key[2]
    if result.unique is not None:
        assert {g.id for g in result.selected} == best_set


@EXAMPLES
@given(instances())
def test_optimiser_is_never_below_greedy(instance: tuple[list[Candidate], Rules]) -> None:
    candidates, rules = instance
    optimum = optimise(candidates, rules, explain_top=0)
    heuristic = greedy(candidates, rules)
    assert_valid(heuristic, candidates, rules)
    assert _key(optimum, candidates) >= _key(heuristic, candidates)


def _selected_ids(candidates: list[Candidate], rules: Rules) -> set[str]:
    return {g.id for g in optimise(candidates, rules, explain_top=0).selected}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(instances(max_size=9))
def test_optimiser_explanations_are_true(instance: tuple[list[Candidate], Rules]) -> None:
    candidates, rules = instance
    result = optimise(candidates, rules, explain_top=20)
    selected = {g.id for g in result.selected}
    by_id = {c.id: c for c in candidates}
    chosen = [by_id[i] for i in selected]
    for cid in set(by_id) - selected:
        explanation = result.explanations[cid]
        codes = {r.code for r in explanation.reasons}
        candidate = by_id[cid]
        if ReasonCode.BELOW_MIN_SCORE in codes:
            assert rules.min_score is not None and Decimal(candidate.score) < rules.min_score
            continue
        if ReasonCode.EXCEEDS_BUDGET_ALONE in codes:
            assert _minimum(candidate, rules) > rules.budget * 100
            continue
        for reason in explanation.reasons:
            if reason.code == ReasonCode.BUDGET:
                over = sum(_minimum(c, rules) for c in [*chosen, candidate]) - int(rules.budget * 100)
                assert Decimal(over) / 100 == reason.params["over"] > 0
            elif reason.code == ReasonCode.MAX_LABS:
                assert len(chosen) == rules.max_labs
            elif reason.code == ReasonCode.MAX_PER_STATE:
                assert sum(1 for c in chosen if c.state_key == candidate.state_key) == rules.max_per_state
            elif reason.code == ReasonCode.MIN_RURAL_SHARE:
                assert not _feasible(
                    (*chosen, candidate),
                    replace(rules, budget=Decimal(10**9), max_labs=99, max_per_state=None),
                )
        # The needed score: one unit above it the candidate is selected, one unit below it is not.
        if explanation.needed_score is not None:
            unit = Decimal(1) / result.score_scale
            needed = explanation.needed_score
            above = [replace(c, score=needed + unit) if c.id == cid else c for c in candidates]
            assert cid in _selected_ids(above, rules)
            if needed - unit >= 0:
                below = [replace(c, score=needed - unit) if c.id == cid else c for c in candidates]
                assert cid not in _selected_ids(below, rules)
            if ReasonCode.TIE_BREAK in codes:
                assert needed == Decimal(candidate.score)
            else:
                assert needed > Decimal(candidate.score)
        if ReasonCode.NO_FEASIBLE_SET in codes:
            boosted = [replace(c, score=Decimal(10**6)) if c.id == cid else c for c in candidates]
            assert cid not in _selected_ids(boosted, rules)


# ------------------------------------------------------------------------------------------------
# Examples with exact values


def test_optimiser_beats_greedy_on_the_classic_knapsack_trap() -> None:
    # Greedy takes A (score 10, 60k) and then nothing fits; B + C (9 + 9 = 18) is optimal.
    candidates = [_c("A", 10, 60_000, rank=1), _c("B", 9, 50_000, rank=2), _c("C", 9, 50_000, rank=3)]
    rules = Rules(budget=Decimal(100_000), max_labs=16)
    optimum = optimise(candidates, rules)
    heuristic = greedy(candidates, rules)
    assert optimum.status == Status.OPTIMAL
    assert optimum.proven_optimal is True
    assert optimum.mip_gap == 0.0
    assert optimum.unique is True
    assert optimum.selected == (("B", Decimal("50000.00")), ("C", Decimal("50000.00")))
    assert optimum.total_score == 18
    assert optimum.waitlist == ("A",)
    assert optimum.explanations["A"].text == (
        "Das Budget war ausgeschöpft: Mit dieser Interessenbekundung wäre die Summe um 60.000,00 € "
        "überschritten worden. Für eine Auswahl wäre eine Punktzahl von mindestens 18 nötig gewesen "
        "(sie hätte dann 2 ausgewählte Vorhaben verdrängt; bei genau dieser Punktzahl entscheidet die "
        "Gleichstandsregel)."
    )
    assert optimum.explanations["A"].needed_score == 18
    assert optimum.explanations["A"].displaces == ("B", "C")
    assert heuristic.selected == (("A", Decimal("60000.00")),)
    assert heuristic.total_score == 10
    assert heuristic.status == Status.HEURISTIC
    assert optimum.solver.startswith("HiGHS ") and " via scipy " in optimum.solver


def test_optimiser_ties_go_to_the_higher_amount_then_the_published_order() -> None:
    candidates = [
        _c("late", 10, 40_000, rank=3),
        _c("early", 10, 40_000, rank=1),
        _c("cheap", 10, 30_000, rank=0),
    ]
    rules = Rules(budget=Decimal(100_000), max_labs=2)
    result = optimise(candidates, rules)
    assert [g.id for g in result.selected] == ["early", "late"]  # more money first, then the order
    assert result.waitlist == ("cheap",)
    codes = {r.code for r in result.explanations["cheap"].reasons}
    assert codes == {ReasonCode.BUDGET, ReasonCode.MAX_LABS, ReasonCode.TIE_BREAK}
    result = optimise(candidates, replace(rules, budget=Decimal(70_000)))
    assert [g.id for g in result.selected] == ["cheap", "early"]


def test_optimiser_caps_per_state_and_count_with_german_reasons() -> None:
    candidates = [_c(f"A{i}", 20 - i, 1000, state="01", rank=i) for i in range(3)] + [
        _c("B0", 5, 1000, state="02", rank=10)
    ]
    rules = Rules(budget=Decimal(1_000_000), max_labs=2, max_per_state=1)
    result = optimise(candidates, rules)
    assert [g.id for g in result.selected] == ["A0", "B0"]
    assert result.explanations["A1"].text.startswith(
        "Höchstzahl von 2 Laboren erreicht. Höchstzahl von 1 Laboren je Land erreicht."
    )


def test_optimiser_min_score_makes_candidates_ineligible() -> None:
    candidates = [_c("low", "59.5", 1000, rank=1), _c("ok", 60, 1000, rank=2)]
    result = optimise(candidates, Rules(budget=Decimal(10_000), max_labs=5, min_score=Decimal(60)))
    assert [g.id for g in result.selected] == ["ok"]
    assert result.explanations["low"].text == "Punktzahl unter der Mindestpunktzahl von 60."
    assert result.waitlist == ()


def test_optimiser_partial_funding_respects_the_share_and_cuts_the_lower_ranked() -> None:
    candidates = [_c("first", 20, 60_000, rank=2), _c("second", 10, 60_000, rank=1)]
    rules = Rules(budget=Decimal(100_000), max_labs=5, min_funding_share=Decimal("0.5"))
    result = optimise(candidates, rules)
    assert result.selected == (("first", Decimal("60000.00")), ("second", Decimal("40000.00")))
    assert result.total_granted == Decimal("100000.00")
    assert result.explanations["second"].reasons[0].code == ReasonCode.REDUCED
    assert result.explanations["second"].text.startswith(
        "Ausgewählt mit gekürztem Betrag von 40.000,00 € statt 60.000,00 €"
    )
    too_little = optimise(candidates, replace(rules, min_funding_share=Decimal("0.9")))
    assert [g.id for g in too_little.selected] == ["first"]


def test_optimiser_reports_an_unattainable_rural_share() -> None:
    candidates = [_c("city", 50, 1000, rural=False, rank=1), _c("town", 40, 1000, rural=False, rank=2)]
    result = optimise(candidates, Rules(budget=Decimal(10_000), max_labs=5, min_rural_share=Decimal("0.5")))
    assert result.status == Status.RURAL_SHARE_UNATTAINABLE
    assert result.selected == ()
    assert result.message.startswith("Der Mindestanteil ländlicher Labore von 50 % ist nicht erreichbar")
    assert ReasonCode.MIN_RURAL_SHARE in {r.code for r in result.explanations["city"].reasons}


def test_optimiser_rural_share_is_met_exactly() -> None:
    candidates = [
        _c("u1", 90, 1000, rural=False, rank=1),
        _c("u2", 80, 1000, rural=False, rank=2),
        _c("r1", 10, 1000, rural=True, rank=3),
    ]
    result = optimise(candidates, Rules(budget=Decimal(10_000), max_labs=3, min_rural_share=Decimal("0.5")))
    assert {g.id for g in result.selected} == {"u1", "r1"}


def test_optimiser_without_eligible_candidates() -> None:
    result = optimise([_c("big", 10, 500_000)], Rules(budget=Decimal(100_000), max_labs=3))
    assert result.status == Status.NO_ELIGIBLE
    assert result.explanations["big"].text == (
        "Der beantragte Betrag von 500.000,00 € übersteigt das Budget von 100.000,00 €."
    )
    assert optimise([], Rules(budget=Decimal(1), max_labs=1)).status == Status.NO_ELIGIBLE


def test_optimiser_rejects_inexact_input() -> None:
    with pytest.raises(ValueError, match="two decimal places"):
        optimise([Candidate("x", 1, Decimal("1.001"), "01", True, 0)], Rules(budget=Decimal(10), max_labs=1))
    with pytest.raises(ValueError, match="decimal places"):
        optimise(
            [Candidate("x", Decimal("1.0000001"), Decimal(1), "01", True, 0)],
            Rules(budget=Decimal(10), max_labs=1),
        )
    with pytest.raises(ValueError, match="negative"):
        optimise([Candidate("x", -1, Decimal(1), "01", True, 0)], Rules(budget=Decimal(10), max_labs=1))


def test_format_helpers() -> None:
    assert format_eur(4_200_000) == "42.000,00 €"
    assert format_eur(5) == "0,05 €"
    assert format_number(Decimal("71.50")) == "71,5"
    assert format_number(Decimal("1234.25")) == "1.234,25"
    assert format_number(60) == "60"
