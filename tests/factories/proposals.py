"""Factories for calls, places and proposals used by the proposal tests.

Calls are open by default: the open phase started 30 days before ``NOW`` and the deadline is
``DEADLINE`` (31.10.2019 23:59:59.999999 Europe/Berlin), the last accepted instant.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory

from oglabs.calls.models import Call, Challenge, EligibilityRules, Phase
from oglabs.places.models import District, Municipality, State
from oglabs.proposals.models import Proposal

BERLIN = ZoneInfo("Europe/Berlin")
DEADLINE = dt.datetime(2019, 10, 31, 23, 59, 59, 999999, tzinfo=BERLIN)
NOW = dt.datetime(2019, 10, 15, 10, 0, tzinfo=BERLIN)


class StateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = State
        django_get_or_create = ("ars",)

    ars = "12"
    code = "BB"
    name = "Brandenburg"
    population = 2521893
    area_km2 = Decimal("29654.35")


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("ars",)

    ars = "12063"
    state = factory.SubFactory(StateFactory)
    name = "Havelland"
    kind = "Landkreis"
    population = 161909
    area_km2 = Decimal("1727.30")


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("ars",)

    ars = factory.Sequence(lambda n: f"12063{n:07d}")
    ags = factory.LazyAttribute(lambda m: m.ars[:5] + m.ars[-3:] if len(m.ars) == 12 else "")
    name = factory.Sequence(lambda n: f"Gemeinde {n}")
    search_name = factory.LazyAttribute(lambda m: m.name.lower())
    kind = "gemeinde"
    official_type = "Kreisangehörige Gemeinde"
    district = factory.SubFactory(DistrictFactory)
    state = factory.LazyAttribute(lambda m: m.district.state)
    population = 5000
    urbanisation = 3


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Call
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"aufruf-{n}")
    title = "Regionale Open Government Labore"
    sponsor = "Bundesministerium des Innern, für Bau und Heimat"
    programme = "Bundesprogramm Ländliche Entwicklung"
    budget = Decimal("3000000.00")
    budget_reservation = True
    max_labs = 16
    funding_starts_on = dt.date(2020, 1, 1)
    funding_ends_on = dt.date(2022, 12, 31)
    contact_email = "regionale-open-government-labore@bmi.bund.de"
    is_published = True
    created_at = NOW
    updated_at = NOW

    @factory.post_generation
    def setup(self, create: bool, extracted: object, **kwargs: object) -> None:
        if not create:
            return
        Phase.objects.create(call=self, kind="open", starts_at=NOW - dt.timedelta(days=30), ends_at=DEADLINE)
        Phase.objects.create(call=self, kind="deadline", starts_at=DEADLINE, ends_at=DEADLINE)
        EligibilityRules.objects.create(call=self)
        for position, (key, label) in enumerate(
            [("strukturwandel", "Strukturwandel"), ("digitalisierung", "Digitalisierung")], 1
        ):
            Challenge.objects.create(call=self, key=key, label=label, position=position)


class ProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proposal

    call = factory.SubFactory(CallFactory)
    reference = factory.Sequence(lambda n: f"OGL-T-{n:04d}")
    title = "Offenes Havelland"
    lead_municipality = factory.SubFactory(MunicipalityFactory)
    created_at = NOW
    updated_at = NOW
