"""People of the consortium and partners: invitations and partner confirmation by e-mailed link."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from oglabs.accounts.models import User
from oglabs.audit.services import record_event
from oglabs.proposals import mails
from oglabs.proposals.exceptions import (
    ConfirmationInvalid,
    InvalidContent,
    InvitationInvalid,
)
from oglabs.proposals.models import (
    Confirmation,
    ConsortiumMember,
    Invitation,
    MemberRole,
    Partner,
    Proposal,
)
from oglabs.proposals.services.attachments import _lock_for_member
from oglabs.proposals.services.lifecycle import _ensure_open_for_editing
from oglabs.proposals.services.preparation import count_content_change, prepare_again


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


#: The portal page where an invited colleague joins (the token is the path's end).
INVITATION_PATH = "/portal/einladung/{token}/"


def invitation_url(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + INVITATION_PATH.format(token=token)


def invite_member(proposal: Proposal, *, email: str, actor: User, now: datetime) -> tuple[Invitation, str]:
    """Create an invitation and mail its link; returns it with the secret token for the link
    (only its hash is stored). ``ProposalNotFound`` unless ``actor`` is a member."""
    email = email.strip().lower()
    if not email:
        raise InvalidContent({"email": ["Bitte geben Sie eine E-Mail-Adresse an."]})
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidContent({"email": ["Bitte geben Sie eine gültige E-Mail-Adresse an."]}) from None
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        locked = _lock_for_member(proposal.pk, actor)
        invitation = Invitation.objects.create(
            proposal=locked, email=email, token_hash=_token_hash(token), invited_by=actor, created_at=now
        )
        mails.queue_invitation_mail(invitation, url=invitation_url(token), now=now)
        record_event(
            actor=actor,
            action="proposal.member_invited",
            target=locked,
            data={"invitation": invitation.pk},
            now=now,
        )
    return invitation, token


def accept_invitation(*, token: str, actor: User, now: datetime) -> Proposal:
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .filter(token_hash=_token_hash(token), accepted_at__isnull=True)
            .select_related("proposal")
            .first()
        )
        if invitation is None:
            raise InvitationInvalid
        invitation.accepted_at = now
        invitation.save(update_fields=["accepted_at"])
        ConsortiumMember.objects.get_or_create(
            proposal=invitation.proposal, user=actor, defaults={"role": MemberRole.EDITOR, "joined_at": now}
        )
        record_event(
            actor=actor,
            action="proposal.member_joined",
            target=invitation.proposal,
            data={"invitation": invitation.pk},
            now=now,
        )
    return invitation.proposal


# --- partner confirmation by e-mailed link -------------------------------------------------------------

#: The public page where a partner confirms (built by the interface; the token is the path's end).
PARTNER_CONFIRMATION_PATH = "/bestaetigung/{token}/"


def partner_confirmation_url(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + PARTNER_CONFIRMATION_PATH.format(token=token)


def request_partner_confirmation(partner: Partner, *, actor: User, now: datetime) -> str:
    """Mail a one-time confirmation link to the partner's contact; returns the link's secret token.

    Only the token's SHA-256 is stored; a new request voids the link sent before.
    """
    with transaction.atomic():
        locked = _lock_for_member(partner.proposal_id, actor)
        _ensure_open_for_editing(locked, now)
        row = Partner.objects.select_related("proposal__call", "proposal__lead_municipality").get(
            pk=partner.pk, proposal=locked
        )
        if not row.contact_email:
            raise InvalidContent(
                {"contact_email": ["Bitte geben Sie zuerst eine E-Mail-Adresse für die Bestätigung an."]}
            )
        if row.confirmation == Confirmation.CONFIRMED:
            raise InvalidContent({"confirmation": ["Dieser Partner hat die Teilnahme bereits bestätigt."]})
        token = secrets.token_urlsafe(32)
        row.confirm_token_hash = _token_hash(token)
        row.save(update_fields=["confirm_token_hash"])
        mails.queue_partner_confirmation_mail(row, url=partner_confirmation_url(token), now=now)
        record_event(
            actor=actor,
            action="proposal.partner_confirmation_requested",
            target=locked,
            data={"partner": row.pk},
            now=now,
        )
    partner.confirm_token_hash = row.confirm_token_hash
    return token


def confirm_partner(*, token: str, now: datetime) -> Partner:
    """The partner confirms participation through the link (no login; the token is the proof).

    Refused with ``ConfirmationInvalid`` for an unknown or already used token.
    """
    if not token:
        raise ConfirmationInvalid
    with transaction.atomic():
        partner = (
            Partner.objects.select_for_update(of=("self",))
            .select_related("proposal")
            .filter(confirm_token_hash=_token_hash(token))
            .first()
        )
        if partner is None:
            raise ConfirmationInvalid
        partner.confirmation = Confirmation.CONFIRMED
        partner.confirmed_at = now
        partner.confirm_token_hash = ""
        partner.save(update_fields=["confirmation", "confirmed_at", "confirm_token_hash"])
        count_content_change(partner.proposal_id)
        record_event(
            actor=None,
            action="proposal.partner_confirmed",
            target=partner.proposal,
            data={"partner": partner.pk},
            now=now,
        )
    prepare_again(partner.proposal_id, now=now)
    return partner
