"""Reads of proposals. Access rules for applicants live here, in the queries, not in templates."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery, prefetch_related_objects

from oglabs.proposals.eligibility import Facts, Rules, Task
from oglabs.proposals.exceptions import (
    AttachmentNotFound,
    ConfirmationInvalid,
    InvitationInvalid,
    ProposalNotFound,
)
from oglabs.proposals.models import (
    Attachment,
    BudgetLine,
    ConsortiumMember,
    ConsortiumMunicipality,
    CostCategory,
    Invitation,
    LabTask,
    Partner,
    Proposal,
    ProposalMail,
    ProposalVersion,
)

#: Version of the canonical content format new versions get (bumped when the shape or the hashing
#: changes; ``proposals.hashing`` dispatches on it, so versions of older formats stay valid).
#: 1: one hash per part; 2: a hash tree per part (selective disclosure, ``hashing.node_hash``).
CONTENT_FORMAT = 2


def _content_prefetch(relation: str) -> str | Prefetch:
    """How one relation of the content is loaded (in its canonical order)."""
    if relation == "further_municipalities":
        return Prefetch(
            "further_municipalities",
            queryset=ConsortiumMunicipality.objects.select_related("municipality").order_by(
                "municipality_id"
            ),
        )
    if relation == "partners":
        return Prefetch("partners", queryset=Partner.objects.order_by("position", "pk"))
    if relation == "tasks":
        return Prefetch("tasks", queryset=LabTask.objects.order_by("position", "pk"))
    if relation == "budget_lines":
        return Prefetch("budget_lines", queryset=BudgetLine.objects.order_by("year", "category"))
    return relation


#: The relations that hold the content beside the proposal's own fields.
CONTENT_RELATIONS = ("challenges", "further_municipalities", "partners", "tasks", "budget_lines")


def _with_content(queryset: QuerySet[Proposal]) -> QuerySet[Proposal]:
    return queryset.select_related(
        "call", "call__eligibility", "lead_municipality", "lead_municipality__state"
    ).prefetch_related(*(_content_prefetch(relation) for relation in CONTENT_RELATIONS))


def reload_relations(proposal: Proposal, relations: Iterable[str]) -> None:
    """Load again those of ``relations`` that ``proposal`` holds prefetched (one query each), as
    ``get_proposal_for_member`` loads them; relations not prefetched stay lazy."""
    cache = getattr(proposal, "_prefetched_objects_cache", None)
    if not cache:
        return
    loaded = [relation for relation in relations if relation in cache]
    for relation in loaded:
        del cache[relation]
    if loaded:
        prefetch_related_objects([proposal], *(_content_prefetch(relation) for relation in loaded))


def load_content(proposal: Proposal) -> None:
    """Load those content relations that ``proposal`` does not hold prefetched, in their
    canonical order (one query each), as ``get_proposal_for_member`` loads them."""
    cache = getattr(proposal, "_prefetched_objects_cache", {})
    missing = [relation for relation in CONTENT_RELATIONS if relation not in cache]
    if missing:
        prefetch_related_objects([proposal], *(_content_prefetch(relation) for relation in missing))


def proposals_of_user(user: Any) -> QuerySet[Proposal]:
    """The proposals a person may edit or read as a member of the consortium."""
    if not getattr(user, "is_authenticated", False):
        return Proposal.objects.none()
    return (
        Proposal.objects.filter(members__user=user)
        .select_related("call", "lead_municipality")
        .order_by("-updated_at", "pk")
    )


def get_proposal_for_member(user: Any, pk: int) -> Proposal:
    """The proposal with its content and its call's phases (every page of a proposal shows its
    deadline), if ``user`` is a member; otherwise ``ProposalNotFound``. Seven queries."""
    proposal = _with_content(proposals_of_user(user)).prefetch_related("call__phases").filter(pk=pk).first()
    if proposal is None:
        raise ProposalNotFound
    return proposal


def get_proposal_to_submit(user: Any, pk: int) -> Proposal:
    """``get_proposal_for_member`` plus, in the same queries, the number of the proposal's last
    version (``last_version_number``, ``None`` before the first): what a submission reads before
    it takes its lock."""
    last_number = (
        ProposalVersion.objects.filter(proposal=OuterRef("pk")).order_by("-number").values("number")[:1]
    )
    proposal = (
        _with_content(proposals_of_user(user))
        .prefetch_related("call__phases")
        .annotate(last_version_number=Subquery(last_number))
        .filter(pk=pk)
        .first()
    )
    if proposal is None:
        raise ProposalNotFound
    return proposal


def get_proposal_with_content(pk: int) -> Proposal | None:
    """The proposal with its content and its call's phases, whoever asks (for services that act
    on behalf of the system, such as preparing a submission); ``None`` if there is none."""
    return _with_content(Proposal.objects.filter(pk=pk)).prefetch_related("call__phases").first()


def proposals_of_call(call: Any) -> QuerySet[Proposal]:
    """The call's proposals with their content loaded, by reference (for staff, exports, imports)."""
    return _with_content(Proposal.objects.filter(call=call)).order_by("reference", "pk")


