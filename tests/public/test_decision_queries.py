"""The public read model of a decision: its figures equal the jury's and the selection's."""

from __future__ import annotations

import pytest

from oglabs.proposals.states import ProposalState
from oglabs.reviews.results import proposal_results
from oglabs.selection.models import DecisionEntry, Outcome
from oglabs.transparency import public_queries, public_wording
from tests.factories.opendata import decided_call

pytestmark = pytest.mark.django_db

DECIDED = [ProposalState.SELECTED, ProposalState.WAITLISTED, ProposalState.NOT_SELECTED]


def test_criterion_means_equal_the_jury_results_without_void_reviews() -> None:
    built = decided_call(proposals=7, seed=11)
    ids = [proposal.pk for proposal in built.proposals]

    means = public_queries.criterion_means(built.call, ids)

    results = proposal_results(built.call, states=DECIDED)
    assert {row.proposal_id: row.per_criterion for row in results.rows if row.per_criterion} == dict(means)
    # Every proposal has submitted reviews (the last one two, its third is a draft); the first
    # one's void review (its juror declared a conflict) is left out in both.
    assert len(means) == 7


def test_outcome_counts_and_selected_labs_follow_the_entries() -> None:
    built = decided_call(proposals=8)

    decision = public_queries.published_decision(built.call)

    assert decision is not None
    entries = DecisionEntry.objects.filter(decision=built.decision)
    assert [(item.outcome, item.count) for item in decision.outcomes] == [
        (outcome, entries.filter(outcome=outcome).count()) for outcome in public_queries.OUTCOME_ORDER
    ]
    assert [lab.reference for lab in decision.selected] == list(
        entries.filter(outcome=Outcome.SELECTED)
        .order_by("rank")
        .values_list("proposal__reference", flat=True)
    )
    assert sum(land.count for land in decision.lands) == 8
    assert {land.ars for land in decision.lands} == {"12", "13", "14"}


def test_published_decision_is_none_before_publication() -> None:
    built = decided_call(proposals=3, published=False)

    assert public_queries.published_decision(built.call) is None


def test_rules_in_plain_german_name_every_parameter() -> None:
    built = decided_call(proposals=4)
    decision = public_queries.published_decision(built.call)
    assert decision is not None

    sentences = public_wording.rules_sentences(decision)

    assert sentences[:4] == [
        "Ausgewählt werden höchstens 3 Labore.",
        "Zusammen erhalten die ausgewählten Labore höchstens 450.000 €.",
        "Aus einem Land werden höchstens 2 Labore ausgewählt (Land der federführenden Kommune).",
        "Mindestens 50 % der ausgewählten Labore liegen im ländlichen Raum: ihre federführende Kommune ist "
        "gering besiedelt (Grad der Verstädterung 3).",
    ]
    assert "Jedes ausgewählte Labor erhält den vollen beantragten Betrag." in sentences
