"""Factories for the jury: criteria, jury seats, conflicts, reviews and scores.

``JurySeatFactory`` is the call's ``Juror`` row (the user factory for the juror *role* is
``accounts.JurorFactory``). Defaults: the juror belongs to "Deutscher Landkreistag" with no home,
so no conflict is detected unless a test sets one.
"""

from __future__ import annotations

from decimal import Decimal

import factory

from oglabs.reviews.models import (
    AssignmentSource,
    ConflictOfInterest,
    ConflictSource,
    Criterion,
    Juror,
    Review,
    ReviewState,
    Score,
)
from tests.factories.accounts import JurorFactory
from tests.factories.proposals import NOW, CallFactory, ProposalFactory


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    call = factory.SubFactory(CallFactory)
    key = factory.Sequence(lambda n: f"kriterium-{n}")
    position = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Kriterium {n}")
    description = "Wie gut erfüllt die Interessenbekundung dieses Kriterium?"
    weight = Decimal("1.00")
    scale_min = 0
    scale_max = 10


class JurySeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Juror

    call = factory.SubFactory(CallFactory)
    user = factory.SubFactory(JurorFactory)
    organisation = "Deutscher Landkreistag"
    expertise = "Digitalisierung, ländlicher Raum"
    added_at = NOW
    conflicts_declared_at = NOW


class ConflictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConflictOfInterest

    juror = factory.SubFactory(JurySeatFactory)
    proposal = factory.SubFactory(ProposalFactory, call=factory.SelfAttribute("..juror.call"))
    source = ConflictSource.DECLARED
    reason = "Ich berate die Gemeinde ehrenamtlich."
    created_at = NOW


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    juror = factory.SubFactory(JurySeatFactory)
    proposal = factory.SubFactory(ProposalFactory, call=factory.SelfAttribute("..juror.call"))
    source = AssignmentSource.AUTOMATIC
    state = ReviewState.OPEN
    assigned_at = NOW
    updated_at = NOW


class ScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Score

    review = factory.SubFactory(ReviewFactory)
    criterion = factory.SubFactory(CriterionFactory, call=factory.SelfAttribute("..review.proposal.call"))
    value = 5
