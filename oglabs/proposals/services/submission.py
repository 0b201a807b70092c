"""Submission: rules checked, a version frozen with its SHA-256, the receipt owed.

A submission is worked out in one of two ways, with the same result (the same version, state,
audit event and owed receipt):

* **From the prepared submission** (``preparation.py``): the usual case, and all of a deadline
  rush. The draft's submission was worked out when it was last saved; one transaction checks
  that it still applies and copies it. An UPDATE moves the draft to ``submitted`` only if the
  actor is a member, the prepared row was worked out from the draft's ``content_version`` and
  the call as it stands (``Call.revision``), every rule was met and ``now`` lies in the
  submission window; an INSERT … SELECT copies the prepared content and its hash into the next
  version; then the audit event and the owed receipt. If the UPDATE matches nothing, nothing
  was written, and the submission is worked out in full — which also finds the reason for a
  refusal and says it.
* **In full**: the content is read (membership checked), the deadline and every rule are
  checked and the content is normalised and hashed, all before the lock; the transaction then
  locks the row, confirms that nobody saved or submitted in between (``lock_version``, state,
  last version number; if somebody did, everything is worked out again under the lock), and
  writes the version, the state and — last, so that the audit chain's lock is held for the
  shortest time — the audit event.

Either way the version is marked ``receipt_owed`` in the same transaction, the worker's task is
started after it commits if need be, and the worker queues the receipt mail (``receipts.py``);
its PDF is rendered at delivery from the frozen version (``receipt.py``). ADR 0009 explains the prepared path and what it costs.
"""

from __future__ import annotations

import functools
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction

from oglabs.accounts.models import User
from oglabs.audit.models import AuditChainHead
from oglabs.audit.services import PendingEvent, append_ctes, append_event, pending_event
from oglabs.core.canonical import normalise
from oglabs.proposals import queries
from oglabs.proposals.eligibility import check_eligibility, is_eligible
from oglabs.proposals.exceptions import ProposalNotFound, SubmissionRefused
from oglabs.proposals.hashing import version_hash
from oglabs.proposals.models import (
    ConsortiumMember,
    PreparedSubmission,
    Proposal,
    ProposalVersion,
    Stage,
    VersionKind,
)
from oglabs.proposals.services.content import _next_version_number
from oglabs.proposals.services.lifecycle import _ensure_open_for_editing, _write_transition
from oglabs.proposals.services.receipts import (
    OLDER_OWED_RETURNING,
    overdue_before,
    start_receipt_task,
    start_receipt_task_unless_on_its_way,
)
from oglabs.proposals.states import ProposalState, can_transition


def freeze_version(
    proposal: Proposal, *, kind: VersionKind, actor: User | None, now: datetime
) -> ProposalVersion:
    """A frozen copy of the content with its SHA-256; ``proposal`` must have its content loaded."""
    content = normalise(queries.proposal_content(proposal))
    assert isinstance(content, dict)
    return ProposalVersion.objects.create(
        proposal=proposal,
        number=_next_version_number(proposal),
        kind=kind,
        stage=proposal.stage,
        content=content,
        sha256=version_hash(content),
        created_at=now,
        created_by=actor,
    )


@dataclass(frozen=True)
class _WorkedOut:
    """A submission worked out from the content as read: all that is written under the lock."""

    proposal: Proposal
    revision: bool
    content: dict[str, Any]
    sha256: str
    number: int

    @property
    def read(self) -> tuple[int, str, int]:
        """What must not have changed when the lock is taken."""
        return (self.proposal.lock_version, self.proposal.state, self.number)


def _work_out(actor: User, pk: int, now: datetime) -> _WorkedOut:
    """Read the content (membership checked), check the deadline and every rule, freeze and hash
    the content; raises before anything is written."""
    proposal = queries.get_proposal_to_submit(actor, pk)
    _ensure_open_for_editing(proposal, now)
    findings = check_eligibility(*queries.eligibility_inputs(proposal))
    if not is_eligible(findings):
        raise SubmissionRefused(findings)
    revision = proposal.state == ProposalState.IN_REVISION
    if revision:
        proposal.stage = Stage.FULL
    content = normalise(queries.proposal_content(proposal))
    assert isinstance(content, dict)
    sha256 = version_hash(content)
    number = (getattr(proposal, "last_version_number", None) or 0) + 1
    return _WorkedOut(proposal=proposal, revision=revision, content=content, sha256=sha256, number=number)


