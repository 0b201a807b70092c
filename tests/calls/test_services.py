"""create_call and update_call: stored data, German validation messages, one audit event each."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from oglabs.audit.models import AuditEvent
from oglabs.calls.challenges import DEFAULT_CHALLENGES
from oglabs.calls.models import Call, Phase
from oglabs.calls.services import CallValidationError, create_call, update_call
from tests.factories.accounts import StaffFactory
from tests.factories.calls import BERLIN, DEADLINE, NOW, call_data, make_call

LATER = NOW + dt.timedelta(days=1)


def phase_rows(call: Call) -> list[tuple[str, dt.datetime, dt.datetime]]:
    return [
        (p.kind, p.starts_at.astimezone(BERLIN), p.ends_at.astimezone(BERLIN))
        for p in Phase.objects.filter(call=call).order_by("starts_at", "kind")
    ]


def snapshot() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], int]:
    calls = list(Call.objects.order_by("pk").values_list())
    phases = list(Phase.objects.order_by("pk").values_list())
    return calls, phases, AuditEvent.objects.count()


# --- create_call --------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_call_stores_fields_and_rules():
    call = make_call()
    call.refresh_from_db()
    assert call.slug == "aufruf-2019"
    assert call.budget == Decimal("3000000.00")
    assert call.currency == "EUR"
    assert call.budget_reservation is True
    assert call.max_labs == 16
    assert (call.funding_starts_on, call.funding_ends_on) == (dt.date(2020, 1, 1), dt.date(2022, 12, 31))
    assert call.partner_organisation_list == ["Deutscher Städtetag", "Deutscher Landkreistag"]
    assert call.created_at == NOW
    rules = call.eligibility
    assert rules.applicant_kinds == ["stadt", "gemeinde", "landkreis"]
    assert (rules.min_municipalities, rules.min_civil_society_partners) == (1, 1)
    assert (rules.requires_tasks, rules.requires_cost_estimate, rules.requires_own_contribution) == (
        True,
        True,
        False,
    )


@pytest.mark.django_db
def test_create_call_stores_dates_as_berlin_day_boundaries():
    call = make_call()
    assert phase_rows(call) == [
        ("open", dt.datetime(2019, 9, 1, 0, 0, tzinfo=BERLIN), DEADLINE),
        ("deadline", DEADLINE, DEADLINE),
        (
            "workshop",
            dt.datetime(2019, 11, 1, 0, 0, tzinfo=BERLIN),
            dt.datetime(2019, 11, 30, 23, 59, 59, 999999, tzinfo=BERLIN),
        ),
        (
            "selection",
            dt.datetime(2019, 12, 1, 0, 0, tzinfo=BERLIN),
            dt.datetime(2020, 2, 29, 23, 59, 59, 999999, tzinfo=BERLIN),
        ),
    ]


@pytest.mark.django_db
def test_create_call_seeds_the_twelve_challenges_in_order():
    call = make_call()
    rows = list(call.challenges.order_by("position").values_list("position", "key", "label"))
    assert len(rows) == 12
    assert rows[0] == (1, "strukturwandel", "Bewältigung des regionalen Strukturwandels")
    assert [(key, label) for _pos, key, label in rows] == list(DEFAULT_CHALLENGES)


@pytest.mark.django_db
def test_create_call_writes_one_audit_event():
    staff = StaffFactory()
    call = create_call(actor=staff, data=call_data(), now=NOW)
    events = list(AuditEvent.objects.all())
    assert len(events) == 1
    event = events[0]
    assert (event.action, event.target_type, event.target_id, event.actor_id) == (
        "call.created",
        "calls.call",
        str(call.pk),
        staff.pk,
    )
    assert event.data["budget"] == "3000000.00"
    assert event.data["deadline_at"] == "2019-10-31T22:59:59.999999Z"
    assert len(event.data["challenges"]) == 12


@pytest.mark.django_db
def test_create_call_accepts_german_strings():
    call = make_call(
        budget="3.000.000,00",
        max_labs="16",
        funding_starts_on="01.01.2020",
        opens_at="01.09.2019 09:30",
        deadline_at="31.10.2019",
    )
    assert call.budget == Decimal("3000000.00")
    assert call.max_labs == 16
    assert call.funding_starts_on == dt.date(2020, 1, 1)
    open_phase = call.phases.get(kind="open")
    assert open_phase.starts_at == dt.datetime(2019, 9, 1, 9, 30, tzinfo=BERLIN)
    assert open_phase.ends_at == DEADLINE


@pytest.mark.django_db
def test_create_call_with_impossible_date_gives_german_message_and_writes_nothing():
    with pytest.raises(CallValidationError) as raised:
        create_call(actor=None, data=call_data(deadline_at="31.02.2019"), now=NOW)
    assert raised.value.message_dict == {
        "deadline_at": ["„31.02.2019“ ist kein gültiges Datum (TT.MM.JJJJ)."]
    }
    assert snapshot() == ([], [], 0)


@pytest.mark.django_db
def test_create_call_with_deadline_before_opening_gives_german_message_and_writes_nothing():
    with pytest.raises(CallValidationError) as raised:
        create_call(actor=None, data=call_data(opens_at="01.11.2019", deadline_at="31.10.2019"), now=NOW)
    assert raised.value.message_dict == {
        "deadline_at": ["Die Einreichungsfrist muss nach dem Beginn der Einreichungsphase liegen."]
    }
    assert snapshot() == ([], [], 0)


@pytest.mark.django_db
def test_create_call_with_funding_end_before_start_is_refused():
    with pytest.raises(CallValidationError) as raised:
        make_call(funding_starts_on=dt.date(2022, 1, 1), funding_ends_on=dt.date(2021, 12, 31))
    assert raised.value.message_dict == {
        "funding_ends_on": ["Das Förderende darf nicht vor dem Förderbeginn liegen."]
    }
    assert snapshot() == ([], [], 0)


@pytest.mark.django_db
def test_create_call_with_bad_single_values_lists_each_field():
    with pytest.raises(CallValidationError) as raised:
        make_call(
            budget="-5",
            max_labs=0,
            currency="USD",
            contact_email="keine-adresse",
            slug="Großer Aufruf",
            applicant_kinds=["bezirk"],
        )
    assert raised.value.message_dict == {
        "budget": ["Der Betrag darf nicht negativ sein."],
        "max_labs": ["Es muss mindestens ein Labor gefördert werden können."],
        "currency": ["Nur Euro (EUR) wird unterstützt."],
        "contact_email": ["Bitte eine gültige E-Mail-Adresse angeben."],
        "slug": ["Nur Kleinbuchstaben, Ziffern und Bindestriche."],
        "applicant_kinds": ["Unbekannte Art von Kommune: bezirk."],
    }


@pytest.mark.django_db
def test_create_call_without_required_fields_names_them():
    data = call_data()
    for name in ("title", "budget", "opens_at"):
        del data[name]
    with pytest.raises(CallValidationError) as raised:
        create_call(actor=None, data=data, now=NOW)
    assert raised.value.message_dict == {
        "budget": ["Dieses Feld ist erforderlich."],
        "opens_at": ["Dieses Feld ist erforderlich."],
        "title": ["Dieses Feld ist erforderlich."],
    }


@pytest.mark.django_db
def test_create_call_with_taken_slug_is_refused():
    make_call()
    with pytest.raises(CallValidationError) as raised:
        make_call()
    assert raised.value.message_dict == {"slug": ["Diese Kurzbezeichnung ist bereits vergeben."]}
    assert Call.objects.count() == 1
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db
def test_create_call_with_wall_clock_in_repeated_hour_asks_for_offset():
    with pytest.raises(CallValidationError) as raised:
        make_call(opens_at="01.10.2019", deadline_at="27.10.2019 02:30")
    assert raised.value.message_dict == {
        "deadline_at": [
            "„27.10.2019 02:30“ liegt in der Stunde, die bei der Zeitumstellung doppelt vorkommt. "
            "Bitte mit Zeitzone angeben (z. B. +02:00 oder +01:00)."
        ]
    }


@pytest.mark.django_db
def test_create_call_with_offset_in_repeated_hour_stores_that_instant():
    call = make_call(opens_at="01.10.2019", deadline_at="2019-10-27T02:30:00+01:00")
    assert call.phases.get(kind="deadline").starts_at == dt.datetime(2019, 10, 27, 1, 30, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_create_call_workshop_needs_both_edges():
    with pytest.raises(CallValidationError) as raised:
        make_call(workshop_ends_at=None)
    assert raised.value.message_dict == {
        "workshop_ends_at": ["Bitte für den Workshop Beginn und Ende angeben."]
    }


@pytest.mark.django_db
def test_create_call_with_own_challenges_stores_them():
    call = make_call(challenges=[("wasser", "Wasserversorgung")])
    assert list(call.challenges.values_list("key", "label", "position")) == [
        ("wasser", "Wasserversorgung", 1)
    ]


# --- update_call --------------------------------------------------------------------------


@pytest.mark.django_db
def test_update_call_moves_deadline_and_open_phase_end():
    call = make_call()
    update_call(
        call, actor=None, changes={"deadline_at": "07.11.2019", "workshop_starts_at": "08.11.2019"}, now=LATER
    )
    new_deadline = dt.datetime(2019, 11, 7, 23, 59, 59, 999999, tzinfo=BERLIN)
    rows = {kind: (starts, ends) for kind, starts, ends in phase_rows(call)}
    assert rows["open"][1] == new_deadline
    assert rows["deadline"] == (new_deadline, new_deadline)
    assert rows["workshop"][0] == dt.datetime(2019, 11, 8, 0, 0, tzinfo=BERLIN)
    call.refresh_from_db()
    assert call.updated_at == LATER


@pytest.mark.django_db
def test_update_call_writes_one_audit_event_with_the_changes():
    call = make_call()
    update_call(call, actor=None, changes={"max_labs": 12, "title": "Neuer Titel"}, now=LATER)
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event is not None
    assert AuditEvent.objects.count() == 2
    assert event.action == "call.updated"
    assert event.actor_id is None
    assert event.data == {
        "changes": {"max_labs": [16, 12], "title": ["Regionale Open Government Labore", "Neuer Titel"]}
    }


@pytest.mark.django_db
def test_update_call_with_impossible_date_gives_german_message_and_changes_nothing():
    call = make_call()
    before = snapshot()
    with pytest.raises(CallValidationError) as raised:
        update_call(call, actor=None, changes={"deadline_at": "31.02.2019", "max_labs": 3}, now=LATER)
    assert raised.value.message_dict == {
        "deadline_at": ["„31.02.2019“ ist kein gültiges Datum (TT.MM.JJJJ)."]
    }
    assert snapshot() == before


@pytest.mark.django_db
def test_update_call_with_deadline_before_opening_changes_nothing():
    call = make_call()
    before = snapshot()
    with pytest.raises(CallValidationError) as raised:
        update_call(call, actor=None, changes={"deadline_at": dt.date(2019, 8, 31)}, now=LATER)
    assert raised.value.message_dict == {
        "deadline_at": ["Die Einreichungsfrist muss nach dem Beginn der Einreichungsphase liegen."]
    }
    assert snapshot() == before


@pytest.mark.django_db
def test_update_call_without_effective_change_writes_nothing():
    call = make_call()
    before = snapshot()
    update_call(call, actor=None, changes=call_data(), now=LATER)
    assert snapshot() == before


@pytest.mark.django_db
def test_update_call_removes_a_phase_set_to_none():
    call = make_call()
    update_call(call, actor=None, changes={"workshop_starts_at": None, "workshop_ends_at": None}, now=LATER)
    assert [kind for kind, _s, _e in phase_rows(call)] == ["open", "deadline", "selection"]


@pytest.mark.django_db
def test_update_call_refuses_to_remove_the_deadline():
    call = make_call()
    with pytest.raises(CallValidationError) as raised:
        update_call(call, actor=None, changes={"deadline_at": None}, now=LATER)
    assert raised.value.message_dict == {"deadline_at": ["Dieses Feld ist erforderlich."]}


@pytest.mark.django_db
def test_update_call_adds_revision_deadline_after_workshop():
    call = make_call()
    update_call(
        call,
        actor=None,
        changes={"workshop_ends_at": "16.11.2019", "revision_deadline_at": "30.11.2019 12:00"},
        now=LATER,
    )
    at = dt.datetime(2019, 11, 30, 12, 0, tzinfo=BERLIN)
    assert ("revision_deadline", at, at) in phase_rows(call)


@pytest.mark.django_db
def test_update_call_refuses_revision_deadline_inside_workshop():
    call = make_call()
    with pytest.raises(CallValidationError) as raised:
        update_call(call, actor=None, changes={"revision_deadline_at": "15.11.2019 12:00"}, now=LATER)
    assert raised.value.message_dict == {
        "revision_deadline_at": [
            "Die Frist für überarbeitete Projektvorschläge muss nach dem Ende des Workshops liegen."
        ]
    }


@pytest.mark.django_db
def test_update_call_changes_eligibility_rules():
    call = make_call()
    update_call(
        call,
        actor=None,
        changes={"applicant_kinds": ["landkreis", "stadt"], "min_civil_society_partners": 2},
        now=LATER,
    )
    call.eligibility.refresh_from_db()
    assert call.eligibility.applicant_kinds == ["stadt", "landkreis"]
    assert call.eligibility.min_civil_society_partners == 2


@pytest.mark.django_db
def test_update_call_refuses_unknown_field_and_challenges():
    call = make_call()
    with pytest.raises(CallValidationError) as raised:
        update_call(call, actor=None, changes={"colour": "blau", "challenges": []}, now=LATER)
    assert raised.value.message_dict == {
        "colour": ["Dieses Feld kann hier nicht gesetzt werden."],
        "challenges": ["Dieses Feld kann hier nicht gesetzt werden."],
    }


@pytest.mark.django_db
def test_update_call_to_taken_slug_is_refused():
    make_call(slug="erster")
    second = make_call(slug="zweiter")
    with pytest.raises(CallValidationError) as raised:
        update_call(second, actor=None, changes={"slug": "erster"}, now=LATER)
    assert raised.value.message_dict == {"slug": ["Diese Kurzbezeichnung ist bereits vergeben."]}
    second.refresh_from_db()
    assert second.slug == "zweiter"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes",
    [
        {"title": "Ein neuer Titel"},
        {"deadline_at": DEADLINE - dt.timedelta(days=1)},
        {"min_civil_society_partners": 2},
    ],
    ids=["field", "schedule", "rule"],
)
def test_update_call_counts_every_change_in_the_revision(changes):
    """What was worked out from the call as it stood (a prepared submission) names the revision,
    so every change of a field, the schedule or a rule counts; a change without effect does not."""
    call = make_call()
    assert Call.objects.get(pk=call.pk).revision == 0
    update_call(call, actor=None, changes=changes, now=LATER)
    assert Call.objects.get(pk=call.pk).revision == 1
    update_call(call, actor=None, changes=changes, now=LATER)
    assert Call.objects.get(pk=call.pk).revision == 1


def test_only_the_call_services_write_a_calls_phases_rules_or_challenges():
    """The revision is only true if nothing else writes them (``Call.revision``)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "oglabs"
    writes = re.compile(
        r"\b(Phase|EligibilityRules|Challenge)\.objects\.(.*\.)?(create|bulk_create|update|delete|"
        r"update_or_create|get_or_create|bulk_update)\("
        r"|\bcall\.(phases|challenges|eligibility)\.(.*\.)?(create|update|delete|add|set|remove|clear)\("
    )
    assert writes.search('Phase.objects.filter(call=call, kind="open").update(ends_at=now)')
    found = [
        f"{path.relative_to(root)}:{number}"
        for path in sorted(root.rglob("*.py"))
        if "migrations" not in path.parts and path.relative_to(root).as_posix() != "calls/services.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if writes.search(line)
    ]
    assert found == []
