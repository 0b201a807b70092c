"""The database configuration holds under concurrent writers (SQLite: WAL + IMMEDIATE, and a fair
queue for writers)."""

from __future__ import annotations

import fcntl
import os
import threading

import pytest
from django.contrib.sessions.models import Session
from django.db import connection, connections, transaction
from django.utils import timezone

WRITERS = 8
WRITES_EACH = 15


@pytest.mark.django_db(transaction=True)
def test_concurrent_read_then_write_transactions_all_succeed():
    Session.objects.create(session_key="counter", session_data="0", expire_date=timezone.now())
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(WRITES_EACH):
                with transaction.atomic():
                    # read first, then write: the pattern that fails with DEFERRED transactions
                    counter = Session.objects.select_for_update().get(session_key="counter")
                    counter.session_data = str(int(counter.session_data) + 1)
                    counter.save(update_fields=["session_data"])
                    Session.objects.create(
                        session_key=f"w{n}-{i}", session_data="x", expire_date=timezone.now()
                    )
        except BaseException as error:  # collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Session.objects.get(session_key="counter").session_data == str(WRITERS * WRITES_EACH)
    assert Session.objects.count() == WRITERS * WRITES_EACH + 1


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_when_sqlite():
    if connection.vendor != "sqlite":
        assert connection.vendor == "postgresql"
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1


def _queue_is_free(path: str) -> bool:
    """Whether another open file of the writers' queue can take its lock right now."""
    descriptor = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(descriptor)  # closing releases a lock taken here
    return True


@pytest.mark.django_db(transaction=True)
def test_sqlite_writers_queue_for_the_lock_only_while_a_transaction_runs():
    """SQLite only (ADR 0001): a transaction holds the writers' queue from BEGIN to COMMIT or
    ROLLBACK; statements outside a transaction and readers never take it."""
    if connection.vendor != "sqlite":
        assert connection.vendor == "postgresql"
        return
    Session.objects.create(session_key="outside", session_data="x", expire_date=timezone.now())
    path = f"{connection.settings_dict['NAME']}-writers"
    assert _queue_is_free(path)
    with transaction.atomic():
        Session.objects.create(session_key="inside", session_data="x", expire_date=timezone.now())
        assert not _queue_is_free(path)
    assert _queue_is_free(path)
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        Session.objects.create(session_key="rolled back", session_data="x", expire_date=timezone.now())
        assert not _queue_is_free(path)
        _ = 1 / 0
    assert _queue_is_free(path)
    assert sorted(Session.objects.values_list("session_key", flat=True)) == ["inside", "outside"]
