"""The read API's response schemas: exactly the data of the public pages, nothing personal.

Amounts, scores and weights are decimal strings (exact); instants are ISO 8601 with offset.
Every schema lists its fields explicitly — a new model field never leaks by accident.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Schema


class Message(Schema):
    detail: str


class PhaseOut(Schema):
    kind: str
    label: str
    starts_at: datetime
    ends_at: datetime
    is_deadline: bool
    is_current: bool


class CallSummaryOut(Schema):
    slug: str
    title: str
    sponsor: str
    programme: str
    budget: Decimal
    currency: str
    budget_reservation: bool
    max_labs: int
    funding_starts_on: date
    funding_ends_on: date
    #: "open", "upcoming" or "closed".
    status: str
    opens_at: datetime | None
    deadline_at: datetime | None
    decision_published: bool
    url: str


class EligibilityOut(Schema):
    applicant_kinds: list[str]
    min_municipalities: int
    min_civil_society_partners: int
    requires_tasks: bool
    requires_cost_estimate: bool
    requires_own_contribution: bool


class ChallengeOut(Schema):
    key: str
    label: str


class CommitmentOut(Schema):
    """A deadline commitment: the Merkle root over every proposal handed in by that deadline."""

    kind: str
    deadline_at: datetime
    root: str
    leaf_count: int
    tree_format: str
    created_at: datetime


class CallDetailOut(CallSummaryOut):
    description: str
    phases: list[PhaseOut]
    eligibility: EligibilityOut | None
    challenges: list[ChallengeOut]
    partner_organisations: list[str]
    commitments: list[CommitmentOut]


class StageOut(Schema):
    #: submitted, eligible, ineligible, in_competition, decided, withdrawn.
    key: str
    label: str
    count: int


class LandCountOut(Schema):
    ars: str
    name: str
    count: int


class KindCountOut(Schema):
    kind: str
    label: str
    count: int


class ChallengeCountOut(Schema):
    key: str
    label: str
    count: int


class OutcomeCountOut(Schema):
    outcome: str
    label: str
    count: int
    granted: Decimal


class StatisticsOut(Schema):
    call: str
    stages: list[StageOut]
    handed_in: int
    counted: int
    without_municipality: int
    by_land: list[LandCountOut]
    by_kind: list[KindCountOut]
    by_challenge: list[ChallengeCountOut]
    requested_total: Decimal
    budget: Decimal
    #: Only once the decision is published.
    outcomes: list[OutcomeCountOut] | None
    granted_total: Decimal | None


class CriterionOut(Schema):
    key: str
    name: str
    description: str
    weight: Decimal
    scale_min: int
    scale_max: int
    min_score: Decimal | None


class ParametersOut(Schema):
    """The selection rules of the decided run (shares as fractions: "0.5" is 50 %)."""

    budget: Decimal | None
    max_labs: int | None
    max_per_state: int | None
    min_rural_share: Decimal | None
    min_score: Decimal | None
    min_funding_share: Decimal | None


class AggregationOut(Schema):
    #: "mean" or "median" of the reviews' weighted sums.
    method: str | None
    #: Whether the scores were normalised per juror (z-scores) first.
    normalised: bool | None
    reviews_per_proposal: int | None
    max_score: Decimal | None


class RunOut(Schema):
    number: int
    status: str
    code_version: str
    solver_version: str


class JuryOrganisationOut(Schema):
    organisation: str
    members: int


class SelectedLabOut(Schema):
    reference: str
    municipality: str
    land: str
    granted: Decimal
    longitude: float | None
    latitude: float | None


class DecisionOut(Schema):
    call: str
    decided_at: datetime
    published_at: datetime
    criteria: list[CriterionOut]
    rules: list[str]
    parameters: ParametersOut
    aggregation: AggregationOut
    run: RunOut
    jury: list[JuryOrganisationOut]
    jurors: int
    conflicts_declared: int
    conflicts_detected: int
    outcomes: list[OutcomeCountOut]
    lands: list[LandCountOut]
    selected: list[SelectedLabOut]
    entry_count: int
    granted_total: Decimal


class PartnerOut(Schema):
    name: str
    kind: str


class EntryOut(Schema):
    reference: str
    rank: int
    #: selected, waitlisted or not_selected.
    outcome: str
    waitlist_position: int | None
    score: Decimal
    requested: Decimal
    granted: Decimal
    municipality: str
    municipality_kind: str
    land_ars: str
    land: str
    partners: list[PartnerOut]
    #: Criterion key → the mean of the jury's scores in it.
    per_criterion: dict[str, Decimal]
    #: The published (redacted, confirmed) reason; "" while there is none.
    reason: str


class EntryPageOut(Schema):
    items: list[EntryOut]
    count: int
    page: int
    pages: int
    per_page: int


class ProofStepOut(Schema):
    side: str
    hash: str


class InclusionProofOut(Schema):
    commitment_kind: str
    deadline_at: datetime
    root: str
    index: int
    leaf: str
    version_sha256: str
    proof: list[ProofStepOut]


class EntryDetailOut(EntryOut):
    further_municipalities: list[str]
    challenges: list[str]
    version_number: int | None
    version_sha256: str
    version_submitted_at: datetime | None
    inclusion_proofs: list[InclusionProofOut]
