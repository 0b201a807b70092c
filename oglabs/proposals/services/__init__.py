"""Writes of proposals. Each function is one transaction and leaves one audit event; ``now`` and
the acting user are arguments; content arrives as clean Python data (forms validate, services act).

The functions live in modules by concept; import them from here.
"""

from oglabs.proposals.services.attachments import add_attachment, remove_attachment
from oglabs.proposals.services.content import SECTIONS, apply_section, save_section
from oglabs.proposals.services.lifecycle import (
    next_reference,
    start_proposal,
    transition_proposal,
    withdraw_proposal,
)
from oglabs.proposals.services.members import (
    INVITATION_PATH,
    PARTNER_CONFIRMATION_PATH,
    accept_invitation,
    confirm_partner,
    invitation_url,
    invite_member,
    partner_confirmation_url,
    request_partner_confirmation,
)
from oglabs.proposals.services.submission import freeze_version, submit_proposal

__all__ = [
    "INVITATION_PATH",
    "PARTNER_CONFIRMATION_PATH",
    "SECTIONS",
    "accept_invitation",
    "add_attachment",
    "apply_section",
    "confirm_partner",
    "freeze_version",
    "invitation_url",
    "invite_member",
    "next_reference",
    "partner_confirmation_url",
    "remove_attachment",
    "request_partner_confirmation",
    "save_section",
    "start_proposal",
    "submit_proposal",
    "transition_proposal",
    "withdraw_proposal",
]