def submit_proposal(proposal: Proposal, *, actor: User, now: datetime) -> ProposalVersion:
    """Check the rules, freeze a version with its SHA-256, record the instant, owe the receipt.

    Only ``proposal.pk`` is read: the submission is made from the prepared submission if it
    applies, otherwise the proposal is loaded again with its content — either way for a member
    ``actor`` only (``ProposalNotFound`` otherwise). Afterwards ``proposal`` holds the state,
    reference and instants that were stored, without a further read. Refused with
    ``CallClosed`` after the deadline (server time, Europe/Berlin), with ``NotEditable`` once
    handed in, and with ``SubmissionRefused`` listing every unmet rule. The receipt
    (Eingangsbestätigung, with the PDF of the frozen version) is owed in the same transaction
    and mailed to every member by the worker (its task started after the commit), never for a
    refused submission.
    """
    version = _submit_prepared(proposal, actor=actor, now=now)
    if version is not None:
        return version
    worked = _work_out(actor, proposal.pk, now)
    with transaction.atomic():
        current = (
            Proposal.objects.select_for_update()
            .filter(pk=worked.proposal.pk)
            .values_list("lock_version", "state")
            .first()
        )
        if current is None:
            raise ProposalNotFound
        # A separate read under the lock: a version stored meanwhile without a save (an edit
        # conflict) must not be missed (on PostgreSQL a locking read's subquery would miss it).
        if (*current, _next_version_number(worked.proposal)) != worked.read:
            worked = _work_out(actor, proposal.pk, now)  # changed in between: again, under the lock
        checked = worked.proposal
        version = ProposalVersion.objects.create(
            proposal=checked,
            number=worked.number,
            kind=VersionKind.REVISED if worked.revision else VersionKind.SUBMITTED,
            stage=checked.stage,
            content=worked.content,
            sha256=worked.sha256,
            created_at=now,
            created_by=actor,
            receipt_owed=True,
        )
        changes = _write_transition(
            checked,
            source=ProposalState(checked.state),
            to=ProposalState.REVISED if worked.revision else ProposalState.SUBMITTED,
            actor=actor,
            now=now,
            data={"version": version.number, "sha256": version.sha256},
            also={"submitted_at": now, "stage": checked.stage},
        )
    start_receipt_task(version, now=now)
    # What the row now holds, without reading it again: the content did not change under the lock.
    for field in Proposal._meta.concrete_fields:
        setattr(proposal, field.attname, getattr(checked, field.attname))
    for name, value in changes.items():
        setattr(proposal, name, value)
    proposal._prefetched_objects_cache = {}  # type: ignore[attr-defined]  # Django's cache of prefetched relations, emptied as refresh_from_db does
    return version


