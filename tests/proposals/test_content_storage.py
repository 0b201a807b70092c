"""PostgreSQL keeps the frozen and the prepared content in their rows, compressed with LZ4
(migration 0006): a submission copies it without touching a TOAST table. SQLite keeps values
in their rows anyway and compresses nothing: there the migration sets nothing."""

from __future__ import annotations

import pytest
from django.db import connection

from oglabs.proposals.models import PreparedSubmission, ProposalVersion

pytestmark = pytest.mark.django_db

TABLES = [PreparedSubmission._meta.db_table, ProposalVersion._meta.db_table]


def test_content_columns_are_stored_inline_with_lz4() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            declared = []
            for table in TABLES:
                cursor.execute(f'PRAGMA table_info("{table}")')
                declared += [(table, row[2]) for row in cursor.fetchall() if row[1] == "content"]
            assert declared == [(TABLES[0], "TEXT"), (TABLES[1], "TEXT")]
            return
        assert connection.vendor == "postgresql"
        cursor.execute(
            """
            SELECT c.relname, a.attstorage, a.attcompression
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
            WHERE a.attname = 'content' AND c.relname = ANY(%s)
            ORDER BY c.relname
            """,
            [TABLES],
        )
        assert cursor.fetchall() == [(TABLES[0], "m", "l"), (TABLES[1], "m", "l")]
