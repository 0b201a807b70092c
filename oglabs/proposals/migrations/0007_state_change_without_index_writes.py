"""A change of a proposal's state writes no index: the index on (call, state) goes, and on
PostgreSQL the table keeps room in its pages for the next version of a row.

A proposal changes its state (submission, check, selection) and its working fields (every save)
far more often than a call is listed. With ``state`` in an index every change of state wrote a
new entry into each of the table's eight indexes (PostgreSQL writes every index of a row whose
indexed columns changed); without it, and with room on the row's page (fillfactor 70: a row is
about 1 KB), PostgreSQL updates the row in place ("heap-only tuple") and writes no index at
all, also for the saves. SQLite rewrites only the index entries whose columns changed: one
index fewer. The call's proposals are found through the index of its foreign key, as before;
a call has some hundreds of proposals at most, whose state is read from the rows
(docs/performance.md, the deadline rush).

The fillfactor applies to pages written from now on; ``VACUUM FULL proposals_proposal`` makes
room in the existing ones as well.
"""

from django.db import migrations


def fillfactor(value):
    """A migration step that sets the table's fillfactor (PostgreSQL; SQLite has none)."""

    def step(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f'ALTER TABLE "proposals_proposal" SET (fillfactor = {value})')

    return step


class Migration(migrations.Migration):
    dependencies = [("proposals", "0006_content_inline")]

    operations = [
        migrations.RemoveIndex(model_name="proposal", name="proposal_call_state_idx"),
        migrations.RunPython(fillfactor(70), fillfactor(100)),
    ]
