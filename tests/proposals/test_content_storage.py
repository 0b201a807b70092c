"""PostgreSQL keeps the frozen and the prepared content in their rows, compressed with LZ4
(migration 0006): a submission copies it without touching a TOAST table."""

from __future__ import annotations

import pytest
from django.db import connection

from oglabs.proposals.models import PreparedSubmission, ProposalVersion

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's storage settings"),
]


def test_content_columns_are_stored_inline_with_lz4() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, a.attstorage, a.attcompression
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
            WHERE a.attname = 'content' AND c.relname = ANY(%s)
            ORDER BY c.relname
            """,
            [[PreparedSubmission._meta.db_table, ProposalVersion._meta.db_table]],
        )
        assert cursor.fetchall() == [
            ("proposals_preparedsubmission", "m", "l"),
            ("proposals_proposalversion", "m", "l"),
        ]