def is_member(user: Any, proposal: Proposal) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return proposal.members.filter(user=user).exists()


def member_emails(proposal: Proposal) -> list[str]:
    """The e-mail addresses of every member of the consortium, in a stable order."""
    return list(proposal.members.order_by("user__email").values_list("user__email", flat=True).distinct())


def attachments_of(proposal: Proposal) -> QuerySet[Attachment]:
    """The proposal's uploaded PDFs, oldest first, with their partner."""
    return proposal.attachments.select_related("partner").order_by("uploaded_at", "pk")


def attachment_for_member(user: Any, attachment_id: int) -> Attachment:
    """An attachment, if ``user`` is a member of its proposal; otherwise ``AttachmentNotFound``
    (a ``ProposalNotFound``). Interfaces serve the file only through this, never by a URL of
    the storage."""
    if not getattr(user, "is_authenticated", False):
        raise AttachmentNotFound
    attachment = (
        Attachment.objects.filter(pk=attachment_id, proposal__members__user=user)
        .select_related("proposal", "partner")
        .first()
    )
    if attachment is None:
        raise AttachmentNotFound
    return attachment


def partner_for_confirmation(token: str) -> Partner:
    """The partner an e-mailed confirmation link is for, to show before confirming;
    ``ConfirmationInvalid`` for an unknown or used token."""
    if not token:
        raise ConfirmationInvalid
    partner = (
        Partner.objects.filter(confirm_token_hash=hashlib.sha256(token.encode("utf-8")).hexdigest())
        .select_related("proposal", "proposal__call", "proposal__lead_municipality")
        .first()
    )
    if partner is None:
        raise ConfirmationInvalid
    return partner


def invitation_for_token(token: str) -> Invitation:
    """The open invitation an e-mailed link is for, to show before joining; ``InvitationInvalid``
    for an unknown or used token."""
    if not token:
        raise InvitationInvalid
    invitation = (
        Invitation.objects.filter(
            token_hash=hashlib.sha256(token.encode("utf-8")).hexdigest(), accepted_at__isnull=True
        )
        .select_related("proposal", "proposal__call", "proposal__lead_municipality")
        .first()
    )
    if invitation is None:
        raise InvitationInvalid
    return invitation


def members_of(proposal: Proposal) -> QuerySet[ConsortiumMember]:
    """The consortium's members with their accounts: the lead first, then by joining."""
    return proposal.members.select_related("user").order_by("-role", "joined_at", "pk")


def open_invitations_of(proposal: Proposal) -> QuerySet[Invitation]:
    """Invitations not yet accepted, oldest first."""
    return proposal.invitations.filter(accepted_at__isnull=True).order_by("created_at", "pk")


def versions_of(proposal: Proposal) -> QuerySet[ProposalVersion]:
    return proposal.versions.select_related("created_by").order_by("-number")


def budget_total(proposal: Proposal) -> Decimal:
    return sum((line.amount for line in proposal.budget_lines.all()), Decimal("0.00"))


def budget_table(proposal: Proposal) -> dict[str, Any]:
    """Requested funds by year × cost category with row, column and grand totals."""
    years = list(range(proposal.call.funding_starts_on.year, proposal.call.funding_ends_on.year + 1))
    cells: dict[tuple[int, str], Decimal] = {
        (line.year, line.category): line.amount for line in proposal.budget_lines.all()
    }
    rows: list[dict[str, Any]] = []
    for category in CostCategory:
        amounts = [cells.get((year, category.value), Decimal("0.00")) for year in years]
        rows.append({"category": category, "amounts": amounts, "total": sum(amounts, Decimal("0.00"))})
    year_totals = [sum((row["amounts"][i] for row in rows), Decimal("0.00")) for i in range(len(years))]
    total = sum(year_totals, Decimal("0.00"))
    return {
        "years": years,
        "rows": rows,
        "year_totals": year_totals,
        "total": total,
        "own_contribution": proposal.own_contribution,
        "state_contribution": proposal.state_contribution,
        "project_total": total + proposal.own_contribution + proposal.state_contribution,
    }


