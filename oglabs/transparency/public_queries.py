"""The public read model: what the public pages and the read API (``/api/v1/``) show of a call,
its statistics and its published decision — and nothing else.

Both interfaces read through this module, so a page and its API endpoint can never disagree.
Nothing personal leaves it: no user, no e-mail address, no juror's identity, no partner's contact;
the jury appears as organisations with their number of members, partners as organisation names,
reasons only as the redacted, second-staff-confirmed texts of :func:`queries.public_texts`.

Every function runs a fixed number of queries however many proposals a call has (guarded by
tests with few and many entries). Decision data is read only once ``queries.is_published``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Substr

from oglabs.calls import timeline
from oglabs.calls.models import Call, Challenge
from oglabs.places.models import MunicipalityKind, State
from oglabs.proposals.models import ConsortiumMunicipality, Partner, PartnerKind, ProposalVersion, VersionKind
from oglabs.proposals.staff_queries import ChallengeCount, KindCount, LandCount, call_figures
from oglabs.proposals.states import ProposalState
from oglabs.reviews.aggregation import PLACES
from oglabs.reviews.models import (
    ConflictOfInterest,
    ConflictSource,
    Criterion,
    Juror,
    Review,
    ReviewState,
    Score,
)
from oglabs.reviews.queries import not_void
from oglabs.selection.models import Decision, DecisionEntry, Outcome
from oglabs.transparency.models import DeadlineCommitment
from oglabs.transparency.queries import InclusionProof, inclusion_proofs, is_published, public_texts

S = ProposalState

# --------------------------------------------------------------------------------------------------
# Calls


@dataclass(frozen=True)
class PublicPhase:
    kind: str  # a calls.PhaseKind value
    starts_at: datetime
    ends_at: datetime
    is_deadline: bool
    is_current: bool


@dataclass(frozen=True)
class CallTimeline:
    """Where a call stands at ``now`` (the semantics of :mod:`oglabs.calls.timeline`)."""

    #: "open": submissions accepted now; "upcoming": not yet; "closed": deadline passed or no window.
    status: str
    opens_at: datetime | None
    deadline_at: datetime | None
    phases: list[PublicPhase]
    decision_published: bool


def call_timeline(call: Call, *, now: datetime, decision_published: bool) -> CallTimeline:
    """The status and phases of ``call`` (phases prefetched by ``calls.queries``); no query."""
    spans = call.phase_spans()
    window = timeline.submission_window(spans)
    if window is None:
        status, opens_at, deadline_at = "closed", None, None
    else:
        opens_at, deadline_at = window
        if timeline.is_open(spans, now):
            status = "open"
        elif timeline.as_utc(now) < opens_at:
            status = "upcoming"
        else:
            status = "closed"
    current = timeline.current_phase(spans, now)
    order = {kind: index for index, kind in enumerate(timeline.PHASE_ORDER)}
    phases = [
        PublicPhase(
            kind=span.kind,
            starts_at=span.starts_at,
            ends_at=span.ends_at,
            is_deadline=span.kind in timeline.DEADLINE_KINDS,
            is_current=current is not None and span.kind == current.kind,
        )
        for span in sorted(
            spans, key=lambda span: (timeline.as_utc(span.starts_at), order.get(span.kind, 99))
        )
    ]
    return CallTimeline(status, opens_at, deadline_at, phases, decision_published)


def published_decision_calls() -> set[int]:
    """Ids of the calls whose decision is published (one query)."""
    return set(Decision.objects.filter(published_at__isnull=False).values_list("call_id", flat=True))


# --------------------------------------------------------------------------------------------------
# Statistics

#: The stages of the procedure, in order, each with the proposal states that stand at it now.
#: Drafts are private and not counted; a merged proposal lives on in the one it was merged into.
STAGES: tuple[tuple[str, frozenset[ProposalState]], ...] = (
    ("submitted", frozenset({S.SUBMITTED})),
    ("eligible", frozenset({S.ELIGIBLE, S.INVITED, S.IN_REVISION, S.REVISED})),
    ("ineligible", frozenset({S.INELIGIBLE})),
    ("in_competition", frozenset({S.IN_COMPETITION})),
    ("decided", frozenset({S.SELECTED, S.WAITLISTED, S.NOT_SELECTED})),
    ("withdrawn", frozenset({S.WITHDRAWN})),
)
STAGE_KEYS: tuple[str, ...] = tuple(key for key, _ in STAGES)
#: The outcomes in the order the public pages list them.
OUTCOME_ORDER: tuple[Outcome, ...] = (Outcome.SELECTED, Outcome.WAITLISTED, Outcome.NOT_SELECTED)


@dataclass(frozen=True)
class StageCount:
    key: str  # one of STAGE_KEYS
    count: int


@dataclass(frozen=True)
class OutcomeCount:
    outcome: Outcome
    count: int
    granted: Decimal


@dataclass(frozen=True)
class CallStatistics:
    """Aggregate numbers of one call; ``outcomes`` and ``granted_total`` only once the decision
    is published (``None`` before)."""

    call: Call
    stages: list[StageCount]
    by_land: list[LandCount]
    by_kind: list[KindCount]
    by_challenge: list[ChallengeCount]
    #: Proposals counted by Land, kind, challenge and in ``requested_total``: handed in, not
    #: withdrawn, not merged (the back office's ``COUNTED_STATES``).
    counted: int
    without_municipality: int
    requested_total: Decimal
    budget: Decimal
    outcomes: list[OutcomeCount] | None = None
    granted_total: Decimal | None = None

    @property
    def handed_in(self) -> int:
        return sum(stage.count for stage in self.stages)

    @property
    def published(self) -> bool:
        return self.outcomes is not None


def _published_decision(call: Call) -> Decision | None:
    """The call's decision if it is published (the test of ``queries.is_published``)."""
    return Decision.objects.filter(call=call, published_at__isnull=False).order_by("pk").first()


