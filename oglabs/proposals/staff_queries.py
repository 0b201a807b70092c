"""Reads for staff running a call: the dashboard's figures, the filtered and sorted list of a
call's proposals, one proposal with everything staff see, and its attachments.

Every function runs a fixed number of queries, however many proposals a call has (a test
guards it with 10 and 1,000 proposals). Access is the caller's business: the back office
checks ``rules.can_run_call`` before it calls any of these.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from oglabs.calls.models import Call, Challenge, Phase
from oglabs.places.models import MunicipalityKind
from oglabs.places.queries import all_states
from oglabs.proposals.exceptions import AttachmentNotFound, ProposalNotFound
from oglabs.proposals.models import (
    Attachment,
    BudgetLine,
    ConsortiumMunicipality,
    LabTask,
    Partner,
    Proposal,
    ProposalVersion,
)
from oglabs.proposals.states import HANDED_IN_STATES, ProposalState

#: Proposals that count on the dashboard (Land, kind, challenge, requested total): handed in
#: and still standing. Withdrawn ones ask for nothing any more; merged originals live on in
#: the proposal they were merged into and would otherwise be counted twice.
COUNTED_STATES = frozenset(HANDED_IN_STATES - {ProposalState.WITHDRAWN, ProposalState.MERGED})

ZERO = Decimal("0.00")
_MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)


# --- the calls a staff member runs ---------------------------------------------------------------


def calls_for_staff() -> list[Call]:
    """Every call (published or not), newest funding period first, with ``counted`` (proposals
    in :data:`COUNTED_STATES`) and ``drafts`` annotated and the phases loaded."""
    return list(
        Call.objects.annotate(
            counted=Count("proposals", filter=Q(proposals__state__in=sorted(COUNTED_STATES))),
            drafts=Count("proposals", filter=Q(proposals__state=ProposalState.DRAFT)),
        )
        .prefetch_related(Prefetch("phases", queryset=Phase.objects.order_by("starts_at", "ends_at", "kind")))
        .order_by("-funding_starts_on", "slug")
    )


# --- the dashboard -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StateCount:
    state: ProposalState
    count: int


@dataclass(frozen=True)
class LandCount:
    ars: str
    name: str
    count: int


@dataclass(frozen=True)
class KindCount:
    kind: MunicipalityKind
    count: int


@dataclass(frozen=True)
class ChallengeCount:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class CallFigures:
    """A call's proposals counted four ways, and what they request.

    ``by_state`` counts every proposal (drafts included), one entry per state in lifecycle
    order. The other counts and ``requested_total`` cover the ``counted`` proposals in
    :data:`COUNTED_STATES`; ``without_municipality`` of them name no lead municipality yet.
    """

    by_state: list[StateCount]
    by_land: list[LandCount]
    by_kind: list[KindCount]
    by_challenge: list[ChallengeCount]
    counted: int
    without_municipality: int
    requested_total: Decimal

    @property
    def total(self) -> int:
        return sum(item.count for item in self.by_state)


def call_figures(call: Call) -> CallFigures:
    """The dashboard's figures in four queries: one grouped count (state × Land × kind), the
    Länder, the challenges with their counts, and the sum of the budget lines."""
    groups = (
        Proposal.objects.filter(call=call)
        .order_by()
        .values("state", "lead_municipality__state_id", "lead_municipality__kind")
        .annotate(count=Count("pk"))
    )
    by_state: Counter[str] = Counter()
    by_land: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    counted = without_municipality = 0
    for group in groups:
        count = group["count"]
        by_state[group["state"]] += count
        if group["state"] not in COUNTED_STATES:
            continue
        counted += count
        if group["lead_municipality__state_id"] is None:
            without_municipality += count
            continue
        by_land[group["lead_municipality__state_id"]] += count
        by_kind[group["lead_municipality__kind"]] += count

    challenges = (
        Challenge.objects.filter(call=call)
        .annotate(count=Count("proposal", filter=Q(proposal__state__in=sorted(COUNTED_STATES))))
        .order_by("position")
    )
    requested = BudgetLine.objects.filter(
        proposal__call=call, proposal__state__in=sorted(COUNTED_STATES)
    ).aggregate(total=Sum("amount"))["total"]
    return CallFigures(
        by_state=[StateCount(state, by_state[state.value]) for state in ProposalState],
        by_land=[LandCount(land.ars, land.name, by_land[land.ars]) for land in all_states()],
        by_kind=[KindCount(kind, by_kind[kind.value]) for kind in MunicipalityKind],
        by_challenge=[
            ChallengeCount(challenge.key, challenge.label, challenge.count) for challenge in challenges
        ],
        counted=counted,
        without_municipality=without_municipality,
        requested_total=requested if requested is not None else ZERO,
    )


# --- the list --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalFilter:
    """What the list is narrowed to; empty strings mean "all"."""

    state: str = ""
    land: str = ""  # a Land's ARS ("12")
    kind: str = ""  # a MunicipalityKind value
    challenge: str = ""  # a challenge key of the call
    text: str = ""  # part of the title, the reference or the lead municipality's name


#: Lifecycle position of each state, for sorting by state.
_STATE_RANK = Case(
    *(When(state=state.value, then=Value(rank)) for rank, state in enumerate(ProposalState)),
    default=Value(len(ProposalState)),
    output_field=IntegerField(),
)

#: Sort keys of the list → the expression sorted by.
SORT_FIELDS: dict[str, Any] = {
    "reference": F("reference"),
    "title": F("title"),
    "municipality": F("lead_municipality__name"),
    "land": F("lead_municipality__state__name"),
    "kind": F("lead_municipality__kind"),
    "state": F("state_rank"),
    "requested": F("requested_total"),
    "submitted": F("submitted_at"),
    "partners": F("partner_count"),
}
DEFAULT_SORT = "reference"


def _requested_total() -> Coalesce:
    lines = (
        BudgetLine.objects.filter(proposal=OuterRef("pk"))
        .order_by()
        .values("proposal")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(lines, output_field=_MONEY), Value(ZERO), output_field=_MONEY)


def _partner_count() -> Coalesce:
    partners = (
        Partner.objects.filter(proposal=OuterRef("pk"))
        .order_by()
        .values("proposal")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(partners, output_field=IntegerField()), Value(0), output_field=IntegerField())


def proposals_for_staff(
    call: Call,
    *,
    filters: ProposalFilter | None = None,
    sort: str = DEFAULT_SORT,
    descending: bool = False,
) -> QuerySet[Proposal]:
    """The call's proposals, filtered and sorted, each with ``requested_total`` (sum of its
    budget lines), ``partner_count`` and ``state_rank`` annotated and the lead municipality and
    its Land loaded: one query for a page, whatever its length.

    The sums are correlated subqueries rather than joins, so that budget lines and partners
    cannot multiply each other. Empty values sort last; ties fall back to the reference,
    ascending in either direction. An unknown ``sort`` sorts by reference.
    """
    filters = filters or ProposalFilter()
    queryset = (
        Proposal.objects.filter(call=call)
        .select_related("lead_municipality", "lead_municipality__state")
        .annotate(requested_total=_requested_total(), partner_count=_partner_count(), state_rank=_STATE_RANK)
    )
    if filters.state:
        queryset = queryset.filter(state=filters.state)
    if filters.land:
        queryset = queryset.filter(lead_municipality__state_id=filters.land)
    if filters.kind:
        queryset = queryset.filter(lead_municipality__kind=filters.kind)
    if filters.challenge:
        # One row per proposal: a proposal names each challenge at most once.
        queryset = queryset.filter(challenges__key=filters.challenge)
    text = filters.text.strip()
    if text:
        queryset = queryset.filter(
            Q(title__icontains=text)
            | Q(reference__icontains=text)
            | Q(lead_municipality__name__icontains=text)
        )
    expression = SORT_FIELDS.get(sort, SORT_FIELDS[DEFAULT_SORT])
    ordering = expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
    return queryset.order_by(ordering, "reference", "pk")


# --- one proposal ----------------------------------------------------------------------------------


def proposal_for_staff(pk: int) -> Proposal:
    """The proposal with its call, consortium, partners, tasks, budget lines, challenges,
    versions (newest first, ``versions_for_staff``) and attachments (oldest first,
    ``attachments_for_staff``) loaded; ``ProposalNotFound`` if there is none."""
    proposal = (
        Proposal.objects.filter(pk=pk)
        .select_related(
            "call",
            "call__eligibility",
            "lead_municipality",
            "lead_municipality__state",
            "lead_municipality__district",
            "merged_into",
        )
        .prefetch_related(
            Prefetch("challenges", queryset=Challenge.objects.order_by("position")),
            Prefetch(
                "further_municipalities",
                queryset=ConsortiumMunicipality.objects.select_related(
                    "municipality", "municipality__state"
                ).order_by("municipality__name", "municipality_id"),
            ),
            Prefetch("partners", queryset=Partner.objects.order_by("position", "pk")),
            Prefetch("tasks", queryset=LabTask.objects.order_by("position", "pk")),
            Prefetch("budget_lines", queryset=BudgetLine.objects.order_by("year", "category")),
            Prefetch(
                "versions",
                queryset=ProposalVersion.objects.select_related("created_by")
                .defer("content")
                .order_by("-number"),
                to_attr="versions_for_staff",
            ),
            Prefetch(
                "attachments",
                queryset=Attachment.objects.select_related("partner").order_by("uploaded_at", "pk"),
                to_attr="attachments_for_staff",
            ),
        )
        .first()
    )
    if proposal is None:
        raise ProposalNotFound
    return proposal


def attachment_for_staff(attachment_id: int) -> Attachment:
    """Any attachment with its proposal; ``AttachmentNotFound`` if there is none."""
    attachment = Attachment.objects.filter(pk=attachment_id).select_related("proposal").first()
    if attachment is None:
        raise AttachmentNotFound
    return attachment