def eligibility_inputs(proposal: Proposal) -> tuple[Rules, Facts]:
    """The call's rules and the proposal's facts as plain data for ``eligibility.check_eligibility``
    (relations not loaded yet are loaded in their canonical order)."""
    load_content(proposal)
    rules_row = proposal.call.eligibility
    rules = Rules(
        allowed_kinds=frozenset(rules_row.applicant_kinds),
        min_municipalities=rules_row.min_municipalities,
        min_civil_society_partners=rules_row.min_civil_society_partners,
        requires_tasks=rules_row.requires_tasks,
        requires_cost_estimate=rules_row.requires_cost_estimate,
    )
    call = proposal.call
    lead = proposal.lead_municipality
    kinds = ([lead.kind] if lead is not None else []) + [
        item.municipality.kind for item in proposal.further_municipalities.all()
    ]
    tasks = tuple(
        Task(
            title=task.title,
            indicator=task.indicator,
            target_value=task.target_value,
            due_within_funding_period=task.due_on is not None
            and call.funding_starts_on <= task.due_on <= call.funding_ends_on,
            verification=task.verification,
        )
        for task in proposal.tasks.all()
    )
    missing = [
        label
        for label, value in (
            ("Titel des Labors", proposal.title),
            ("Region und Ausgangslage", proposal.region),
            ("Form des Labors", proposal.lab_form),
            ("Moderation, Interessenausgleich und Konfliktmanagement", proposal.moderation),
        )
        if not str(value).strip()
    ]
    if not proposal.challenges.all():
        missing.append("Herausforderungen")
    facts = Facts(
        lead_kind=lead.kind if lead is not None else None,
        municipality_kinds=tuple(kinds),
        partner_kinds=tuple(partner.kind for partner in proposal.partners.all()),
        tasks=tasks,
        requested_total=budget_total(proposal),
        budget_line_count=sum(1 for line in proposal.budget_lines.all() if line.amount > 0),
        missing_texts=tuple(missing),
    )
    return rules, facts


def proposal_content(proposal: Proposal) -> dict[str, Any]:
    """The proposal's content as plain data: what a submission freezes and hashes.

    ``public`` holds what may be published after review; ``private`` the personal data
    (partner contact addresses). The version hash commits to both parts separately, so the
    public part can later be checked against it without revealing the private part. Relations
    not loaded yet are loaded in their canonical order (``load_content``), so the result does
    not depend on how the caller loaded the proposal.
    """
    load_content(proposal)
    lead = proposal.lead_municipality
    partners = list(proposal.partners.all())
    public = {
        "format": CONTENT_FORMAT,
        "call": proposal.call.slug,
        "reference": proposal.reference,
        "stage": proposal.stage,
        "title": proposal.title,
        "lead_municipality": {"ars": lead.ars, "name": lead.name, "kind": lead.kind} if lead else None,
        "further_municipalities": [
            {"ars": item.municipality.ars, "name": item.municipality.name, "kind": item.municipality.kind}
            for item in proposal.further_municipalities.all()
        ],
        "region": proposal.region,
        "challenges": sorted(challenge.key for challenge in proposal.challenges.all()),
        "lab_form": proposal.lab_form,
        "moderation": proposal.moderation,
        "partners": [
            {
                "kind": partner.kind,
                "name": partner.name,
                "role_in_lab": partner.role_in_lab,
                "cooperation_exists": partner.cooperation_exists,
                "confirmation": partner.confirmation,
            }
            for partner in partners
        ],
        "tasks": [
            {
                "title": task.title,
                "description": task.description,
                "indicator": task.indicator,
                "target_value": task.target_value,
                "due_on": task.due_on,
                "verification": task.verification,
            }
            for task in proposal.tasks.all()
        ],
        "budget": [
            {"year": line.year, "category": line.category, "amount": line.amount}
            for line in proposal.budget_lines.all()
        ],
        "own_contribution": proposal.own_contribution,
        "state_contribution": proposal.state_contribution,
    }
    private = {"partner_contacts": [partner.contact_email for partner in partners]}
    return {"public": public, "private": private}


def mails_of(proposal: Proposal) -> QuerySet[ProposalMail]:
    """Every mail queued about the proposal, newest first, with its outbox row (subject, delivery
    status, sent time): the correspondence shown in the proposal's history."""
    return proposal.mails.select_related("mail").order_by("-created_at", "-pk")


def message_recipients(call: Any, states: Iterable[str]) -> list[tuple[Proposal, list[str]]]:
    """The consortia of ``call`` in one of ``states`` with their members' addresses (sorted), by
    reference; consortia without a member are left out (there is nobody to write to). Two queries."""
    proposals = (
        Proposal.objects.filter(call=call, state__in=list(states))
        .select_related("call", "lead_municipality")
        .prefetch_related(Prefetch("members", queryset=ConsortiumMember.objects.select_related("user")))
        .order_by("reference", "pk")
    )
    result = []
    for proposal in proposals:
        emails = sorted({member.user.email for member in proposal.members.all()})
        if emails:
            result.append((proposal, emails))
    return result