def call_statistics(call: Call) -> CallStatistics:
    """The statistics of ``call``: five queries, six with a published decision (plus three the
    first time a decision's figures are computed, see :func:`_entry_figures`)."""
    figures = call_figures(call)
    by_state = {item.state: item.count for item in figures.by_state}
    stages = [StageCount(key, sum(by_state.get(state, 0) for state in states)) for key, states in STAGES]
    decision = _published_decision(call)
    outcomes: list[OutcomeCount] | None = None
    granted_total: Decimal | None = None
    if decision is not None:
        outcomes = _entry_figures(decision).outcomes
        granted_total = sum((item.granted for item in outcomes), Decimal("0.00"))
    return CallStatistics(
        call=call,
        stages=stages,
        by_land=figures.by_land,
        by_kind=figures.by_kind,
        by_challenge=figures.by_challenge,
        counted=figures.counted,
        without_municipality=figures.without_municipality,
        requested_total=figures.requested_total,
        budget=call.budget,
        outcomes=outcomes,
        granted_total=granted_total,
    )


# --------------------------------------------------------------------------------------------------
# The published decision: overview


@dataclass(frozen=True)
class PublicCriterion:
    key: str
    name: str
    description: str
    weight: Decimal
    scale_min: int
    scale_max: int
    min_score: Decimal | None


@dataclass(frozen=True)
class JuryOrganisation:
    organisation: str
    members: int


@dataclass(frozen=True)
class LandFacet:
    ars: str
    name: str
    count: int


@dataclass(frozen=True)
class SelectedLab:
    reference: str
    municipality: str
    land: str
    granted: Decimal
    longitude: float | None
    latitude: float | None


@dataclass(frozen=True)
class PublishedDecision:
    """What the public decision page shows above the table of entries."""

    call: Call
    decision: Decision
    decided_at: datetime
    published_at: datetime
    criteria: list[PublicCriterion]
    #: The selection rules as stored with the run (``selection.serialise.rules_to_json`` plus
    #: ``explain_top`` and ``time_limit``): amounts and shares as decimal strings.
    parameters: dict[str, Any]
    #: How the scores were aggregated (method, normalisation, reviews per proposal, maximum).
    aggregation: dict[str, Any]
    run_number: int
    run_status: str
    code_version: str
    solver_version: str
    jury: list[JuryOrganisation]
    conflicts_declared: int
    conflicts_detected: int
    outcomes: list[OutcomeCount]
    lands: list[LandFacet]
    selected: list[SelectedLab]

    @property
    def decision_id(self) -> int:
        return self.decision.pk

    @property
    def entry_count(self) -> int:
        return sum(item.count for item in self.outcomes)

    @property
    def jurors(self) -> int:
        return sum(item.members for item in self.jury)

    @property
    def granted_total(self) -> Decimal:
        return sum((item.granted for item in self.outcomes), Decimal("0.00"))


