"""Submission: rules checked, a version frozen with its SHA-256, the receipt mailed.

This is the hot path of a deadline rush, so everything that does not need the lock happens
before it: the content is read (one query per part, with the call's phases and the last version
number), the rules are checked, the content is normalised and hashed and the receipt text is
rendered. The transaction then only locks the row, confirms that nobody saved or submitted in
between (``lock_version``, state, last version number; if somebody did, everything is prepared
again under the lock), and writes the version, the receipt mail, the state and — last, so that
the audit chain's lock is held for the shortest time — the audit event. The receipt PDF is
rendered by the mail worker at delivery, from the frozen version (``receipt.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction

from oglabs.accounts.models import User
from oglabs.core.canonical import normalise
from oglabs.proposals import mails, queries
from oglabs.proposals.eligibility import check_eligibility, is_eligible
from oglabs.proposals.exceptions import ProposalNotFound, SubmissionRefused
from oglabs.proposals.hashing import version_hash
from oglabs.proposals.models import Proposal, ProposalVersion, Stage, VersionKind
from oglabs.proposals.services.content import _next_version_number
from oglabs.proposals.services.lifecycle import _ensure_open_for_editing, _write_transition
from oglabs.proposals.states import ProposalState


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
class _Prepared:
    """A submission worked out from the content as read: all that is written under the lock."""

    proposal: Proposal
    revision: bool
    content: dict[str, Any]
    sha256: str
    number: int
    recipients: list[str]
    receipt: mails.ReceiptText

    @property
    def read(self) -> tuple[int, str, int]:
        """What must not have changed when the lock is taken."""
        return (self.proposal.lock_version, self.proposal.state, self.number)


def _prepare(actor: User, pk: int, now: datetime) -> _Prepared:
    """Read the content (membership checked), check the deadline and every rule, freeze and hash
    the content and render the receipt; raises before anything is written."""
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
    return _Prepared(
        proposal=proposal,
        revision=revision,
        content=content,
        sha256=sha256,
        number=number,
        recipients=queries.member_emails(proposal),
        receipt=mails.render_receipt(
            proposal,
            content=content,
            stage=proposal.stage,
            number=number,
            sha256=sha256,
            created_at=now,
        ),
    )


def submit_proposal(proposal: Proposal, *, actor: User, now: datetime) -> ProposalVersion:
    """Check the rules, freeze a version with its SHA-256, record the instant, queue the receipt.

    Only ``proposal.pk`` is read: the proposal is loaded again with its content, for a member
    ``actor`` only (``ProposalNotFound`` otherwise); afterwards ``proposal`` holds what was
    stored, without a further read. Refused with ``CallClosed`` after the deadline (server time, Europe/Berlin) and with
    ``SubmissionRefused`` listing every unmet rule. The receipt mail (Eingangsbestätigung, with
    the PDF of the frozen version) goes to every member through the outbox in the same
    transaction, so it is sent after commit, and never for a refused submission.
    """
    prepared = _prepare(actor, proposal.pk, now)
    with transaction.atomic():
        current = (
            Proposal.objects.select_for_update()
            .filter(pk=prepared.proposal.pk)
            .values_list("lock_version", "state")
            .first()
        )
        if current is None:
            raise ProposalNotFound
        # A separate read under the lock: a version stored meanwhile without a save (an edit
        # conflict) must not be missed (on PostgreSQL a locking read's subquery would miss it).
        if (*current, _next_version_number(prepared.proposal)) != prepared.read:
            prepared = _prepare(actor, proposal.pk, now)  # changed in between: again, under the lock
        checked = prepared.proposal
        version = ProposalVersion.objects.create(
            proposal=checked,
            number=prepared.number,
            kind=VersionKind.REVISED if prepared.revision else VersionKind.SUBMITTED,
            stage=checked.stage,
            content=prepared.content,
            sha256=prepared.sha256,
            created_at=now,
            created_by=actor,
        )
        mails.queue_receipt_mail(checked, version, to=prepared.recipients, now=now, text=prepared.receipt)
        changes = _write_transition(
            checked,
            source=ProposalState(checked.state),
            to=ProposalState.REVISED if prepared.revision else ProposalState.SUBMITTED,
            actor=actor,
            now=now,
            data={"version": version.number, "sha256": version.sha256},
            also={"submitted_at": now, "stage": checked.stage},
        )
    # What the row now holds, without reading it again: the content did not change under the lock.
    for field in Proposal._meta.concrete_fields:
        setattr(proposal, field.attname, getattr(checked, field.attname))
    for name, value in changes.items():
        setattr(proposal, name, value)
    proposal._prefetched_objects_cache = {}  # type: ignore[attr-defined]  # Django's cache of prefetched relations, emptied as refresh_from_db does
    return version
