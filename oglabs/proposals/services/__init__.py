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
from oglabs.proposals.services.revision import (
    MergeNotAllowed,
    RevisionAlreadyClosed,
    RevisionClosed,
    RevisionDeadlineInvalid,
    RevisionError,
    RevisionNotOver,
    RevisionOpened,
    close_revision,
    consent_merge,
    decline_merge,
    open_revision,
    request_merge,
    revision_deadline,
)
from oglabs.proposals.services.submission import freeze_version, submit_proposal

__all__ = [
    "INVITATION_PATH",
    "PARTNER_CONFIRMATION_PATH",
    "SECTIONS",
    "MergeNotAllowed",
    "RevisionAlreadyClosed",
    "RevisionClosed",
    "RevisionDeadlineInvalid",
    "RevisionError",
    "RevisionNotOver",
    "RevisionOpened",
    "accept_invitation",
    "add_attachment",
    "apply_section",
    "close_revision",
    "confirm_partner",
    "consent_merge",
    "decline_merge",
    "freeze_version",
    "invitation_url",
    "invite_member",
    "next_reference",
    "open_revision",
    "partner_confirmation_url",
    "remove_attachment",
    "request_merge",
    "request_partner_confirmation",
    "revision_deadline",
    "save_section",
    "start_proposal",
    "submit_proposal",
    "transition_proposal",
    "withdraw_proposal",
]
