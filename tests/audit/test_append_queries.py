"""Appending to the audit log at a pinned number of queries: it is on every write path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from oglabs.audit.chain import GENESIS, verify_chain
from oglabs.audit.models import AuditChainHead, AuditEvent
from oglabs.audit.queries import chain_entries
from oglabs.audit.services import record_event

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def append_statements() -> int:
    """PostgreSQL moves the head and inserts the event in one statement, SQLite in two."""
    return 1 if connection.vendor == "postgresql" else 2


@pytest.mark.django_db
def test_record_event_in_callers_transaction_moves_the_head_and_inserts(
    django_assert_num_queries: Any,
) -> None:
    """No read of the tail and no savepoint: the head's UPDATE finds it and the database hashes."""
    record_event(actor=None, action="test.first", target_type="test", data={}, now=NOW)
    with transaction.atomic(), django_assert_num_queries(append_statements()):
        event = record_event(
            actor=None, action="test.second", target_type="test", data={}, now=NOW + timedelta(seconds=1)
        )
    assert event.sequence == 2
    head = AuditChainHead.objects.get()
    assert (head.sequence, head.hash, head.previous_hash) == (2, event.hash, event.previous_hash)
    assert verify_chain(chain_entries()) is None


@pytest.mark.django_db(transaction=True)  # no test transaction around it
def test_record_event_outside_a_transaction_writes_head_and_event_together_or_not_at_all() -> None:
    """On SQLite the head and the event are two statements: outside a caller's transaction they
    run in one of their own, so a refused event does not move the head."""
    record_event(actor=None, action="test.first", target_type="test", data={}, now=NOW)
    AuditChainHead.objects.update(sequence=0, hash=GENESIS, previous_hash=GENESIS)
    with pytest.raises(IntegrityError):
        record_event(actor=None, action="test.second", target_type="test", data={}, now=NOW)
    assert AuditChainHead.objects.get().sequence == 0
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db
def test_the_head_is_written_back_from_the_log_when_it_is_missing() -> None:
    """A database emptied without its migrations (a test's flush, a restore of the events
    alone) has no head: the next append writes it back from the log's last event."""
    first = record_event(actor=None, action="test.first", target_type="test", data={}, now=NOW)
    AuditChainHead.objects.all().delete()
    with transaction.atomic():
        second = record_event(
            actor=None, action="test.second", target_type="test", data={}, now=NOW + timedelta(seconds=1)
        )
    assert (second.sequence, second.previous_hash) == (2, first.hash)
    assert verify_chain(chain_entries()) is None


@pytest.mark.django_db
def test_an_empty_log_starts_from_the_genesis() -> None:
    AuditChainHead.objects.all().delete()
    with transaction.atomic():
        first = record_event(actor=None, action="test.first", target_type="test", data={}, now=NOW)
        second = record_event(
            actor=None, action="test.second", target_type="test", data={}, now=NOW + timedelta(seconds=1)
        )
    assert (first.sequence, first.previous_hash, second.sequence) == (1, GENESIS, 2)
    assert list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True)) == [
        "test.first",
        "test.second",
    ]
    assert verify_chain(chain_entries()) is None


@pytest.mark.django_db
def test_a_head_out_of_step_with_the_log_cannot_fork_the_chain() -> None:
    """Should the head ever point behind the log, the next append collides with the stored
    event (number and predecessor are unique) and is refused; nothing is written."""
    record_event(actor=None, action="test.first", target_type="test", data={}, now=NOW)
    AuditChainHead.objects.update(sequence=0, hash=GENESIS, previous_hash=GENESIS)
    with pytest.raises(IntegrityError), transaction.atomic():
        record_event(actor=None, action="test.second", target_type="test", data={}, now=NOW)
    assert AuditEvent.objects.count() == 1
    assert AuditChainHead.objects.get().sequence == 0
