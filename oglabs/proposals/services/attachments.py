"""Uploaded PDFs (letters of intent, attachments)."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from django.core.files import File
from django.db import transaction

from oglabs.accounts.models import User
from oglabs.audit.services import record_event
from oglabs.proposals import queries, uploads
from oglabs.proposals.exceptions import (
    AttachmentNotFound,
    InvalidContent,
    ProposalNotFound,
)
from oglabs.proposals.models import (
    Attachment,
    Confirmation,
    Partner,
    Proposal,
)
from oglabs.proposals.services.lifecycle import _ensure_open_for_editing
from oglabs.proposals.services.preparation import count_content_change, prepare_again


def add_attachment(
    proposal: Proposal,
    *,
    actor: User,
    kind: str,
    partner: Partner | None = None,
    uploaded_file: File,
    now: datetime,
) -> Attachment:
    """Store an uploaded PDF for the proposal (a partner's letter of intent, or another attachment).

    The file is checked by its content and stored under a random name (see ``uploads``);
    a letter of intent marks its partner's confirmation as ``letter``. Refused with
    ``InvalidContent`` (and nothing stored) for a file that is not a PDF, too large or empty,
    ``ProposalNotFound`` for a non-member, ``NotEditable``/``CallClosed`` outside editing.
    """
    if kind not in Attachment.Kind.values:
        raise InvalidContent({"kind": ["Bitte wählen Sie die Art der Anlage."]})
    if kind == Attachment.Kind.LETTER_OF_INTENT and partner is None:
        raise InvalidContent(
            {"partner": ["Bitte wählen Sie den Partner, dessen Absichtserklärung dies ist."]}
        )
    if kind != Attachment.Kind.LETTER_OF_INTENT and partner is not None:
        raise InvalidContent({"partner": ["Nur eine Absichtserklärung gehört zu einem Partner."]})
    checked = uploads.read_pdf(uploaded_file, max_bytes=uploads.max_upload_bytes())
    with transaction.atomic():
        locked = _lock_for_member(proposal.pk, actor)
        _ensure_open_for_editing(locked, now)
        if partner is not None and not locked.partners.filter(pk=partner.pk).exists():
            raise InvalidContent({"partner": ["Dieser Partner gehört nicht zu dieser Interessenbekundung."]})
        name = uploads.store_pdf(checked.data)
        try:
            with transaction.atomic():
                attachment = Attachment.objects.create(
                    proposal=locked,
                    partner=partner,
                    kind=kind,
                    file=name,
                    original_name=checked.original_name,
                    size=len(checked.data),
                    sha256=checked.sha256,
                    uploaded_at=now,
                    uploaded_by=actor,
                )
                if partner is not None:
                    Partner.objects.filter(pk=partner.pk).update(confirmation=Confirmation.LETTER)
                    partner.refresh_from_db(fields=["confirmation"])
                    count_content_change(locked.pk)
                record_event(
                    actor=actor,
                    action="proposal.attachment_added",
                    target=locked,
                    data={
                        "attachment": attachment.pk,
                        "kind": kind,
                        "partner": partner.pk if partner is not None else None,
                        "size": attachment.size,
                        "sha256": attachment.sha256,
                    },
                    now=now,
                )
        except BaseException:
            uploads.delete_stored(name)  # no row, no file
            raise
    if partner is not None:
        prepare_again(locked.pk, now=now)
    return attachment


def remove_attachment(attachment: Attachment, *, actor: User, now: datetime) -> None:
    """Delete an attachment; its file is deleted once the transaction commits.

    Removing the last letter of intent of a partner who did not confirm online sets the
    partner's confirmation back to ``pending``.
    """
    with transaction.atomic():
        locked = _lock_for_member(attachment.proposal_id, actor)
        _ensure_open_for_editing(locked, now)
        row = Attachment.objects.filter(pk=attachment.pk, proposal=locked).first()
        if row is None:
            raise AttachmentNotFound
        name, partner_id = row.file.name, row.partner_id
        data = {"attachment": row.pk, "kind": row.kind, "partner": partner_id, "sha256": row.sha256}
        row.delete()
        confirmation_changed = False
        if partner_id is not None and not Attachment.objects.filter(partner_id=partner_id).exists():
            confirmation_changed = bool(
                Partner.objects.filter(pk=partner_id, confirmation=Confirmation.LETTER).update(
                    confirmation=Confirmation.PENDING
                )
            )
            if confirmation_changed:
                count_content_change(locked.pk)
        record_event(actor=actor, action="proposal.attachment_removed", target=locked, data=data, now=now)
        if name:
            transaction.on_commit(partial(uploads.delete_stored, name))
    if confirmation_changed:
        prepare_again(locked.pk, now=now)


def _lock_for_member(proposal_id: int, actor: User) -> Proposal:
    """Lock the proposal row and load it if ``actor`` is a member; else ``ProposalNotFound``."""
    if (
        Proposal.objects.select_for_update().filter(pk=proposal_id).values_list("pk", flat=True).first()
        is None
    ):
        raise ProposalNotFound
    return queries.get_proposal_for_member(actor, proposal_id)
