"""The database configuration holds under concurrent writers (SQLite: WAL + IMMEDIATE)."""

from __future__ import annotations

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