#: What the public may see of the aggregation record (the rest is internal, e.g. alpha).
_AGGREGATION_KEYS = ("method", "normalised", "reviews_per_proposal", "max_score")
#: What the public may see of the parameters.
_PARAMETER_KEYS = ("budget", "max_labs", "max_per_state", "min_rural_share", "min_score", "min_funding_share")


def published_decision(call: Call) -> PublishedDecision | None:
    """The published decision of ``call``, or ``None`` while ``queries.is_published`` says no.
    Six queries (eight on the first call for a decision, see :func:`_entry_figures`)."""
    if not is_published(call):
        return None
    decision = (
        Decision.objects.filter(call=call, published_at__isnull=False)
        .select_related("run")
        .defer("run__inputs", "run__result", "run__greedy_result")
        .order_by("pk")
        .first()
    )
    if decision is None or decision.published_at is None:
        return None
    run = decision.run
    aggregation = run.aggregation or {}
    descriptions = {c.key: c for c in Criterion.objects.filter(call=call).order_by("position", "pk")}
    if aggregation.get("criteria"):
        criteria = [
            PublicCriterion(
                key=str(item["key"]),
                name=str(item["name"]),
                description=descriptions[item["key"]].description if item["key"] in descriptions else "",
                weight=Decimal(str(item["weight"])),
                scale_min=int(item["scale_min"]),
                scale_max=int(item["scale_max"]),
                min_score=None if item.get("min_score") is None else Decimal(str(item["min_score"])),
            )
            for item in aggregation["criteria"]
        ]
    else:
        criteria = [
            PublicCriterion(c.key, c.name, c.description, c.weight, c.scale_min, c.scale_max, c.min_score)
            for c in descriptions.values()
        ]
    jury = [
        JuryOrganisation(row["organisation"], row["members"])
        for row in Juror.objects.filter(call=call)
        .order_by()
        .values("organisation")
        .annotate(members=Count("pk"))
        .order_by("organisation")
    ]
    conflicts = ConflictOfInterest.objects.filter(juror__call=call).aggregate(
        declared=Count("pk", filter=Q(source=ConflictSource.DECLARED)),
        detected=Count("pk", filter=Q(source=ConflictSource.DETECTED, overridden_at__isnull=True)),
    )
    figures = _entry_figures(decision)
    return PublishedDecision(
        call=call,
        decision=decision,
        decided_at=decision.decided_at,
        published_at=decision.published_at,
        criteria=criteria,
        parameters={key: run.parameters.get(key) for key in _PARAMETER_KEYS},
        aggregation={key: aggregation.get(key) for key in _AGGREGATION_KEYS},
        run_number=run.number,
        run_status=run.status,
        code_version=run.code_version,
        solver_version=run.solver_version,
        jury=jury,
        conflicts_declared=conflicts["declared"],
        conflicts_detected=conflicts["detected"],
        outcomes=figures.outcomes,
        lands=figures.lands,
        selected=figures.selected,
    )


@dataclass(frozen=True)
class _EntryFigures:
    outcomes: list[OutcomeCount]
    lands: list[LandFacet]
    selected: list[SelectedLab]


#: How long the figures of a published decision's entries stay in the cache (they never change).
FIGURES_CACHE_SECONDS = 24 * 60 * 60


