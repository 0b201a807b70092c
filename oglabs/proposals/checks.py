"""Reads of the formal check (Formale Prüfung): the automatic findings, the queue of a call,
the decisions waiting for a second person (four-eyes) and a proposal's check history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from oglabs.proposals import queries
from oglabs.proposals.eligibility import Finding, check_eligibility
from oglabs.proposals.models import CheckStatus, EligibilityCheck, EligibilityDecision, Proposal
from oglabs.proposals.states import ProposalState


def findings_for(proposal: Proposal) -> list[Finding]:
    """The automatic findings, rule by rule, from the proposal's rows.

    After submission the content is no longer editable, so the rows are what was submitted.
    """
    loaded = queries.proposals_of_call(proposal.call_id).get(pk=proposal.pk)
    return check_eligibility(*queries.eligibility_inputs(loaded))


def findings_snapshot(findings: list[Finding]) -> list[dict[str, Any]]:
    """Findings as stored with a decision: ``[{"code", "met", "message"}, …]``."""
    return [{"code": item.code, "met": item.met, "message": item.message} for item in findings]


def get_proposal_for_check(pk: int) -> Proposal:
    """Any proposal with its call and lead (staff only; the view checks). ``Proposal.DoesNotExist``."""
    return Proposal.objects.select_related("call", "lead_municipality", "lead_municipality__state").get(pk=pk)


def checks_of(proposal: Proposal) -> QuerySet[EligibilityCheck]:
    """Every decision of the formal check on the proposal, newest first, with who took part."""
    return (
        EligibilityCheck.objects.filter(proposal=proposal)
        .select_related("decided_by", "confirmed_by", "rejected_by")
        .order_by("-decided_at", "-pk")
    )


def pending_check(proposal: Proposal) -> EligibilityCheck | None:
    """The decision waiting for a second person, if there is one (at most one per proposal)."""
    return (
        EligibilityCheck.objects.filter(proposal=proposal, status=CheckStatus.PROPOSED)
        .select_related("decided_by")
        .order_by("pk")
        .first()
    )


def get_check(pk: int) -> EligibilityCheck:
    """A check with its proposal and call. ``EligibilityCheck.DoesNotExist``."""
    return EligibilityCheck.objects.select_related("proposal", "proposal__call", "decided_by").get(pk=pk)


@dataclass(frozen=True)
class CheckQueue:
    """The formal check of one call: submitted proposals to decide, decisions to confirm, tallies."""

    to_decide: list[Proposal]
    to_confirm: list[Proposal]
    #: Decisions in force in this call, by result.
    eligible: int
    ineligible: int


def check_queue(call: Any) -> CheckQueue:
    """Submitted proposals of ``call`` by submission time; ``to_confirm`` carry ``pending`` (a list
    with their one proposed check). Three queries, whatever the number of proposals."""
    open_check = EligibilityCheck.objects.filter(proposal=OuterRef("pk"), status=CheckStatus.PROPOSED)
    submitted = (
        Proposal.objects.filter(call=call, state=ProposalState.SUBMITTED)
        .select_related("lead_municipality", "lead_municipality__state")
        .annotate(awaiting_confirmation=Exists(open_check))
        .prefetch_related(
            Prefetch(
                "eligibility_checks",
                queryset=EligibilityCheck.objects.filter(status=CheckStatus.PROPOSED).select_related(
                    "decided_by"
                ),
                to_attr="pending",
            )
        )
        .order_by("submitted_at", "reference", "pk")
    )
    rows = list(submitted)
    tallies = EligibilityCheck.objects.filter(proposal__call=call, status=CheckStatus.CONFIRMED).aggregate(
        eligible=Count("pk", filter=Q(decision=EligibilityDecision.ELIGIBLE)),
        ineligible=Count("pk", filter=Q(decision=EligibilityDecision.INELIGIBLE)),
    )
    return CheckQueue(
        to_decide=[row for row in rows if not row.awaiting_confirmation],
        to_confirm=[row for row in rows if row.awaiting_confirmation],
        eligible=tallies["eligible"],
        ineligible=tallies["ineligible"],
    )
