"""record_event: appends a hash-chained event in the caller's transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from oglabs.audit.chain import GENESIS, event_hash, verify_chain
from oglabs.audit.models import AuditEvent
from oglabs.audit.queries import chain_entries
from oglabs.audit.services import record_event
from tests.factories.accounts import StaffFactory, UserFactory

NOW = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)


@pytest.mark.django_db
def test_record_event_first_event_links_to_genesis() -> None:
    staff = StaffFactory(email="team@example.org")
    applicant = UserFactory()

    event = record_event(
        actor=staff, action="user.role_changed", target=applicant, data={"role": "staff"}, now=NOW
    )

    event.refresh_from_db()
    assert event.sequence == 1
    assert event.previous_hash == GENESIS
    assert event.actor_id == staff.pk
    assert event.actor_label == "team@example.org"
    assert (event.target_type, event.target_id) == ("accounts.user", str(applicant.pk))
    assert event.occurred_at == NOW
    assert event.hash == event_hash(
        GENESIS,
        {
            "sequence": 1,
            "occurred_at": NOW,
            "actor_id": staff.pk,
            "actor_label": "team@example.org",
            "action": "user.role_changed",
            "target_type": "accounts.user",
            "target_id": str(applicant.pk),
            "data": {"role": "staff"},
        },
    )


@pytest.mark.django_db
def test_record_event_chains_consecutive_events() -> None:
    first = record_event(actor=None, action="places.imported", target_type="places", data={}, now=NOW)
    second = record_event(
        actor=None, action="places.imported", data={"rows": 11}, now=NOW + timedelta(seconds=1)
    )

    assert (second.sequence, second.previous_hash) == (2, first.hash)
    assert second.actor_label == "System"
    assert verify_chain(chain_entries()) is None


@pytest.mark.django_db
def test_record_event_stores_decimals_and_datetimes_as_strings() -> None:
    event = record_event(
        actor=None,
        action="call.budget_set",
        target_type="calls.call",
        target_id="3",
        data={"budget": Decimal("1500000.00"), "deadline_at": datetime(2026, 5, 31, 22, 0, tzinfo=UTC)},
        now=NOW,
    )

    event.refresh_from_db()
    assert event.data == {"budget": "1500000.00", "deadline_at": "2026-05-31T22:00:00.000000Z"}
    assert verify_chain(chain_entries()) is None


@pytest.mark.django_db
def test_record_event_rolls_back_with_callers_transaction() -> None:
    record_event(actor=None, action="call.created", data={}, now=NOW)

    with pytest.raises(RuntimeError), transaction.atomic():
        record_event(actor=None, action="call.published", data={}, now=NOW)
        raise RuntimeError("the caller failed")
    third = record_event(actor=None, action="call.published", data={}, now=NOW)

    assert list(AuditEvent.objects.order_by("sequence").values_list("sequence", "action")) == [
        (1, "call.created"),
        (2, "call.published"),
    ]
    assert third.sequence == 2


@pytest.mark.django_db
def test_record_event_naive_now_rejected() -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        record_event(actor=None, action="call.created", data={}, now=datetime(2026, 3, 1, 9, 0))

    assert AuditEvent.objects.count() == 0


@pytest.mark.django_db
def test_record_event_float_in_data_rejected() -> None:
    with pytest.raises(TypeError, match="floats are not canonical"):
        record_event(actor=None, action="review.scored", data={"score": 4.5}, now=NOW)

    assert AuditEvent.objects.count() == 0


@pytest.mark.django_db
def test_record_event_target_and_target_type_together_rejected() -> None:
    user = UserFactory()

    with pytest.raises(ValueError, match="either target or target_type"):
        record_event(actor=None, action="x.y", target=user, target_type="accounts.user", data={}, now=NOW)


@pytest.mark.django_db
def test_record_event_empty_action_rejected() -> None:
    with pytest.raises(ValueError, match="action is required"):
        record_event(actor=None, action="", data={}, now=NOW)


@pytest.mark.django_db
def test_audit_event_duplicate_sequence_rejected_by_database() -> None:
    first = record_event(actor=None, action="call.created", data={}, now=NOW)
    forked = AuditEvent(
        sequence=1,
        occurred_at=NOW,
        action="call.created",
        data={},
        previous_hash=GENESIS,
        hash="c" * 64,
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        forked.save()

    assert list(AuditEvent.objects.values_list("hash", flat=True)) == [first.hash]
