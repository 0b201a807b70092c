"""Export proposals of a call in the exchange format (built from the canonical content)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch

from oglabs.calls.models import Call
from oglabs.proposals import queries
from oglabs.proposals.exchange.format import FORMAT, VERSION, format_amount, format_day, format_instant
from oglabs.proposals.models import ConsortiumMember, MemberRole, Proposal
from oglabs.proposals.states import ProposalState

#: States the format can carry (version 1).
EXPORTABLE_STATES = frozenset({ProposalState.DRAFT, ProposalState.SUBMITTED})


def exportable_proposals(call: Call) -> list[Proposal]:
    """The call's proposals in an exportable state, by reference, with content and members loaded."""
    members = ConsortiumMember.objects.select_related("user")
    return list(
        queries.proposals_of_call(call)
        .filter(state__in=[state.value for state in EXPORTABLE_STATES])
        .prefetch_related(Prefetch("members", queryset=members))
    )


def _contacts(proposal: Proposal) -> list[str]:
    """E-mail addresses of the members: the lead first, then by joining."""
    members = sorted(proposal.members.all(), key=lambda m: (m.role != MemberRole.LEAD, m.joined_at, m.pk))
    return [member.user.email for member in members]


def export_record(proposal: Proposal) -> dict[str, Any]:
    """One proposal as a record of the format; ``proposal`` needs its content loaded."""
    if proposal.state not in EXPORTABLE_STATES:
        raise ValueError(f"{proposal.reference}: state {proposal.state} cannot be exported")
    content = queries.proposal_content(proposal)
    public, private = content["public"], content["private"]
    lead = public["lead_municipality"]
    return {
        "reference": proposal.reference,
        "title": public["title"],
        "state": proposal.state,
        "submitted_at": format_instant(proposal.submitted_at)
        if proposal.state == ProposalState.SUBMITTED
        else None,
        "lead_municipality": lead["ars"] if lead else None,
        "further_municipalities": [item["ars"] for item in public["further_municipalities"]],
        "region": public["region"],
        "challenges": public["challenges"],
        "lab_form": public["lab_form"],
        "moderation": public["moderation"],
        "partners": [
            {
                "kind": partner["kind"],
                "name": partner["name"],
                "role_in_lab": partner["role_in_lab"],
                "cooperation_exists": partner["cooperation_exists"],
                "contact_email": email,
            }
            for partner, email in zip(public["partners"], private["partner_contacts"], strict=True)
        ],
        "tasks": [{**task, "due_on": format_day(task["due_on"])} for task in public["tasks"]],
        "budget": [{**line, "amount": format_amount(line["amount"])} for line in public["budget"]],
        "own_contribution": format_amount(public["own_contribution"]),
        "state_contribution": format_amount(public["state_contribution"]),
        "contacts": _contacts(proposal),
    }


def export_proposals(call: Call, proposals: Iterable[Proposal]) -> dict[str, Any]:
    """A document of the format with ``proposals`` (of ``call``, in the order given).

    Refuses (``ValueError``) a proposal of another call or in a state the format cannot carry.
    Pass ``exportable_proposals(call)`` for all of a call's drafts and submitted proposals.
    """
    records = []
    for proposal in proposals:
        if proposal.call_id != call.pk:
            raise ValueError(f"{proposal.reference} does not belong to the call {call.slug}")
        records.append(export_record(proposal))
    return {"format": FORMAT, "version": VERSION, "call": call.slug, "proposals": records}
