"""Concurrent writers never fork the chain."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from django.db import connection, transaction

from oglabs.audit.chain import verify_chain
from oglabs.audit.models import AuditEvent
from oglabs.audit.queries import chain_entries
from oglabs.audit.services import record_event

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
WRITERS = 6
EVENTS_PER_WRITER = 5


def _write(barrier: threading.Barrier, writer: int, errors: list[BaseException]) -> None:
    try:
        barrier.wait()
        for number in range(EVENTS_PER_WRITER):
            with transaction.atomic():
                record_event(
                    actor=None,
                    action="test.written",
                    target_type="writer",
                    target_id=str(writer),
                    data={"number": number},
                    now=NOW,
                )
    except BaseException as error:  # handed to the test thread, which fails on it
        errors.append(error)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_record_event_concurrent_writers_keep_one_chain() -> None:
    barrier = threading.Barrier(WRITERS)
    errors: list[BaseException] = []
    threads = [threading.Thread(target=_write, args=(barrier, writer, errors)) for writer in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert list(AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True)) == list(
        range(1, WRITERS * EVENTS_PER_WRITER + 1)
    )
    assert verify_chain(chain_entries()) is None
