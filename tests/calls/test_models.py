"""Invariants held by the database itself."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from oglabs.calls import timeline
from oglabs.calls.models import APPLICANT_KINDS, Call, Challenge, EligibilityRules, Phase, PhaseKind
from oglabs.places.models import MunicipalityKind
from tests.factories.calls import DEADLINE, NOW, make_call


def bare_call(**overrides: object) -> Call:
    values: dict[str, object] = {
        "slug": "roh",
        "title": "Roh",
        "sponsor": "BMI",
        "programme": "BULE",
        "budget": Decimal("1.00"),
        "max_labs": 1,
        "funding_starts_on": dt.date(2020, 1, 1),
        "funding_ends_on": dt.date(2020, 1, 1),
        "contact_email": "a@example.org",
        "created_at": NOW,
        "updated_at": NOW,
    }
    values.update(overrides)
    return Call.objects.create(**values)


def assert_refused(create: object) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        create()  # type: ignore[operator]  # a callable


@pytest.mark.django_db
def test_call_budget_may_be_zero_but_not_negative():
    bare_call(budget=Decimal("0.00"))
    assert_refused(lambda: bare_call(slug="negativ", budget=Decimal("-0.01")))


@pytest.mark.django_db
def test_call_needs_at_least_one_lab():
    assert_refused(lambda: bare_call(max_labs=0))


@pytest.mark.django_db
def test_call_funding_end_not_before_start():
    assert_refused(lambda: bare_call(funding_ends_on=dt.date(2019, 12, 31)))


@pytest.mark.django_db
def test_call_currency_is_euro():
    assert_refused(lambda: bare_call(currency="USD"))


@pytest.mark.django_db
def test_call_slug_is_unique():
    bare_call()
    assert_refused(lambda: bare_call())


@pytest.mark.django_db
def test_phase_of_same_kind_twice_is_refused():
    call = make_call()
    assert_refused(lambda: Phase.objects.create(call=call, kind="workshop", starts_at=NOW, ends_at=NOW))


@pytest.mark.django_db
def test_phase_ending_before_start_is_refused():
    call = bare_call()
    assert_refused(
        lambda: Phase.objects.create(
            call=call, kind="workshop", starts_at=NOW, ends_at=NOW - dt.timedelta(seconds=1)
        )
    )


@pytest.mark.django_db
def test_deadline_phase_must_be_an_instant():
    call = bare_call()
    assert_refused(lambda: Phase.objects.create(call=call, kind="deadline", starts_at=NOW, ends_at=DEADLINE))
    Phase.objects.create(call=call, kind="deadline", starts_at=DEADLINE, ends_at=DEADLINE)


@pytest.mark.django_db
def test_phase_kind_must_be_known():
    call = bare_call()
    assert_refused(lambda: Phase.objects.create(call=call, kind="party", starts_at=NOW, ends_at=NOW))


@pytest.mark.django_db
def test_phase_keeps_microseconds_of_deadline():
    call = bare_call()
    Phase.objects.create(call=call, kind="deadline", starts_at=DEADLINE, ends_at=DEADLINE)
    assert Phase.objects.get(call=call).ends_at == DEADLINE


@pytest.mark.django_db
def test_eligibility_needs_at_least_one_municipality():
    call = bare_call()
    assert_refused(lambda: EligibilityRules.objects.create(call=call, min_municipalities=0))


@pytest.mark.django_db
def test_challenge_key_unique_per_call():
    call = make_call()
    assert_refused(
        lambda: Challenge.objects.create(call=call, key="migration", label="Migration", position=99)
    )


def test_applicant_kinds_match_municipality_kinds():
    assert set(APPLICANT_KINDS) == {kind.value for kind in MunicipalityKind}


def test_phase_kinds_match_timeline_order():
    assert tuple(kind.value for kind in PhaseKind) == timeline.PHASE_ORDER
