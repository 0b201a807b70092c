"""The formal check (Formale Prüfung): staff decide eligible / ineligible with a reason.

Without four-eyes (``Call.eligibility_four_eyes`` off) a decision is in force at once: the
proposal moves from *eingereicht* to *förderfähig* / *nicht förderfähig* and the consortium is
mailed the result with the reason. With four-eyes the decision is only proposed; a second staff
member confirms it (then the transition and the mail happen) or sends it back.

Audit: a decision in force leaves exactly the transition's event (the check, the decision and the
reason in its data); a proposed decision leaves ``proposal.eligibility_proposed``; a rejected one
``proposal.eligibility_rejected``.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from oglabs.accounts.models import User
from oglabs.audit.services import record_event
from oglabs.proposals import checks, mails, queries
from oglabs.proposals.exceptions import InvalidContent, ProposalError
from oglabs.proposals.models import CheckStatus, EligibilityCheck, EligibilityDecision, Proposal
from oglabs.proposals.services.lifecycle import transition_proposal
from oglabs.proposals.states import ProposalState


class NotAwaitingCheck(ProposalError):
    def __init__(self, state_label: str) -> None:
        super().__init__(
            f"Die Interessenbekundung ist im Status „{state_label}“. Formal geprüft werden nur "
            "eingereichte Interessenbekundungen."
        )


class ConfirmationPending(ProposalError):
    def __init__(self) -> None:
        super().__init__(
            "Für diese Interessenbekundung liegt bereits ein Prüfergebnis vor, das auf die Bestätigung "
            "durch eine zweite Person wartet."
        )


class SecondPersonRequired(ProposalError):
    def __init__(self) -> None:
        super().__init__(
            "Für diesen Aufruf gilt das Vier-Augen-Prinzip: Ein Prüfergebnis muss von einer anderen "
            "Person bestätigt oder zurückgewiesen werden als von der, die es vorgeschlagen hat."
        )


class CheckNotPending(ProposalError):
    def __init__(self, status_label: str) -> None:
        super().__init__(
            f"Dieses Prüfergebnis ist nicht mehr offen (Stand: {status_label}) und kann nicht "
            "mehr bestätigt oder zurückgewiesen werden."
        )


_TARGET = {
    EligibilityDecision.ELIGIBLE: ProposalState.ELIGIBLE,
    EligibilityDecision.INELIGIBLE: ProposalState.INELIGIBLE,
}


def _lock_submitted(proposal_id: int) -> Proposal:
    locked = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("call", "lead_municipality")
        .get(pk=proposal_id)
    )
    if locked.state != ProposalState.SUBMITTED:
        raise NotAwaitingCheck(str(ProposalState(locked.state).label))
    return locked


def _put_in_force(check: EligibilityCheck, locked: Proposal, *, actor: User, now: datetime) -> None:
    """The transition (its one audit event carries the decision) and the mail to the members."""
    decision = EligibilityDecision(check.decision)
    data = {"check": check.pk, "decision": decision.value, "four_eyes": check.four_eyes}
    if check.four_eyes:
        data["decided_by"] = check.decided_by_id
    transition_proposal(locked, to=_TARGET[decision], actor=actor, now=now, reason=check.reason, data=data)
    recipients = queries.member_emails(locked)
    if recipients:  # a consortium without members (none in practice) has nobody to tell
        mails.queue_eligibility_decision_mail(locked, check, to=recipients, now=now)


def decide_eligibility(
    proposal: Proposal, *, actor: User, decision: EligibilityDecision | str, reason: str, now: datetime
) -> EligibilityCheck:
    """Decide the formal check of a submitted proposal; the reason is required for *ineligible*.

    Refused with ``NotAwaitingCheck`` unless the proposal is *eingereicht*, with
    ``ConfirmationPending`` while a proposed decision waits, with ``InvalidContent`` without a
    reason for *nicht förderfähig*. Returns the check: ``confirmed`` (in force) without four-eyes,
    ``proposed`` with four-eyes.
    """
    decision = EligibilityDecision(decision)
    reason = reason.strip()
    if decision == EligibilityDecision.INELIGIBLE and not reason:
        raise InvalidContent(
            {"reason": ["Bitte begründen Sie, warum die Interessenbekundung nicht förderfähig ist."]}
        )
    with transaction.atomic():
        locked = _lock_submitted(proposal.pk)
        if EligibilityCheck.objects.filter(proposal=locked, status=CheckStatus.PROPOSED).exists():
            raise ConfirmationPending
        four_eyes = locked.call.eligibility_four_eyes
        check = EligibilityCheck.objects.create(
            proposal=locked,
            decision=decision,
            reason=reason,
            findings=checks.findings_snapshot(checks.findings_for(locked)),
            status=CheckStatus.PROPOSED if four_eyes else CheckStatus.CONFIRMED,
            four_eyes=four_eyes,
            decided_by=actor,
            decided_at=now,
        )
        if four_eyes:
            record_event(
                actor=actor,
                action="proposal.eligibility_proposed",
                target=locked,
                data={"check": check.pk, "decision": decision.value, "reason": reason},
                now=now,
            )
        else:
            _put_in_force(check, locked, actor=actor, now=now)
    proposal.state = locked.state
    proposal.updated_at = locked.updated_at
    return check


def _lock_pending(check: EligibilityCheck, actor: User) -> EligibilityCheck:
    # The proposal first, then the check: the same order as ``decide_eligibility``.
    Proposal.objects.select_for_update().filter(pk=check.proposal_id).values_list("pk", flat=True).get()
    locked = (
        EligibilityCheck.objects.select_for_update(of=("self",)).select_related("proposal").get(pk=check.pk)
    )
    if locked.status != CheckStatus.PROPOSED:
        raise CheckNotPending(str(CheckStatus(locked.status).label))
    if locked.decided_by_id == actor.pk:
        raise SecondPersonRequired
    return locked


def confirm_eligibility(check: EligibilityCheck, *, actor: User, now: datetime) -> EligibilityCheck:
    """A second staff member confirms a proposed decision: the transition and the mail happen now.

    Refused with ``SecondPersonRequired`` for the person who proposed it and with
    ``CheckNotPending`` for a decision already confirmed or rejected.
    """
    with transaction.atomic():
        locked = _lock_pending(check, actor)
        proposal = _lock_submitted(locked.proposal_id)
        locked.status = CheckStatus.CONFIRMED
        locked.confirmed_by = actor
        locked.confirmed_at = now
        locked.save(update_fields=["status", "confirmed_by", "confirmed_at"])
        _put_in_force(locked, proposal, actor=actor, now=now)
    return locked


def reject_eligibility_proposal(
    check: EligibilityCheck, *, actor: User, reason: str, now: datetime
) -> EligibilityCheck:
    """A second staff member sends a proposed decision back; the proposal stays *eingereicht*
    and can be decided again. Nothing is mailed. The reason is required."""
    reason = reason.strip()
    if not reason:
        raise InvalidContent(
            {"rejection_reason": ["Bitte geben Sie an, warum Sie das Prüfergebnis zurückweisen."]}
        )
    with transaction.atomic():
        locked = _lock_pending(check, actor)
        locked.status = CheckStatus.REJECTED
        locked.rejected_by = actor
        locked.rejected_at = now
        locked.rejection_reason = reason
        locked.save(update_fields=["status", "rejected_by", "rejected_at", "rejection_reason"])
        record_event(
            actor=actor,
            action="proposal.eligibility_rejected",
            target=locked.proposal,
            data={"check": locked.pk, "decision": locked.decision, "reason": reason},
            now=now,
        )
    return locked
