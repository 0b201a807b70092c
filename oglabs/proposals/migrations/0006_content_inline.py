"""PostgreSQL: the frozen and the prepared content stay in their rows, compressed with LZ4.

A proposal's canonical content is about 5 KB of JSON, about 2.7 KB compressed: just over the
size at which PostgreSQL moves a value out of its row into the table's TOAST table, so every
save wrote, and every submission read and wrote again, a TOAST table and its index. With
storage MAIN the compressed value stays in the row (it is moved out only if the row would not
fit a page); LZ4 compresses and decompresses several times faster than the default pglz
(docs/performance.md, the deadline rush). Values stored before keep their form until written
again. SQLite stores rows as they are; nothing to do there.
"""

from django.db import migrations

COLUMNS = [
    ("proposals_preparedsubmission", "content"),
    ("proposals_proposalversion", "content"),
]


def storage(kind, compression):
    """A migration step that sets the content columns' storage and compression (PostgreSQL)."""

    def step(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table, column in COLUMNS:
            schema_editor.execute(
                f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET STORAGE {kind}, '
                f'ALTER COLUMN "{column}" SET COMPRESSION {compression}'
            )

    return step


class Migration(migrations.Migration):
    dependencies = [("proposals", "0005_prepared_submission")]

    operations = [migrations.RunPython(storage("MAIN", "lz4"), storage("EXTENDED", "DEFAULT"))]
