"""Writes of proposals. Each function is one transaction and leaves one audit event; ``now`` and
the acting user are arguments; content arrives as clean Python data (forms validate, services act).

The functions live in modules by concept; import them from here.
"""

from oglabs.proposals.services.attachments import add_attachment, remove_attachment
from oglabs.proposals.services.content import SECTIONS, apply_section, save_section
from oglabs.proposals.services.eligibility_check import (
    CheckNotPending,
    ConfirmationPending,
    NotAwaitingCheck,
    SecondPersonRequired,
    confirm_eligibility,
    decide_eligibility,
    reject_eligibility_proposal,
)
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
from oglabs.proposals.services.messages import (
    AudienceChanged,
    MessageAudience,
    NobodyToWrite,
    message_audience,
    preview_message,
    send_message_to_consortia,
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
    "AudienceChanged",
    "CheckNotPending",
    "ConfirmationPending",
    "MergeNotAllowed",
    "MessageAudience",
    "NobodyToWrite",
    "NotAwaitingCheck",
    "RevisionAlreadyClosed",
    "RevisionClosed",
    "RevisionDeadlineInvalid",
    "RevisionError",
    "RevisionNotOver",
    "RevisionOpened",
    "SecondPersonRequired",
    "accept_invitation",
    "add_attachment",
    "apply_section",
    "close_revision",
    "confirm_eligibility",
    "confirm_partner",
    "consent_merge",
    "decide_eligibility",
    "decline_merge",
    "freeze_version",
    "invitation_url",
    "invite_member",
    "message_audience",
    "next_reference",
    "open_revision",
    "partner_confirmation_url",
    "preview_message",
    "reject_eligibility_proposal",
    "remove_attachment",
    "request_merge",
    "request_partner_confirmation",
    "revision_deadline",
    "save_section",
    "send_message_to_consortia",
    "start_proposal",
    "submit_proposal",
    "transition_proposal",
    "withdraw_proposal",
]
