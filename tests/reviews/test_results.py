"""Results per proposal: raw means per criterion, the aggregated weighted score, Krippendorff's
alpha, minimum scores, void and unsubmitted reviews left out, constant queries."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oglabs.proposals.states import ProposalState
from oglabs.reviews import aggregation
from oglabs.reviews.models import ReviewSettings, ReviewState
from oglabs.reviews.results import CriterionInfo, proposal_results
from tests.factories.proposals import NOW, CallFactory, ProposalFactory
from tests.factories.reviews import (
    ConflictFactory,
    CriterionFactory,
    JurySeatFactory,
    ReviewFactory,
    ScoreFactory,
)

pytestmark = pytest.mark.django_db


def _review(juror, proposal, values, criteria, *, state=ReviewState.SUBMITTED):  # type: ignore[no-untyped-def]
    review = ReviewFactory(
        juror=juror,
        proposal=proposal,
        state=state,
        submitted_at=NOW if state == ReviewState.SUBMITTED else None,
    )
    for criterion, value in zip(criteria, values, strict=True):
        ScoreFactory(review=review, criterion=criterion, value=value)
    return review


@pytest.fixture
def example():  # type: ignore[no-untyped-def]
    """Two criteria (A weight 2, B weight 1), three proposals, two jurors.

    J1: P1 (8, 6) = 22, P2 (5, 5) = 15, P3 (2, 4) = 8; J2: P1 (9, 3) = 21, P2 (6, 2) = 14,
    P3 in draft (does not count)."""
    call = CallFactory()
    a = CriterionFactory(call=call, key="a", name="A", position=1, weight=Decimal("2.00"))
    b = CriterionFactory(
        call=call, key="b", name="B", position=2, weight=Decimal("1.00"), min_score=Decimal("4")
    )
    p1, p2, p3 = (
        ProposalFactory(
            call=call, reference=f"OGL-R-{n}", title=f"Labor {n}", state=ProposalState.IN_COMPETITION
        )
        for n in (1, 2, 3)
    )
    ProposalFactory(call=call, reference="OGL-R-9", state=ProposalState.ELIGIBLE)  # not competing
    j1, j2 = JurySeatFactory(call=call), JurySeatFactory(call=call)
    _review(j1, p1, (8, 6), (a, b))
    _review(j1, p2, (5, 5), (a, b))
    _review(j1, p3, (2, 4), (a, b))
    _review(j2, p1, (9, 3), (a, b))
    _review(j2, p2, (6, 2), (a, b))
    _review(j2, p3, (7, 7), (a, b), state=ReviewState.DRAFT)
    return call, (p1, p2, p3), (j1, j2)


def test_proposal_results_mean_per_criterion_and_alpha_on_known_example(example):  # type: ignore[no-untyped-def]
    call, (_p1, _p2, p3), _ = example

    results = proposal_results(call)

    assert results.criteria == (
        CriterionInfo("a", "A", Decimal("2.00"), 0, 10, None, 1),
        CriterionInfo("b", "B", Decimal("1.00"), 0, 10, Decimal("4.00"), 2),
    )
    assert (results.method, results.normalised, results.complete) == ("mean", False, False)
    assert results.max_score == Decimal("30.00")
    # Units P1 [22, 21], P2 [15, 14]: D_o = 1, D_e = 400/12, alpha = 1 − 12/400 = 0.97.
    assert results.alpha == Decimal("0.9700")
    assert [
        (r.reference, r.score, r.per_criterion, r.reviews_submitted, r.reviews_assigned, r.meets_minimums)
        for r in results.rows
    ] == [
        ("OGL-R-1", Decimal("21.5000"), {"a": Decimal("8.5000"), "b": Decimal("4.5000")}, 2, 2, True),
        ("OGL-R-2", Decimal("14.5000"), {"a": Decimal("5.5000"), "b": Decimal("3.5000")}, 2, 2, False),
        ("OGL-R-3", Decimal("8.0000"), {"a": Decimal("2.0000"), "b": Decimal("4.0000")}, 1, 2, True),
    ]
    assert results.rows[1].below_minimum == ("b",)
    assert results.row_for(p3.pk) == results.rows[2]


def test_proposal_results_median_with_normalisation_uses_the_pure_aggregation(example):  # type: ignore[no-untyped-def]
    call, (p1, p2, p3), (j1, j2) = example
    ReviewSettings.objects.create(call=call, aggregation="median", normalise=True, updated_at=NOW)

    results = proposal_results(call)

    totals = [
        aggregation.Review(str(p1.pk), str(j1.pk), Decimal(22)),
        aggregation.Review(str(p2.pk), str(j1.pk), Decimal(15)),
        aggregation.Review(str(p3.pk), str(j1.pk), Decimal(8)),
        aggregation.Review(str(p1.pk), str(j2.pk), Decimal(21)),
        aggregation.Review(str(p2.pk), str(j2.pk), Decimal(14)),
    ]
    expected = aggregation.aggregate(totals, method="median", normalised=True)
    assert (results.method, results.normalised) == ("median", True)
    assert [r.score for r in results.rows] == [expected[str(p.pk)] for p in (p1, p2, p3)]
    # J1 spreads 22/15/8, J2 21/14: normalised, P1 stays first and P3 last.
    assert results.rows[0].score > results.rows[1].score > results.rows[2].score
    assert results.alpha == Decimal("0.9700")  # agreement is measured on the raw sums


def test_proposal_results_leave_out_the_review_of_a_conflicted_juror(example):  # type: ignore[no-untyped-def]
    call, (p1, _p2, _p3), (_j1, j2) = example
    ConflictFactory(juror=j2, proposal=p1)

    row = proposal_results(call).rows[0]

    assert (row.score, row.reviews_submitted, row.reviews_assigned) == (Decimal("22.0000"), 1, 1)
    assert row.per_criterion == {"a": Decimal("8.0000"), "b": Decimal("6.0000")}


def test_proposal_results_without_submitted_reviews_are_unscored():
    call = CallFactory()
    CriterionFactory(call=call, key="a")
    proposal = ProposalFactory(call=call, state=ProposalState.IN_COMPETITION)
    ReviewFactory(juror=JurySeatFactory(call=call), proposal=proposal)

    results = proposal_results(call)

    row = results.rows[0]
    assert (row.score, row.scored, row.meets_minimums, row.per_criterion, row.reviews_assigned) == (
        Decimal("0.0000"),
        False,
        False,
        {},
        1,
    )
    assert (results.alpha, results.complete) == (None, False)


def test_proposal_results_complete_when_every_proposal_has_k_submitted_reviews(example):  # type: ignore[no-untyped-def]
    call, (_p1, _p2, p3), (_j1, j2) = example
    ReviewSettings.objects.create(call=call, reviews_per_proposal=2, updated_at=NOW)
    review = p3.reviews.get(juror=j2)
    review.state, review.submitted_at = ReviewState.SUBMITTED, NOW
    review.save()

    assert proposal_results(call).complete is True


def test_proposal_results_run_a_constant_number_of_queries(example, django_assert_num_queries):  # type: ignore[no-untyped-def]
    call, _, (j1, _j2) = example
    with django_assert_num_queries(6):
        proposal_results(call)
    for n in range(10):
        proposal = ProposalFactory(call=call, state=ProposalState.IN_COMPETITION)
        _review(j1, proposal, (n % 10, 5), tuple(call.criteria.order_by("position")))
    with django_assert_num_queries(6):
        assert len(proposal_results(call).rows) == 13