def _submit_prepared(proposal: Proposal, *, actor: User, now: datetime) -> ProposalVersion | None:
    """The submission from the draft's prepared submission, or ``None`` (nothing written) if
    that does not apply: no prepared row for the draft as it stands, a rule unmet, ``now``
    outside the window, not a draft, or ``actor`` no member.

    The audit event's data (the version's number and hash) is read first and the event made
    ready (``audit.services.pending_event``), all before anything is locked. Then the writes
    — the state claimed by a conditional UPDATE, the prepared content copied into the version
    by an INSERT … SELECT, the event appended — happen only if the draft still is at that
    ``content_version`` with that hash and has no further version: on PostgreSQL in one
    statement (in autocommit its own transaction, so the audit chain's head is locked and
    released inside the database, ADR 0010), on SQLite in one short transaction. Plain SQL,
    as the ORM cannot write these statements, on the hottest path of the application. The
    state change is the transition ``draft → submitted`` of ``states.py`` with the audit event
    that ``lifecycle._write_transition`` records; ``tests/proposals/test_prepared_submission.py``
    shows that both ways store the same.
    """
    assert can_transition(_SOURCE, _TARGET)
    with connection.cursor() as cursor:
        cursor.execute(_EXPECTED_SQL, [proposal.pk])
        expected = cursor.fetchone()
    if expected is None:
        return None
    content_version, sha256, number = expected
    pending = pending_event(
        actor=actor,
        action=f"proposal.{_TARGET.value}",
        target_type=Proposal._meta.label_lower,
        target_id=str(proposal.pk),
        data={"from": _SOURCE.value, "to": _TARGET.value, "reason": "", "version": number, "sha256": sha256},
        now=now,
    )
    claim, freeze = _params(proposal.pk, actor.pk, content_version, sha256, number, now)
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        written = _in_one_statement(claim, freeze, pending)
        if written is None:
            return None
        reference, version_id, stage = written
    else:
        freeze += [proposal.pk, content_version, overdue_before(now)]
        in_transaction = _in_a_transaction(claim, freeze, pending)
        if in_transaction is None:
            return None
        reference, version_id, stage, older_overdue = in_transaction
    version = ProposalVersion.from_db(
        connection.alias,
        _VERSION_FIELDS,
        [version_id, proposal.pk, number, VersionKind.SUBMITTED.value, stage, sha256, now, actor.pk, True],
    )
    if postgresql:  # whether an older receipt is owed: read after the commit (``receipts``)
        start_receipt_task(version, now=now)
    else:  # read in the submission's transaction
        start_receipt_task_unless_on_its_way(older_overdue)
    proposal.reference, proposal.state = reference, _TARGET.value
    proposal.submitted_at = proposal.updated_at = now
    return version


_SOURCE, _TARGET = ProposalState.DRAFT, ProposalState.SUBMITTED


def _params(
    pk: int,
    actor_pk: int,
    content_version: int,
    sha256: str,
    number: int,
    now: datetime,
    *,
    receipt_owed: bool = True,
) -> tuple[list[Any], list[Any]]:
    """The parameters of the claim and of the copy, for the draft as expected (``_EXPECTED_SQL``)."""
    at = connection.ops.adapt_datetimefield_value(now)
    claim = [_TARGET.value, at, at, pk, _SOURCE.value, content_version, number - 1, actor_pk, sha256, at, at]
    return claim, [number, VersionKind.SUBMITTED.value, at, actor_pk, receipt_owed]


def _in_a_transaction(
    claim: list[Any], freeze: list[Any], pending: PendingEvent
) -> tuple[str, int, str, int | None] | None:
    """SQLite: claim, copy and append in one transaction (one writer at a time anyway); the
    statements only, all else was worked out before. (reference, version id, stage, whether
    an older receipt owed is overdue or NULL: ``receipts.OLDER_OWED_RETURNING``)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_CLAIM_SQL, claim)
        claimed = cursor.fetchone()
        if claimed is None:
            return None
        cursor.execute(_FREEZE_SQL, freeze)
        version_id, stage, older = cursor.fetchone()
        append_event(pending)
    return claimed[1], version_id, stage, older


def _in_one_statement(
    claim: list[Any], freeze: list[Any], pending: PendingEvent
) -> tuple[str, int, str] | None:
    """PostgreSQL: claim, copy and append in one statement. It writes nothing without the
    chain's head (then the full way, which writes the head back, submits); a version stored
    meanwhile by somebody else makes the number collide, and nothing is written either."""
    try:
        # In a caller's transaction (a test, a script) in a savepoint, so that a collision
        # leaves that transaction usable; otherwise in autocommit.
        with (
            transaction.atomic(savepoint=True) if connection.in_atomic_block else nullcontext(),
            connection.cursor() as cursor,
        ):
            cursor.execute(_one_statement_sql(), [*claim, *freeze, *pending.params])
            written: tuple[str, int, str] | None = cursor.fetchone()
    except IntegrityError:
        return None
    return written


@functools.cache
def _one_statement_sql() -> str:
    """``_ONE_STATEMENT_SQL`` with the audit log's CTEs, built once."""
    return _ONE_STATEMENT_SQL.replace("{audit}", append_ctes(after="frozen"))


