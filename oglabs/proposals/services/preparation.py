"""The prepared submission: a draft's submission worked out when the draft is saved.

A submission is a function of the draft at one ``content_version`` and of the call as it stands
(``Call.revision`` counts every change of its rules or phases): the canonical content
and its SHA-256, whether every eligibility rule is met, the submission window. Saving works it
out once, after the save's commit, and keeps it in ``PreparedSubmission``; the submission at
the deadline then only checks that the row still belongs to the draft as it stands and copies
it (``submission.submit_proposal``). See ADR 0009.

The row is written only if the draft still has the ``content_version`` it was worked out from,
and never replaces a row of a later ``content_version``; a row that does not match the draft is
never used, so a save that was not followed by a preparation (or any other write to the
content) only costs the submission its shortcut, never its correctness. Writers that change
the content without a save (a partner's confirmation, a letter of intent, a merge) count the
change in their transaction (``count_content_change``) and, after it, ``prepare_again``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import F

from oglabs.calls import timeline
from oglabs.core.canonical import normalise
from oglabs.proposals import queries
from oglabs.proposals.eligibility import check_eligibility, is_eligible
from oglabs.proposals.hashing import version_hash
from oglabs.proposals.models import PreparedSubmission, Proposal
from oglabs.proposals.states import ProposalState


def prepare_submission(proposal: Proposal, *, now: datetime) -> bool:
    """Work out the submission of ``proposal`` as loaded and keep it, if the draft still is at
    ``proposal.content_version``. ``proposal`` must hold the content of that version (loaded by
    ``queries.get_proposal_for_member`` or returned by ``save_section``; relations that are
    not loaded are read). Returns whether a row was written.

    Only drafts are prepared: a revision's submission changes the stage and takes the full path.
    """
    if proposal.state != ProposalState.DRAFT:
        return False
    window = timeline.submission_window(proposal.call.phase_spans())
    if window is None:
        return False
    findings = check_eligibility(*queries.eligibility_inputs(proposal))
    content = normalise(queries.proposal_content(proposal))
    assert isinstance(content, dict)
    ops = connection.ops
    values: list[Any] = [
        proposal.call.revision,
        proposal.stage,
        ops.adapt_json_value(content, None),
        version_hash(content),
        is_eligible(findings),
        ops.adapt_datetimefield_value(window[0]),
        ops.adapt_datetimefield_value(window[1]),
        ops.adapt_datetimefield_value(now),
        proposal.pk,
        proposal.content_version,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT_SQL, values)
        return bool(cursor.rowcount)


def count_content_change(proposal_id: int) -> None:
    """Count a change of the content that is no save of the form (a partner's confirmation, a
    letter of intent, a merge), in the caller's transaction: a prepared submission of the
    content before it is no longer used. ``prepare_again`` then works it out anew."""
    Proposal.objects.filter(pk=proposal_id).update(content_version=F("content_version") + 1)


def prepare_again(proposal_id: int, *, now: datetime) -> bool:
    """Load the proposal with its content and prepare its submission (after a change counted by
    ``count_content_change`` committed). Returns whether a row was written."""
    proposal = queries.get_proposal_with_content(proposal_id)
    return proposal is not None and prepare_submission(proposal, now=now)


def _upsert_sql() -> str:
    prepared = PreparedSubmission._meta.db_table
    proposals = Proposal._meta.db_table
    columns = (
        "call_revision",
        "stage",
        "content",
        "sha256",
        "eligible",
        "opens_at",
        "closes_at",
        "prepared_at",
    )
    # INSERT … SELECT … ON CONFLICT: the same text for SQLite and PostgreSQL. The SELECT's
    # WHERE is the condition (the draft is still at this content_version); the conflict clause's
    # WHERE keeps a row worked out from a later version.
    return (
        f'INSERT INTO "{prepared}" ("proposal_id", "content_version", '  # noqa: S608  # names from the models
        + ", ".join(f'"{name}"' for name in columns)
        + ') SELECT "id", "content_version", '
        + ", ".join(["%s"] * len(columns))
        + f' FROM "{proposals}" WHERE "id" = %s AND "content_version" = %s AND "state" = \'draft\' '
        + 'ON CONFLICT ("proposal_id") DO UPDATE SET "content_version" = excluded."content_version", '
        + ", ".join(f'"{name}" = excluded."{name}"' for name in columns)
        + f' WHERE "{prepared}"."content_version" <= excluded."content_version"'
    )


_UPSERT_SQL = _upsert_sql()
