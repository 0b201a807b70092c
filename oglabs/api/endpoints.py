"""The read API (django-ninja): calls, statistics, the published decision and its proposals.

Exactly the data of the public pages (read through :mod:`oglabs.transparency.public_queries`,
like the pages), nothing more: no person, no e-mail address, no juror's identity. Every answer is
cacheable (ETag, ``Cache-Control: public``; see ``urls.py``). The schema is at
``/api/v1/openapi.json``.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Field, NinjaAPI, Path, Query, Schema
from ninja.errors import HttpError

from oglabs.api import schemas
from oglabs.calls import queries as call_queries
from oglabs.calls.models import Call, EligibilityRules, PhaseKind
from oglabs.places.models import MunicipalityKind
from oglabs.transparency import public_queries
from oglabs.transparency import public_wording as wording
from oglabs.transparency.queries import commitments_of

api = NinjaAPI(
    title="oglabs – öffentliche Daten",
    version="1",
    description=(
        "Die Daten der öffentlichen Seiten: Förderaufrufe mit Zeitplan, Statistik, die veröffentlichte "
        "Auswahlentscheidung und jede Interessenbekundung darin – ohne personenbezogene Daten. "
        "Beträge, Punkte und Gewichte sind Dezimalzahlen als Zeichenketten."
    ),
    urls_namespace="api",
    docs_url=None,
)

SLUG_PATTERN = r"^[-a-zA-Z0-9_]{1,100}$"
REFERENCE_PATTERN = r"^[-A-Za-z0-9_]{1,32}$"
NOT_FOUND = {404: schemas.Message}


def _call(slug: str) -> Call:
    try:
        return call_queries.get_public_call(slug)
    except Call.DoesNotExist:
        raise HttpError(404, "Diesen Förderaufruf gibt es nicht.") from None


def _summary(call: Call, timeline: public_queries.CallTimeline) -> dict[str, Any]:
    return {
        "slug": call.slug,
        "title": call.title,
        "sponsor": call.sponsor,
        "programme": call.programme,
        "budget": call.budget,
        "currency": call.currency,
        "budget_reservation": call.budget_reservation,
        "max_labs": call.max_labs,
        "funding_starts_on": call.funding_starts_on,
        "funding_ends_on": call.funding_ends_on,
        "status": timeline.status,
        "opens_at": timeline.opens_at,
        "deadline_at": timeline.deadline_at,
        "decision_published": timeline.decision_published,
        "url": reverse("public:call_detail", kwargs={"slug": call.slug}),
    }


@api.get("/calls", response=list[schemas.CallSummaryOut], tags=["Förderaufrufe"])
def list_calls(request: HttpRequest) -> list[dict[str, Any]]:
    """The published calls (open ones first, by deadline)."""
    now = timezone.now()
    published = public_queries.published_decision_calls()
    return [
        _summary(call, public_queries.call_timeline(call, now=now, decision_published=call.pk in published))
        for call in call_queries.public_calls(now=now)
    ]


@api.get("/calls/{slug}", response={200: schemas.CallDetailOut, **NOT_FOUND}, tags=["Förderaufrufe"])
def call_detail(request: HttpRequest, slug: str = Path(..., pattern=SLUG_PATTERN)) -> dict[str, Any]:
    """One call with its timeline, eligibility rules, challenges and deadline commitments."""
    call = _call(slug)
    timeline = public_queries.call_timeline(
        call, now=timezone.now(), decision_published=call.pk in public_queries.published_decision_calls()
    )
    try:
        rules: EligibilityRules | None = call.eligibility
    except EligibilityRules.DoesNotExist:
        rules = None
    return {
        **_summary(call, timeline),
        "description": call.description,
        "phases": [
            {
                "kind": phase.kind,
                "label": str(PhaseKind(phase.kind).label),
                "starts_at": phase.starts_at,
                "ends_at": phase.ends_at,
                "is_deadline": phase.is_deadline,
                "is_current": phase.is_current,
            }
            for phase in timeline.phases
        ],
        "eligibility": None
        if rules is None
        else {
            "applicant_kinds": list(rules.applicant_kinds),
            "min_municipalities": rules.min_municipalities,
            "min_civil_society_partners": rules.min_civil_society_partners,
            "requires_tasks": rules.requires_tasks,
            "requires_cost_estimate": rules.requires_cost_estimate,
            "requires_own_contribution": rules.requires_own_contribution,
        },
        "challenges": [{"key": c.key, "label": c.label} for c in call.challenges.all()],
        "partner_organisations": call.partner_organisation_list,
        "commitments": [
            {
                "kind": c.kind,
                "deadline_at": c.deadline_at,
                "root": c.root,
                "leaf_count": c.leaf_count,
                "tree_format": c.tree_format,
                "created_at": c.created_at,
            }
            for c in commitments_of(call)
        ],
    }


def _outcomes(items: list[public_queries.OutcomeCount]) -> list[dict[str, Any]]:
    return [
        {
            "outcome": item.outcome.value,
            "label": str(item.outcome.label),
            "count": item.count,
            "granted": item.granted,
        }
        for item in items
    ]


@api.get("/calls/{slug}/statistics", response={200: schemas.StatisticsOut, **NOT_FOUND}, tags=["Statistik"])
def call_statistics(request: HttpRequest, slug: str = Path(..., pattern=SLUG_PATTERN)) -> dict[str, Any]:
    """Aggregate numbers of the call: by stage of the procedure, Land, kind of municipality and
    challenge, requested against available funds; outcomes once the decision is published."""
    call = _call(slug)
    statistics = public_queries.call_statistics(call)
    return {
        "call": call.slug,
        "stages": [
            {"key": stage.key, "label": wording.stage_label(stage.key), "count": stage.count}
            for stage in statistics.stages
        ],
        "handed_in": statistics.handed_in,
        "counted": statistics.counted,
        "without_municipality": statistics.without_municipality,
        "by_land": [{"ars": land.ars, "name": land.name, "count": land.count} for land in statistics.by_land],
        "by_kind": [
            {"kind": item.kind.value, "label": str(MunicipalityKind(item.kind).label), "count": item.count}
            for item in statistics.by_kind
        ],
        "by_challenge": [
            {"key": item.key, "label": item.label, "count": item.count} for item in statistics.by_challenge
        ],
        "requested_total": statistics.requested_total,
        "budget": statistics.budget,
        "outcomes": None if statistics.outcomes is None else _outcomes(statistics.outcomes),
        "granted_total": statistics.granted_total,
    }


def _decision(call: Call) -> public_queries.PublishedDecision:
    decision = public_queries.published_decision(call)
    if decision is None:
        raise HttpError(404, "Die Auswahlentscheidung ist noch nicht veröffentlicht.")
    return decision


@api.get("/calls/{slug}/decision", response={200: schemas.DecisionOut, **NOT_FOUND}, tags=["Entscheidung"])
def call_decision(request: HttpRequest, slug: str = Path(..., pattern=SLUG_PATTERN)) -> dict[str, Any]:
    """The published decision: criteria and weights, the rules in plain German and as parameters,
    the jury by organisation, conflicts declared, outcomes and the selected labs."""
    call = _call(slug)
    decision = _decision(call)
    parameters = decision.parameters
    return {
        "call": call.slug,
        "decided_at": decision.decided_at,
        "published_at": decision.published_at,
        "criteria": [
            {
                "key": c.key,
                "name": c.name,
                "description": c.description,
                "weight": c.weight,
                "scale_min": c.scale_min,
                "scale_max": c.scale_max,
                "min_score": c.min_score,
            }
            for c in decision.criteria
        ],
        "rules": [*wording.rules_sentences(decision), *wording.aggregation_sentences(decision)],
        "parameters": {key: parameters.get(key) for key in schemas.ParametersOut.model_fields},
        "aggregation": decision.aggregation,
        "run": {
            "number": decision.run_number,
            "status": decision.run_status,
            "code_version": decision.code_version,
            "solver_version": decision.solver_version,
        },
        "jury": [{"organisation": item.organisation, "members": item.members} for item in decision.jury],
        "jurors": decision.jurors,
        "conflicts_declared": decision.conflicts_declared,
        "conflicts_detected": decision.conflicts_detected,
        "outcomes": _outcomes(decision.outcomes),
        "lands": [{"ars": land.ars, "name": land.name, "count": land.count} for land in decision.lands],
        "selected": [
            {
                "reference": lab.reference,
                "municipality": lab.municipality,
                "land": lab.land,
                "granted": lab.granted,
                "longitude": lab.longitude,
                "latitude": lab.latitude,
            }
            for lab in decision.selected
        ],
        "entry_count": decision.entry_count,
        "granted_total": decision.granted_total,
    }


def _entry(row: public_queries.EntryRow) -> dict[str, Any]:
    return {
        "reference": row.reference,
        "rank": row.rank,
        "outcome": row.outcome.value,
        "waitlist_position": row.waitlist_position,
        "score": row.score,
        "requested": row.requested,
        "granted": row.granted,
        "municipality": row.municipality,
        "municipality_kind": row.municipality_kind,
        "land_ars": row.land_ars,
        "land": row.land,
        "partners": [{"name": partner.name, "kind": partner.kind} for partner in row.partners],
        "per_criterion": row.per_criterion,
        "reason": row.reason,
    }


class EntryQuery(Schema):
    outcome: Literal["selected", "waitlisted", "not_selected"] | None = None
    #: A Land's two-digit key ("12" Brandenburg).
    land: str | None = Field(None, pattern=r"^[0-9]{2}$")
    sort: Literal["result", "rank", "municipality", "land", "requested", "granted"] = "result"
    page: int = Field(1, ge=1, le=1_000_000)


@api.get("/calls/{slug}/proposals", response={200: schemas.EntryPageOut, **NOT_FOUND}, tags=["Entscheidung"])
def call_proposals(
    request: HttpRequest,
    query: Query[EntryQuery],  # type: ignore[type-arg]  # ninja's Query[...] is an Annotated alias
    slug: str = Path(..., pattern=SLUG_PATTERN),
) -> dict[str, Any]:
    """Every proposal of the published decision, 30 per page, filtered by result and Land (its
    two-digit key), sorted like the table on the decision page (default: selected first, then rank)."""
    call = _call(slug)
    decision = _decision(call)
    land = query.land or ""
    if land and land not in {item.ars for item in decision.lands}:
        land = "00"  # a Land without proposals: an empty page, not an error
    entries = public_queries.entry_page(
        decision,
        public_queries.EntryFilter(outcome=query.outcome or "", land=land, sort=query.sort),
        page=query.page,
    )
    return {
        "items": [_entry(row) for row in entries.rows],
        "count": entries.total,
        "page": entries.page,
        "pages": entries.pages,
        "per_page": entries.per_page,
    }


@api.get(
    "/calls/{slug}/proposals/{reference}",
    response={200: schemas.EntryDetailOut, **NOT_FOUND},
    tags=["Entscheidung"],
)
def call_proposal(
    request: HttpRequest,
    slug: str = Path(..., pattern=SLUG_PATTERN),
    reference: str = Path(..., pattern=REFERENCE_PATTERN),
) -> dict[str, Any]:
    """One proposal of the published decision with its version hash and inclusion proofs."""
    call = _call(slug)
    decision = _decision(call)
    detail = public_queries.entry_detail(decision, reference)
    if detail is None:
        raise HttpError(404, "Diese Interessenbekundung ist nicht Teil der veröffentlichten Entscheidung.")
    return {
        **_entry(detail.row),
        "further_municipalities": detail.further_municipalities,
        "challenges": detail.challenges,
        "version_number": detail.version_number,
        "version_sha256": detail.version_sha256,
        "version_submitted_at": detail.version_at,
        "inclusion_proofs": [
            {
                "commitment_kind": item.commitment_kind,
                "deadline_at": item.deadline_at,
                "root": item.proof.root,
                "index": item.proof.index,
                "leaf": item.proof.leaf,
                "version_sha256": item.proof.version_sha256,
                "proof": [step.as_dict() for step in item.proof.steps],
            }
            for item in detail.proofs
        ],
    }
