"""Review settings and criteria: the default set, adding and changing, locked after the first
score; staff only; refusals change nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from oglabs.reviews import queries, services
from oglabs.reviews.criteria_defaults import DEFAULT_CRITERIA
from oglabs.reviews.exceptions import (
    CriteriaExist,
    CriteriaLocked,
    CriterionOfOtherCall,
    InvalidCriterion,
    InvalidSettings,
    NotStaff,
)
from oglabs.reviews.models import Criterion, ReviewSettings
from tests.factories.accounts import AdminFactory, JurorFactory, StaffFactory
from tests.factories.proposals import NOW, CallFactory
from tests.factories.reviews import CriterionFactory, ScoreFactory
from tests.reviews.scenario import actions_since, events_since, last_sequence

pytestmark = pytest.mark.django_db

LATER = NOW + dt.timedelta(days=20)

SETTINGS = {
    "reviews_per_proposal": 2,
    "max_load": 5,
    "blind_until_submitted": False,
    "aggregation": "median",
    "normalise": True,
    "conflict_same_district": False,
    "conflict_same_organisation": True,
    "conflict_same_state": True,
}


def _criterion_kwargs(**overrides):  # type: ignore[no-untyped-def]
    values = {
        "key": "wirkung",
        "name": "Wirkung",
        "description": "Was bewirkt das Labor?",
        "weight": Decimal("5"),
        "scale_min": 0,
        "scale_max": 5,
        "min_score": None,
    }
    values.update(overrides)
    return values


def test_review_settings_default_unsaved_then_saved_with_one_event():
    call, staff = CallFactory(), StaffFactory()
    default = queries.review_settings(call)
    assert default.pk == call.pk and not ReviewSettings.objects.filter(call=call).exists()
    assert (default.reviews_per_proposal, default.max_load, default.blind_until_submitted) == (3, 12, True)
    before = last_sequence()

    saved = services.update_review_settings(call, **SETTINGS, actor=staff, now=LATER)

    stored = ReviewSettings.objects.get(call=call)
    assert {name: getattr(stored, name) for name in SETTINGS} == SETTINGS
    assert saved.updated_at == stored.updated_at == LATER
    [(action, target, data)] = events_since(before)
    assert (action, target, data["created"]) == ("reviews.settings_updated", f"calls.call:{call.pk}", True)
    assert data["before"]["reviews_per_proposal"] == 3 and data["after"]["aggregation"] == "median"

    services.update_review_settings(call, **{**SETTINGS, "max_load": 7}, actor=AdminFactory(), now=LATER)
    assert ReviewSettings.objects.get(call=call).max_load == 7


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"reviews_per_proposal": 0},
            "Die Zahl der Gutachten je Interessenbekundung muss zwischen 1 und 50 liegen.",
        ),
        ({"max_load": 0}, "Die Höchstzahl der Gutachten je Jurymitglied muss zwischen 1 und 1000 liegen."),
        ({"aggregation": "mode"}, "Bitte wählen Sie Mittelwert oder Median."),
    ],
)
def test_update_review_settings_refuses_bad_values_and_changes_nothing(change, message):  # type: ignore[no-untyped-def]
    call = CallFactory()
    before = last_sequence()
    with pytest.raises(InvalidSettings) as error:
        services.update_review_settings(call, **{**SETTINGS, **change}, actor=StaffFactory(), now=LATER)
    assert str(error.value) == message
    assert not ReviewSettings.objects.filter(call=call).exists()
    assert actions_since(before) == []


def test_update_review_settings_refuses_a_juror():
    call = CallFactory()
    with pytest.raises(NotStaff) as error:
        services.update_review_settings(call, **SETTINGS, actor=JurorFactory(), now=LATER)
    assert str(error.value) == "Dies darf nur das Programmteam."
    assert not ReviewSettings.objects.filter(call=call).exists()


def test_create_default_criteria_six_weighted_criteria_from_the_call_aims():
    call, staff = CallFactory(), StaffFactory()
    before = last_sequence()

    created = services.create_default_criteria(call, actor=staff, now=LATER)

    assert [(c.position, c.key, c.weight, c.scale_min, c.scale_max, c.min_score) for c in created] == [
        (1, "zusammenarbeit", Decimal("25.00"), 0, 10, None),
        (2, "laboraufgaben", Decimal("20.00"), 0, 10, None),
        (3, "regionalbezug", Decimal("20.00"), 0, 10, None),
        (4, "zivilgesellschaft", Decimal("15.00"), 0, 10, None),
        (5, "uebertragbarkeit", Decimal("10.00"), 0, 10, None),
        (6, "wirtschaftlichkeit", Decimal("10.00"), 0, 10, None),
    ]
    assert created[0].name == "Qualität der Zusammenarbeit von Verwaltung, Politik und Zivilgesellschaft"
    assert all(c.description for c in created)
    assert sum(c.weight for c in DEFAULT_CRITERIA) == Decimal(100)
    assert actions_since(before) == ["reviews.default_criteria_created"]


def test_create_default_criteria_refused_when_the_call_has_criteria_or_scores():
    call, staff = CallFactory(), StaffFactory()
    CriterionFactory(call=call, key="eigenes")
    before = last_sequence()
    with pytest.raises(CriteriaExist):
        services.create_default_criteria(call, actor=staff, now=LATER)
    ScoreFactory(criterion=Criterion.objects.get(call=call), review__juror__call=call)
    with pytest.raises(CriteriaLocked):
        services.create_default_criteria(call, actor=staff, now=LATER)
    assert list(Criterion.objects.filter(call=call).values_list("key", flat=True)) == ["eigenes"]
    assert actions_since(before) == []


def test_save_criterion_adds_last_and_changes_with_one_event_each():
    call, staff = CallFactory(), StaffFactory()
    services.create_default_criteria(call, actor=staff, now=LATER)
    before = last_sequence()

    added = services.save_criterion(
        call, **_criterion_kwargs(weight="7,5", min_score="2.5", key=" wirkung "), actor=staff, now=LATER
    )
    changed = services.save_criterion(
        call,
        criterion=added,
        **_criterion_kwargs(name="  Wirkung in der Region ", weight=Decimal("8")),
        actor=staff,
        now=LATER,
    )

    added.refresh_from_db()
    assert (added.position, added.key, added.name, added.weight, added.scale_max, added.min_score) == (
        7,
        "wirkung",
        "Wirkung in der Region",
        Decimal("8.00"),
        5,
        None,
    )
    assert changed.pk == added.pk
    events = events_since(before)
    assert [action for action, _, _ in events] == ["reviews.criterion_added", "reviews.criterion_changed"]
    assert events[0][2]["after"]["min_score"] == "2.50"
    assert events[1][2]["before"]["weight"] == "7.50"


def test_save_criterion_reports_every_invalid_field_and_changes_nothing():
    call, staff = CallFactory(), StaffFactory()
    CriterionFactory(call=call, key="doppelt")
    before = last_sequence()
    with pytest.raises(InvalidCriterion) as error:
        services.save_criterion(
            call,
            **_criterion_kwargs(key="doppelt", name=" ", weight="0", scale_min=5, scale_max=5, min_score="3"),
            actor=staff,
            now=LATER,
        )
    assert error.value.errors == {
        "key": ["Der Schlüssel „doppelt“ ist in diesem Aufruf bereits vergeben."],
        "name": ["Bitte geben Sie eine Bezeichnung an."],
        "weight": [
            "Das Gewicht ist eine Zahl größer als 0 und höchstens 9999.99 mit höchstens zwei Nachkommastellen."
        ],
        "scale_max": [
            "Die Skala reicht von einer ganzen Zahl ab 0 bis zu einer größeren ganzen Zahl (höchstens 1000)."
        ],
        "min_score": [
            "Die Mindestpunktzahl muss innerhalb der Skala liegen (höchstens zwei Nachkommastellen)."
        ],
    }
    with pytest.raises(InvalidCriterion) as error:
        services.save_criterion(
            call, **_criterion_kwargs(key="Mit Leerzeichen", min_score="6"), actor=staff, now=LATER
        )
    assert set(error.value.errors) == {"key", "min_score"}
    assert Criterion.objects.filter(call=call).count() == 1
    assert actions_since(before) == []


def test_save_and_delete_criterion_refused_once_a_score_exists():
    call, staff = CallFactory(), StaffFactory()
    criterion = CriterionFactory(call=call, key="a", name="A")
    ScoreFactory(criterion=criterion, review__juror__call=call, value=None, comment="erst ein Gedanke")
    before = last_sequence()

    with pytest.raises(CriteriaLocked) as error:
        services.save_criterion(
            call, criterion=criterion, **_criterion_kwargs(key="a"), actor=staff, now=LATER
        )
    assert str(error.value).startswith("Die Kriterien können nicht mehr geändert werden")
    with pytest.raises(CriteriaLocked):
        services.save_criterion(call, **_criterion_kwargs(), actor=staff, now=LATER)
    with pytest.raises(CriteriaLocked):
        services.delete_criterion(criterion, actor=staff, now=LATER)

    criterion.refresh_from_db()
    assert (criterion.name, Criterion.objects.filter(call=call).count()) == ("A", 1)
    assert actions_since(before) == []


def test_delete_criterion_before_scores_with_one_event():
    call, staff = CallFactory(), StaffFactory()
    criterion = CriterionFactory(call=call, key="a")
    before = last_sequence()
    services.delete_criterion(criterion, actor=staff, now=LATER)
    assert not Criterion.objects.filter(call=call).exists()
    assert events_since(before) == [
        (
            "reviews.criterion_deleted",
            f"reviews.criterion:{criterion.pk}",
            {
                "call": call.pk,
                "before": {
                    "key": "a",
                    "name": criterion.name,
                    "weight": "1.00",
                    "scale_min": 0,
                    "scale_max": 10,
                    "min_score": None,
                },
            },
        )
    ]


def test_save_criterion_refuses_a_criterion_of_another_call_and_non_staff():
    call, staff = CallFactory(), StaffFactory()
    foreign = CriterionFactory(key="fremd")
    with pytest.raises(CriterionOfOtherCall):
        services.save_criterion(call, criterion=foreign, **_criterion_kwargs(), actor=staff, now=LATER)
    with pytest.raises(NotStaff):
        services.save_criterion(call, **_criterion_kwargs(), actor=JurorFactory(), now=LATER)
    with pytest.raises(NotStaff):
        services.delete_criterion(foreign, actor=JurorFactory(), now=LATER)
    assert not Criterion.objects.filter(call=call).exists()
    assert Criterion.objects.filter(pk=foreign.pk).exists()
