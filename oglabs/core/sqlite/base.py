"""Django's SQLite backend with a fair queue for writers (ADR 0001).

SQLite lets one transaction write at a time. A writer that finds the write lock taken is left to
SQLite's busy handler, which sleeps and tries again (1, 2, 5, 10, … up to 100 ms between tries):
under a burst of short transactions the lock is free most of that time while the waiting
writers sleep, and the CPU idles. Here every transaction first queues for an exclusive ``flock``
on a file beside the database; the kernel hands the lock to the next waiter the moment it is
released, so writers follow each other without sleeping. ``BEGIN IMMEDIATE`` then finds the
database's write lock free (the busy timeout stays as a fallback for writers that do not queue:
statements in autocommit mode, other programs).

Every transaction is a writer here (``transaction_mode = "IMMEDIATE"``); readers outside a
transaction never queue, and in WAL mode they never wait either. The lock is released when the
transaction ends and, should the process die, by the kernel. In-memory databases do not queue.
"""

from __future__ import annotations

import fcntl
import os
from typing import Any

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    _queue_fd: int | None = None
    _queued = False

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connection = super().get_new_connection(conn_params)
        self._close_queue()
        if not self.is_in_memory_db():
            self._queue_fd = os.open(f"{conn_params['database']}-writers", os.O_RDWR | os.O_CREAT, 0o600)
        return connection

    def _start_transaction_under_autocommit(self) -> None:
        if self._queue_fd is not None and not self._queued:
            fcntl.flock(self._queue_fd, fcntl.LOCK_EX)  # waits in the kernel's queue
            self._queued = True
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # Django's private hook, not in django-stubs
        except BaseException:
            self._leave_queue()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]  # Django's private hook, not in django-stubs
        finally:
            self._leave_queue()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]  # Django's private hook, not in django-stubs
        finally:
            self._leave_queue()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]  # Django's private hook, not in django-stubs
        finally:
            self._close_queue()

    def _leave_queue(self) -> None:
        if self._queued and self._queue_fd is not None:
            fcntl.flock(self._queue_fd, fcntl.LOCK_UN)
        self._queued = False

    def _close_queue(self) -> None:
        self._leave_queue()
        if self._queue_fd is not None:
            os.close(self._queue_fd)
            self._queue_fd = None