def _entry_figures(decision: Decision) -> _EntryFigures:
    """Outcome counts, Länder and the selected labs of a decision's entries.

    Entries are written once, by ``selection.services.decide``, and never changed (a lab that
    withdraws leaves a ``MoveUp``), so these figures are computed once per decision and kept in
    the cache; the key carries the decision's identity and times. Three queries when computed,
    one cache read otherwise.
    """
    key = (
        f"oglabs:public-decision-figures:{decision.pk}:{decision.run_id}:{decision.decided_at.isoformat()}:"
        + (decision.published_at.isoformat() if decision.published_at else "")
    )
    figures = cache.get(key)
    if not isinstance(figures, _EntryFigures):
        figures = _compute_entry_figures(decision)
        cache.set(key, figures, FIGURES_CACHE_SECONDS)
    return figures


def _compute_entry_figures(decision: Decision) -> _EntryFigures:
    # The first two digits of a Regionalschlüssel are the Land's key: no join to the places.
    groups = list(
        DecisionEntry.objects.filter(decision=decision)
        .order_by()
        .values("outcome", land=Substr("proposal__lead_municipality_id", 1, 2))
        .annotate(count=Count("pk"), granted=Sum("granted_amount"))
    )
    by_outcome: dict[str, tuple[int, Decimal]] = {}
    by_land: dict[str, int] = defaultdict(int)
    for row in groups:
        count, granted = by_outcome.get(row["outcome"], (0, Decimal("0.00")))
        by_outcome[row["outcome"]] = (count + row["count"], granted + (row["granted"] or Decimal("0.00")))
        if row["land"]:
            by_land[row["land"]] += row["count"]
    outcomes = [
        OutcomeCount(outcome, *by_outcome.get(outcome.value, (0, Decimal("0.00"))))
        for outcome in OUTCOME_ORDER
    ]
    lands = [
        LandFacet(state.ars, state.name, by_land[state.ars])
        for state in State.objects.order_by("ars")
        if by_land.get(state.ars)
    ]
    selected = [
        SelectedLab(
            reference=row["proposal__reference"],
            municipality=row["proposal__lead_municipality__name"] or "",
            land=row["proposal__lead_municipality__state__name"] or "",
            granted=row["granted_amount"],
            longitude=row["proposal__lead_municipality__longitude"],
            latitude=row["proposal__lead_municipality__latitude"],
        )
        for row in DecisionEntry.objects.filter(decision=decision, outcome=Outcome.SELECTED)
        .order_by("rank", "pk")
        .values(
            "proposal__reference",
            "proposal__lead_municipality__name",
            "proposal__lead_municipality__state__name",
            "proposal__lead_municipality__longitude",
            "proposal__lead_municipality__latitude",
            "granted_amount",
        )
    ]
    return _EntryFigures(outcomes, lands, selected)


# --------------------------------------------------------------------------------------------------
# The published decision: entries


@dataclass(frozen=True)
class PublicPartner:
    name: str
    kind: str  # a PartnerKind value

    @property
    def kind_label(self) -> str:
        return str(PartnerKind(self.kind).label) if self.kind in PARTNER_KINDS else self.kind


@dataclass(frozen=True)
class EntryRow:
    """One proposal of the published decision, as the public sees it."""

    proposal_id: int
    reference: str
    rank: int
    outcome: Outcome
    waitlist_position: int | None
    score: Decimal
    requested: Decimal
    granted: Decimal
    municipality: str
    municipality_kind: str
    land_ars: str
    land: str
    partners: tuple[PublicPartner, ...]
    #: Criterion key → the mean of the jury's scores in that criterion (4 places).
    per_criterion: dict[str, Decimal]
    #: The published reason (redacted and confirmed), or "" while there is none.
    reason: str


#: Sort keys of the entries → the columns sorted by (then always the rank, then the id).
SORTS: dict[str, tuple[Any, ...]] = {
    "result": ("outcome_order", "rank"),
    "rank": ("rank",),
    "municipality": ("proposal__lead_municipality__name", "rank"),
    "land": ("proposal__lead_municipality__state__name", "rank"),
    "requested": ("-requested_amount", "rank"),
    "granted": ("-granted_amount", "rank"),
}
DEFAULT_SORT = "result"
#: Rows per page of the decision table (and the API's proposals): with the overview above it,
#: the first view stays under 50 KB of HTML (bench/public_decision.py).
PER_PAGE = 30


