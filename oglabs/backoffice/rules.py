"""Who may do what in the back office. Every back-office view checks one of these."""

from __future__ import annotations

from typing import Any

from oglabs.accounts import rules as account_rules


def can_enter_backoffice(user: Any) -> bool:
    """Staff run the call; jurors score. Both see the back-office home."""
    return account_rules.is_staff_member(user) or account_rules.is_juror(user)


def can_run_call(user: Any) -> bool:
    """Eligibility checks, questions, workshops, revision windows, messages: staff only."""
    return account_rules.is_staff_member(user)


def can_check_eligibility(user: Any) -> bool:
    """The formal check (deciding, confirming, rejecting): staff only, never jurors."""
    return account_rules.is_staff_member(user)


def can_message_consortia(user: Any) -> bool:
    """Writing to all consortia of a call: staff only."""
    return account_rules.is_staff_member(user)


def can_see_revision_diff(user: Any) -> bool:
    """The diff between a proposal's sketch and its revision: staff, and jurors for the proposals
    they review (the view asks ``reviews.queries.visible_proposals_for_juror``; any other, a
    conflicted one above all, is 404)."""
    return account_rules.is_staff_member(user) or account_rules.is_juror(user)


def can_publish_decision(user: Any) -> bool:
    """Redaction of the texts to publish (marking, confirming as the second person), the allow list
    and publishing the decision: staff only."""
    return account_rules.is_staff_member(user)


def can_manage_jury(user: Any) -> bool:
    """Review settings, criteria, jurors, conflicts, assignment, progress and results: staff only."""
    return account_rules.is_staff_member(user)


def can_review(user: Any) -> bool:
    """The juror's own pages (conflict declaration, reviews): users with the juror role. Which
    proposals they see is decided by ``reviews.queries`` (assigned, declared, not conflicted)."""
    return account_rules.is_juror(user)


def can_select_labs(user: Any) -> bool:
    """Selection runs, comparing them, the decision and recording a selected lab's withdrawal
    (the waitlist moves up): staff only."""
    return account_rules.is_staff_member(user)
