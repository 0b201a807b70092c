"""Submission: rules checked, a version frozen with its SHA-256, the receipt mailed."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from oglabs.accounts.models import User
from oglabs.core.canonical import normalise
from oglabs.proposals import mails, queries
from oglabs.proposals.eligibility import check_eligibility, is_eligible
from oglabs.proposals.exceptions import (
    ProposalError,
    SubmissionRefused,
)
from oglabs.proposals.hashing import version_hash
from oglabs.proposals.models import (
    Proposal,
    ProposalVersion,
    Stage,
    VersionKind,
)
from oglabs.proposals.receipt import render_receipt
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


def _prepare_receipt(
    proposal: Proposal, *, actor: User, now: datetime
) -> tuple[ProposalVersion, bytes] | None:
    """Render the receipt of the version a submission is expected to freeze, before the lock.

    Rendering takes a tenth of a second or more; spent inside the transaction it would hold the
    write lock (SQLite has one writer at a time) during a deadline rush. The expected version is
    built from the same content without saving anything; ``submit_proposal`` uses the PDF only if
    the frozen version turns out identical (rendering is deterministic). ``None`` when the
    submission is going to be refused anyway.
    """
    try:
        draft = queries.get_proposal_for_member(actor, proposal.pk)
        _ensure_open_for_editing(draft, now)
    except ProposalError:
        return None
    if not is_eligible(check_eligibility(*queries.eligibility_inputs(draft))):
        return None
    revision = draft.state == ProposalState.IN_REVISION
    if revision:
        draft.stage = Stage.FULL  # as the submission will set it; not saved here
    content = normalise(queries.proposal_content(draft))
    assert isinstance(content, dict)
    expected = ProposalVersion(
        proposal=draft,
        number=_next_version_number(draft),
        kind=VersionKind.REVISED if revision else VersionKind.SUBMITTED,
        stage=draft.stage,
        content=content,
        sha256=version_hash(content),
        created_at=now,
        created_by=actor,
    )
    return expected, render_receipt(expected)


def _receipt_pdf(version: ProposalVersion, prepared: tuple[ProposalVersion, bytes] | None) -> bytes:
    if prepared is not None:
        expected, pdf = prepared
        fields = ("number", "kind", "stage", "sha256", "created_at")
        if all(getattr(expected, name) == getattr(version, name) for name in fields):
            return pdf
    return render_receipt(version)  # the content changed in between: render what was frozen


def submit_proposal(proposal: Proposal, *, actor: User, now: datetime) -> ProposalVersion:
    """Check the rules, freeze a version with its SHA-256, record the instant, queue the receipt.

    Refused with ``CallClosed`` after the deadline (server time, Europe/Berlin) and with
    ``SubmissionRefused`` listing every unmet rule. The receipt mail (Eingangsbestätigung, with
    the PDF of the frozen version) goes to every member through the outbox in the same
    transaction, so it is sent after commit, and never for a refused submission.
    """
    prepared = _prepare_receipt(proposal, actor=actor, now=now)
    with transaction.atomic():
        Proposal.objects.select_for_update().filter(pk=proposal.pk).values_list("pk", flat=True).get()
        locked = queries.get_proposal_for_member(actor, proposal.pk)
        _ensure_open_for_editing(locked, now)
        findings = check_eligibility(*queries.eligibility_inputs(locked))
        if not is_eligible(findings):
            raise SubmissionRefused(findings)
        revision = locked.state == ProposalState.IN_REVISION
        if revision:
            locked.stage = Stage.FULL
            locked.save(update_fields=["stage"])
        version = freeze_version(
            locked, kind=VersionKind.REVISED if revision else VersionKind.SUBMITTED, actor=actor, now=now
        )
        Proposal.objects.filter(pk=locked.pk).update(submitted_at=now)
        transition_proposal(
            locked,
            to=ProposalState.REVISED if revision else ProposalState.SUBMITTED,
            actor=actor,
            now=now,
            data={"version": version.number, "sha256": version.sha256},
        )
        mails.queue_receipt_mail(
            locked, version, to=queries.member_emails(locked), pdf=_receipt_pdf(version, prepared), now=now
        )
    proposal.refresh_from_db()
    return version
