"""Scoring: weighted sums, mean/median, per-juror normalisation, Krippendorff's alpha."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oglabs.reviews.aggregation import (
    Criterion,
    Review,
    ScoringError,
    aggregate,
    krippendorff_alpha_interval,
    normalise,
    weighted_sum,
)

CRITERIA = [
    Criterion("cooperation", Decimal("0.3"), Decimal(0), Decimal(10)),
    Criterion("tasks", Decimal("0.5"), Decimal(0), Decimal(10)),
    Criterion("rural", Decimal("0.2"), Decimal(0), Decimal(10)),
]


def test_weighted_sum_is_exact() -> None:
    assert weighted_sum({"cooperation": 7, "tasks": Decimal("8.5"), "rural": 10}, CRITERIA) == Decimal("8.35")


def test_weighted_sum_missing_unknown_or_out_of_scale_criterion_is_an_error() -> None:
    with pytest.raises(ScoringError, match="Kriterium nicht bewertet: rural"):
        weighted_sum({"cooperation": 7, "tasks": 8}, CRITERIA)
    with pytest.raises(ScoringError, match="Unbekanntes Kriterium: extra"):
        weighted_sum({"cooperation": 7, "tasks": 8, "rural": 1, "extra": 1}, CRITERIA)
    with pytest.raises(ScoringError, match="außerhalb der Skala"):
        weighted_sum({"cooperation": 11, "tasks": 8, "rural": 1}, CRITERIA)


REVIEWS = [
    Review("P1", "harsh", Decimal(4)),
    Review("P2", "harsh", Decimal(6)),
    Review("P1", "mild", Decimal(8)),
    Review("P2", "mild", Decimal(10)),
    Review("P3", "mild", Decimal(9)),
]


def test_aggregate_mean_and_median() -> None:
    assert aggregate(REVIEWS) == {"P1": Decimal("6.0000"), "P2": Decimal("8.0000"), "P3": Decimal("9.0000")}
    three = [*REVIEWS, Review("P1", "third", Decimal(1))]
    assert aggregate(three, method="median")["P1"] == Decimal("4.0000")
    assert aggregate(three, method="mean")["P1"] == Decimal("4.3333")


def test_normalise_removes_harshness() -> None:
    normalised = {(r.proposal, r.juror): r.total for r in normalise(REVIEWS)}
    # The harsh juror's low and high become the same as the mild juror's: the ranking they express.
    assert normalised[("P1", "harsh")] < normalised[("P2", "harsh")]
    # mean 7.4, population std of (4, 6, 8, 10, 9) = sqrt(4.64); harsh z = -1, +1
    assert normalised[("P1", "harsh")] == Decimal("5.2459")
    assert normalised[("P2", "harsh")] == Decimal("9.5541")
    scores = aggregate(REVIEWS, normalised=True)
    assert scores["P2"] > scores["P1"]


def test_normalise_juror_with_one_review_or_no_variance_gets_the_overall_mean() -> None:
    reviews = [
        Review("P1", "single", Decimal(2)),
        Review("P1", "flat", Decimal(5)),
        Review("P2", "flat", Decimal(5)),
        Review("P2", "other", Decimal(8)),
    ]
    normalised = {(r.proposal, r.juror): r.total for r in normalise(reviews)}
    assert normalised[("P1", "single")] == Decimal("5.0000")
    assert normalised[("P1", "flat")] == normalised[("P2", "flat")] == Decimal("5.0000")
    assert normalise([]) == []


def test_krippendorff_alpha_interval_matches_the_classic_example() -> None:
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability": 4 observers, 12 units,
    # missing values; interval alpha = 0.849.
    observers = {
        "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
        "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
        "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    }
    data = {f"u{u}": {name: values[u] for name, values in observers.items()} for u in range(12)}
    alpha = krippendorff_alpha_interval(data)
    assert alpha is not None
    assert round(alpha, 3) == 0.849
    assert alpha == 0.8491071428571428


def test_krippendorff_alpha_perfect_agreement_is_one_and_no_variation_is_undefined() -> None:
    reviews = [Review(p, j, Decimal(v)) for p, v in (("P1", 3), ("P2", 7), ("P3", 5)) for j in ("A", "B")]
    assert krippendorff_alpha_interval(reviews) == 1.0
    assert krippendorff_alpha_interval({"P1": {"A": 2, "B": 2}, "P2": {"A": 2, "B": None}}) is None
    assert krippendorff_alpha_interval({"P1": {"A": 2}}) is None
