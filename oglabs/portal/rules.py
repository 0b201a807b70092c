"""Named permission predicates of the applicant portal.

Access to one proposal is decided in ``proposals.queries`` (``get_proposal_for_member``,
``attachment_for_member``): the query finds nothing for a non-member, and the view answers 404,
so a stranger cannot even learn that the proposal exists.
"""

from __future__ import annotations

from typing import Any

from oglabs.accounts import rules as account_rules
from oglabs.proposals import queries
from oglabs.proposals.models import Proposal
from oglabs.proposals.states import EDITABLE_STATES


def may_use_portal(user: Any) -> bool:
    """Everyone signed in lands on the portal home; staff and jurors are pointed onwards from there."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def may_apply(user: Any) -> bool:
    """Only applicant contacts take part in a consortium (staff and jurors never do)."""
    return account_rules.is_applicant(user)


def is_consortium_member(user: Any, proposal: Proposal) -> bool:
    return may_apply(user) and queries.is_member(user, proposal)


def may_change_content(proposal: Proposal) -> bool:
    """Whether the consortium may edit the proposal in its current state (the deadline is checked
    by the services, which refuse with a message)."""
    return proposal.state in EDITABLE_STATES
