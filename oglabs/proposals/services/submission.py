"""Submission: rules checked, a version frozen with its SHA-256, the receipt mailed.

This is the hot path of a deadline rush, so it is kept lean: the content is read and checked
before the write transaction; the transaction then only locks the row, confirms that nobody
saved in between (``lock_version``), and writes the version, the state and the audit event and
queues the receipt mail. The receipt PDF is rendered by the mail worker at delivery, from the
frozen version (``receipt.py``), not in the request.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from oglabs.accounts.models import User
from oglabs.core.canonical import normalise
from oglabs.proposals import mails, queries
from oglabs.proposals.eligibility import check_eligibility, is_eligible
from oglabs.proposals.exceptions import ProposalNotFound, SubmissionRefused
from oglabs.proposals.hashing import version_hash
from oglabs.proposals.models import Proposal, ProposalVersion, Stage, VersionKind
from oglabs.proposals.services.content import _next_version_number
from oglabs.proposals.services.lifecycle import _ensure_open_for_editing, transition_proposal
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


def _checked(actor: User, pk: int, now: datetime) -> Proposal:
    """The proposal with its content, open for submission and meeting every rule."""
    proposal = queries.get_proposal_for_member(actor, pk)
    _ensure_open_for_editing(proposal, now)
    findings = check_eligibility(*queries.eligibility_inputs(proposal))
    if not is_eligible(findings):
        raise SubmissionRefused(findings)
    return proposal


def submit_proposal(proposal: Proposal, *, actor: User, now: datetime) -> ProposalVersion:
    """Check the rules, freeze a version with its SHA-256, record the instant, queue the receipt.

    Refused with ``CallClosed`` after the deadline (server time, Europe/Berlin) and with
    ``SubmissionRefused`` listing every unmet rule. The receipt mail (Eingangsbestätigung, with
    the PDF of the frozen version) goes to every member through the outbox in the same
    transaction, so it is sent after commit, and never for a refused submission.
    """
    checked = _checked(actor, proposal.pk, now)
    recipients = queries.member_emails(checked)
    with transaction.atomic():
        current = (
            Proposal.objects.select_for_update()
            .filter(pk=checked.pk)
            .values_list("lock_version", "state")
            .first()
        )
        if current is None:
            raise ProposalNotFound
        if current != (checked.lock_version, checked.state):
            checked = _checked(actor, proposal.pk, now)  # saved in between: check what is there now
        revision = checked.state == ProposalState.IN_REVISION
        if revision:
            checked.stage = Stage.FULL
        version = freeze_version(
            checked, kind=VersionKind.REVISED if revision else VersionKind.SUBMITTED, actor=actor, now=now
        )
        transition_proposal(
            checked,
            to=ProposalState.REVISED if revision else ProposalState.SUBMITTED,
            actor=actor,
            now=now,
            data={"version": version.number, "sha256": version.sha256},
            also={"submitted_at": now, "stage": checked.stage},
        )
        mails.queue_receipt_mail(checked, version, to=recipients, now=now)
    proposal.refresh_from_db()
    return version