@dataclass(frozen=True)
class EntryFilter:
    """What the table is narrowed to; empty strings mean "all". Unknown values mean "all", too
    (the caller validates against :data:`OUTCOME_ORDER`, the Länder and :data:`SORTS`)."""

    outcome: str = ""
    land: str = ""
    sort: str = DEFAULT_SORT


@dataclass(frozen=True)
class EntryPage:
    rows: list[EntryRow]
    total: int  # entries matching the filter
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.total, self.page * self.per_page)


def _entries(decision_id: int, entry_filter: EntryFilter) -> QuerySet[DecisionEntry]:
    entries = DecisionEntry.objects.filter(decision_id=decision_id)
    if entry_filter.outcome:
        entries = entries.filter(outcome=entry_filter.outcome)
    if entry_filter.land:
        # The first two digits of a Regionalschlüssel are the Land's key.
        entries = entries.filter(proposal__lead_municipality__ars__startswith=entry_filter.land)
    return entries


#: "Selected first, then the ranking": every other outcome shares one group.
_SELECTED_FIRST = Case(
    When(outcome=Outcome.SELECTED.value, then=Value(0)), default=Value(1), output_field=IntegerField()
)
_ROW_FIELDS = (
    "pk",
    "proposal_id",
    "proposal__reference",
    "rank",
    "outcome",
    "waitlist_position",
    "score",
    "requested_amount",
    "granted_amount",
    "proposal__lead_municipality__name",
    "proposal__lead_municipality__kind",
    "proposal__lead_municipality__state_id",
    "proposal__lead_municipality__state__name",
)


def entry_page(
    decision: PublishedDecision, entry_filter: EntryFilter, *, page: int = 1, per_page: int = PER_PAGE
) -> EntryPage:
    """One page of the decision's entries: six queries (count, the page's ids in order, their
    rows, partners, criterion means, reasons). ``page`` beyond the last is clamped to the last."""
    entries = _entries(decision.decision_id, entry_filter)
    total = entries.count()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    order = SORTS.get(entry_filter.sort, SORTS[DEFAULT_SORT])
    # Sort narrow rows first (the entries hold long texts), then load the page's rows by key.
    ids = list(
        entries.annotate(outcome_order=_SELECTED_FIRST)
        .order_by(*order, "pk")
        .values_list("pk", flat=True)[(page - 1) * per_page : page * per_page]
    )
    by_id = {
        row["pk"]: row for row in DecisionEntry.objects.filter(pk__in=ids).order_by().values(*_ROW_FIELDS)
    }
    rows = [by_id[pk] for pk in ids if pk in by_id]
    return EntryPage(rows=_entry_rows(decision, rows), total=total, page=page, per_page=per_page)


def _entry_rows(decision: PublishedDecision, rows: Sequence[dict[str, Any]]) -> list[EntryRow]:
    ids = [row["proposal_id"] for row in rows]
    partners = partners_of(ids)
    means = criterion_means(decision.call, ids)
    reasons = _reasons(decision.decision, ids)
    return [
        EntryRow(
            proposal_id=row["proposal_id"],
            reference=row["proposal__reference"],
            rank=row["rank"],
            outcome=Outcome(row["outcome"]),
            waitlist_position=row["waitlist_position"],
            score=row["score"],
            requested=row["requested_amount"],
            granted=row["granted_amount"],
            municipality=row["proposal__lead_municipality__name"] or "",
            municipality_kind=row["proposal__lead_municipality__kind"] or "",
            land_ars=row["proposal__lead_municipality__state_id"] or "",
            land=row["proposal__lead_municipality__state__name"] or "",
            partners=tuple(partners.get(row["proposal_id"], ())),
            per_criterion=means.get(row["proposal_id"], {}),
            reason=reasons.get(row["proposal_id"], ""),
        )
        for row in rows
    ]


def partners_of(proposal_ids: Iterable[int]) -> dict[int, list[PublicPartner]]:
    """Proposal id → its partners as organisation name and kind, in their order. One query."""
    partners: dict[int, list[PublicPartner]] = defaultdict(list)
    for proposal_id, name, kind in (
        Partner.objects.filter(proposal_id__in=list(proposal_ids))
        .order_by("proposal_id", "position", "pk")
        .values_list("proposal_id", "name", "kind")
    ):
        partners[proposal_id].append(PublicPartner(name, kind))
    return partners


