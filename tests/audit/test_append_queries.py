"""Appending to the audit log at a pinned number of queries: it is on every write path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection, transaction

from oglabs.audit.chain import verify_chain
from oglabs.audit.models import AuditEvent
from oglabs.audit.queries import chain_entries
from oglabs.audit.services import record_event

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def anchor_lock() -> int:
    """The lock on the first event: only on databases with ``SELECT ... FOR UPDATE``."""
    return 1 if connection.features.has_select_for_update else 0


@pytest.mark.django_db
def test_record_event_in_callers_transaction_reads_tail_and_inserts(django_assert_num_queries: Any) -> None:
    """Tail and insert (plus the anchor on PostgreSQL); no savepoint once the log has events."""
    record_event(actor=None, action="test.first", target_type="test", data={}, now=NOW)
    with transaction.atomic(), django_assert_num_queries(2 + anchor_lock()):
        event = record_event(
            actor=None, action="test.second", target_type="test", data={}, now=NOW + timedelta(seconds=1)
        )
    assert event.sequence == 2
    assert verify_chain(chain_entries()) is None


@pytest.mark.django_db
def test_record_event_first_events_chain_in_callers_transaction() -> None:
    """The first events, before there is an anchor to lock (on PostgreSQL they are written in
    a savepoint, so that a collision with another writer is retried without spoiling the
    caller's transaction; ``test_concurrency.py`` races them)."""
    with transaction.atomic():
        first = record_event(actor=None, action="test.first", target_type="test", data={}, now=NOW)
        second = record_event(
            actor=None, action="test.second", target_type="test", data={}, now=NOW + timedelta(seconds=1)
        )
    assert (first.sequence, second.sequence) == (1, 2)
    assert list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True)) == [
        "test.first",
        "test.second",
    ]
    assert verify_chain(chain_entries()) is None
