"""Factories for selection runs, decisions and their entries, written straight to the database.

For tests of what reads a decision (public pages, API, exports) without running the optimiser:
a run with plausible parameters and aggregation record, a decision (unpublished by default; pass
``published_at``), and entries whose proposal is a new proposal of the decision's call. The
service path (reviews, scores, ``selection.services``) is exercised by the selection tests.
"""

from __future__ import annotations

from decimal import Decimal

import factory

from oglabs.selection.models import Decision, DecisionEntry, Outcome, SelectionRun
from tests.factories.accounts import StaffFactory
from tests.factories.proposals import NOW, CallFactory, ProposalFactory

PARAMETERS = {
    "budget": "3000000.00",
    "max_labs": 16,
    "max_per_state": None,
    "min_rural_share": None,
    "min_score": None,
    "min_funding_share": None,
    "explain_top": 10,
    "time_limit": 60.0,
}
AGGREGATION = {
    "method": "mean",
    "normalised": False,
    "alpha": None,
    "complete": True,
    "reviews_per_proposal": 3,
    "max_score": "10.00",
    "criteria": [],
}


class SelectionRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SelectionRun

    call = factory.SubFactory(CallFactory)
    number = factory.Sequence(lambda n: n + 1)
    label = ""
    parameters = factory.LazyFunction(lambda: dict(PARAMETERS))
    inputs = factory.LazyFunction(lambda: {"candidates": [], "excluded": [], "proposals": {}})
    aggregation = factory.LazyFunction(lambda: dict(AGGREGATION))
    result = factory.LazyFunction(dict)
    greedy_result = factory.LazyFunction(dict)
    status = "optimal"
    code_version = "oglabs 0.0.0"
    solver_version = "HiGHS 1.12.0 via scipy 1.17.1"
    duration_ms = 5
    created_at = NOW
    created_by = factory.SubFactory(StaffFactory)


class DecisionFactory(factory.django.DjangoModelFactory):
    """Unpublished unless ``published_at`` is given."""

    class Meta:
        model = Decision

    call = factory.SubFactory(CallFactory)
    run = factory.SubFactory(SelectionRunFactory, call=factory.SelfAttribute("..call"))
    decided_at = NOW
    decided_by = factory.SubFactory(StaffFactory)
    published_at = None


class DecisionEntryFactory(factory.django.DjangoModelFactory):
    """Selected with the full request granted by default; ``outcome=Outcome.NOT_SELECTED`` (or
    waitlisted) grants nothing."""

    class Meta:
        model = DecisionEntry

    decision = factory.SubFactory(DecisionFactory)
    proposal = factory.SubFactory(
        ProposalFactory, call=factory.SelfAttribute("..decision.call"), state="selected"
    )
    outcome = Outcome.SELECTED
    rank = factory.Sequence(lambda n: n + 1)
    score = Decimal("7.5000")
    requested_amount = Decimal("150000.00")
    granted_amount = factory.LazyAttribute(
        lambda entry: entry.requested_amount if entry.outcome == Outcome.SELECTED else Decimal("0.00")
    )
    waitlist_position = None
    explanation = ""
    reason = "Die Interessenbekundung überzeugt in allen Kriterien."