_QUANTUM = Decimal(1).scaleb(-PLACES)


def criterion_means(call: Call, proposal_ids: Iterable[int]) -> dict[int, dict[str, Decimal]]:
    """Proposal id → criterion key → the mean of the raw scores of its submitted, non-void
    reviews, 4 places half to even — the figure of ``reviews.results.proposal_results``
    (``per_criterion``), computed in one grouped query for just these proposals."""
    submitted = Review.objects.filter(
        proposal_id__in=list(proposal_ids), state=ReviewState.SUBMITTED, juror__call=call
    ).filter(not_void())
    means: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in (
        Score.objects.filter(review__in=submitted)
        .order_by()
        .values("review__proposal_id", "criterion__key")
        .annotate(total=Sum("value"), count=Count("pk"))
    ):
        if row["count"]:
            means[row["review__proposal_id"]][row["criterion__key"]] = (
                Decimal(row["total"]) / row["count"]
            ).quantize(_QUANTUM, rounding=ROUND_HALF_EVEN)
    return means


def _reasons(decision: Decision, proposal_ids: Sequence[int]) -> dict[int, str]:
    """The published reasons of these proposals — from ``queries.public_texts`` only."""
    return public_texts(decision, proposal_ids)


# --------------------------------------------------------------------------------------------------
# One proposal of the published decision


@dataclass(frozen=True)
class EntryDetail:
    """Everything published about one proposal of the decision."""

    row: EntryRow
    further_municipalities: list[str]
    challenges: list[str]
    version_number: int | None
    version_sha256: str
    version_at: datetime | None
    entry_count: int
    criteria: list[PublicCriterion] = field(default_factory=list)
    #: The proposal's inclusion proofs in the call's deadline commitments (Merkle trees).
    proofs: list[PublicProof] = field(default_factory=list)


@dataclass(frozen=True)
class PublicProof:
    commitment_kind: str  # "deadline" or "revision_deadline"
    deadline_at: datetime
    proof: InclusionProof


def entry_detail(decision: PublishedDecision, reference: str) -> EntryDetail | None:
    """The entry of the proposal with ``reference`` in the published decision, or ``None``."""
    row = (
        DecisionEntry.objects.filter(decision_id=decision.decision_id, proposal__reference=reference)
        .values(*_ROW_FIELDS)
        .order_by("pk")
        .first()
    )
    if row is None:
        return None
    (entry,) = _entry_rows(decision, [row])
    pk = entry.proposal_id
    further = list(
        ConsortiumMunicipality.objects.filter(proposal_id=pk)
        .order_by("municipality__name", "municipality_id")
        .values_list("municipality__name", flat=True)
    )
    challenges = list(
        Challenge.objects.filter(proposal__pk=pk).order_by("position", "pk").values_list("label", flat=True)
    )
    version = (
        ProposalVersion.objects.filter(proposal_id=pk)
        .exclude(kind=VersionKind.CONFLICT)
        .order_by("-number")
        .values("number", "sha256", "created_at")
        .first()
    )
    proofs = [
        PublicProof(commitment.kind, commitment.deadline_at, proof)
        for commitment in DeadlineCommitment.objects.filter(call=decision.call).order_by(
            "deadline_at", "kind"
        )
        for proof in inclusion_proofs(commitment, {reference}).values()
    ]
    return EntryDetail(
        row=entry,
        further_municipalities=further,
        challenges=challenges,
        version_number=version["number"] if version else None,
        version_sha256=version["sha256"] if version else "",
        version_at=version["created_at"] if version else None,
        entry_count=sum(item.count for item in decision.outcomes),
        criteria=decision.criteria,
        proofs=proofs,
    )


# --------------------------------------------------------------------------------------------------
# Helpers for the interfaces


def land_choices() -> list[State]:
    """The 16 Länder by key, for filters."""
    return list(State.objects.order_by("ars"))


PARTNER_KINDS = tuple(kind.value for kind in PartnerKind)
MUNICIPALITY_KINDS = tuple(kind.value for kind in MunicipalityKind)