#: The version's fields the prepared path knows without reading (its content stays deferred).
_VERSION_FIELDS = [
    "id",
    "proposal_id",
    "number",
    "kind",
    "stage",
    "sha256",
    "created_at",
    "created_by_id",
    "receipt_owed",
]


def _sql() -> tuple[str, str, str, str]:
    """The prepared path's statements, from the models' table names (columns as named in the
    models): the expected content version, hash and number; the claim and the copy, which also
    tells whether an older receipt owed is overdue (``receipts.OLDER_OWED_RETURNING``) (SQLite);
    the one statement of both with ``{audit}`` for the audit log's CTEs (PostgreSQL)."""
    proposals = Proposal._meta.db_table
    members = ConsortiumMember._meta.db_table
    prepared = PreparedSubmission._meta.db_table
    versions = ProposalVersion._meta.db_table
    calls = Proposal._meta.get_field("call").related_model._meta.db_table  # type: ignore[union-attr]  # a ForeignKey's model
    head = AuditChainHead._meta.db_table
    expected = f"""
        SELECT ps."content_version", ps."sha256",
               COALESCE((SELECT MAX(v."number") FROM "{versions}" v
                         WHERE v."proposal_id" = ps."proposal_id"), 0) + 1
        FROM "{prepared}" ps WHERE ps."proposal_id" = %s
    """  # noqa: S608  # names from the models, values as parameters
    # State to submitted if still a draft at the expected content version, with no version
    # beyond the expected number, of a member, prepared with the expected hash for the call as
    # it stands, every rule met, in the window, and the audit chain has its head.
    claim = f"""
        UPDATE "{proposals}" SET "state" = %s, "submitted_at" = %s, "updated_at" = %s
        WHERE "id" = %s AND "state" = %s AND "content_version" = %s
          AND COALESCE((SELECT MAX(v."number") FROM "{versions}" v
                        WHERE v."proposal_id" = "{proposals}"."id"), 0) = %s
          AND EXISTS (SELECT 1 FROM "{members}" m
                      WHERE m."proposal_id" = "{proposals}"."id" AND m."user_id" = %s)
          AND EXISTS (SELECT 1 FROM "{prepared}" ps, "{calls}" c
                      WHERE ps."proposal_id" = "{proposals}"."id" AND c."id" = "{proposals}"."call_id"
                        AND ps."content_version" = "{proposals}"."content_version"
                        AND ps."sha256" = %s
                        AND ps."call_revision" = c."revision" AND ps."eligible"
                        AND ps."opens_at" <= %s AND ps."closes_at" >= %s)
          AND EXISTS (SELECT 1 FROM "{head}" WHERE "id" = 1)
        RETURNING "id", "reference", "content_version"
    """  # noqa: S608  # names from the models, values as parameters
    copy = f"""
        INSERT INTO "{versions}"
            ("proposal_id", "number", "kind", "stage", "content", "sha256", "created_at",
             "created_by_id", "receipt_owed")
        SELECT ps."proposal_id", %s, %s, ps."stage", ps."content", ps."sha256", %s, %s, %s
        FROM "{prepared}" ps
    """  # noqa: S608  # names from the models, values as parameters
    returned = 'RETURNING "id", "stage"'
    freeze = (
        f'{copy} WHERE ps."proposal_id" = %s AND ps."content_version" = %s {returned}, {OLDER_OWED_RETURNING}'
    )
    one_statement = f"""
        WITH claim AS ({claim}),
        frozen AS ({copy} JOIN claim
                   ON ps."proposal_id" = claim."id" AND ps."content_version" = claim."content_version"
                   {returned}),
        {{audit}}
        SELECT claim."reference", frozen."id", frozen."stage" FROM claim, frozen
    """  # noqa: S608  # names from the models
    return expected, claim, freeze, one_statement


_EXPECTED_SQL, _CLAIM_SQL, _FREEZE_SQL, _ONE_STATEMENT_SQL = _sql()
