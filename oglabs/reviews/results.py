"""The jury's result per proposal: scores per criterion, the aggregated weighted score, agreement.

Only **submitted**, non-void reviews count (a review is void when its juror has an active conflict
on the proposal, see :mod:`oglabs.reviews.queries`). Per review the weighted sum
``Σ weight · score`` (exact); per proposal the mean or median of those sums, optionally after
per-juror normalisation (z-scores) — both by the pure :mod:`oglabs.reviews.aggregation` with the
call's :class:`~oglabs.reviews.models.ReviewSettings`. Krippendorff's alpha (interval metric) is
computed over the raw weighted sums (proposal × juror matrix).

A proposal without a submitted review has ``scored = False``, ``score = 0`` and
``meets_minimums = False``: it has no result yet and must not be selected on it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Literal, cast

from django.db.models import Count

from oglabs.calls.models import Call
from oglabs.proposals.models import Proposal
from oglabs.reviews import aggregation
from oglabs.reviews.models import Review, ReviewState, Score
from oglabs.reviews.queries import COMPETING_STATES, criteria_for_call, not_void, review_settings

_QUANTUM = Decimal(1).scaleb(-aggregation.PLACES)


def _quantise(value: Decimal) -> Decimal:
    return value.quantize(_QUANTUM, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class CriterionInfo:
    key: str
    name: str
    weight: Decimal
    scale_min: int
    scale_max: int
    min_score: Decimal | None
    position: int


@dataclass(frozen=True)
class ProposalResult:
    proposal_id: int
    reference: str
    title: str
    #: Criterion key → mean of the raw scores of the submitted reviews (4 places); empty if none.
    per_criterion: dict[str, Decimal]
    #: The aggregated weighted score (4 places); 0 when there is no submitted review.
    score: Decimal
    reviews_submitted: int
    #: Non-void reviews in any state (open, draft, submitted).
    reviews_assigned: int
    #: At least one submitted review and every criterion's mean at or above its minimum score.
    meets_minimums: bool
    state: str = ""
    #: At least one submitted review.
    scored: bool = False
    #: Criterion keys whose mean is below the criterion's minimum score.
    below_minimum: tuple[str, ...] = ()


@dataclass(frozen=True)
class Results:
    criteria: tuple[CriterionInfo, ...]
    #: One row per competing proposal, by reference.
    rows: tuple[ProposalResult, ...]
    method: str  # "mean" | "median"
    normalised: bool
    #: Krippendorff's alpha (interval) over the weighted sums, 4 places; None when undefined.
    alpha: Decimal | None
    #: Every competing proposal has at least ``reviews_per_proposal`` submitted reviews and no
    #: review is still open or in draft.
    complete: bool
    reviews_per_proposal: int = 0
    #: The highest possible weighted sum: Σ weight · scale_max.
    max_score: Decimal = Decimal(0)

    def row_for(self, proposal_id: int) -> ProposalResult | None:
        return next((row for row in self.rows if row.proposal_id == proposal_id), None)


def proposal_results(call: Call, *, states: Iterable[str] = COMPETING_STATES) -> Results:
    """The result of every proposal of the call in ``states`` (default: in the competition)."""
    settings = review_settings(call)
    criteria = list(criteria_for_call(call))
    infos = tuple(
        CriterionInfo(
            key=c.key,
            name=c.name,
            weight=c.weight,
            scale_min=c.scale_min,
            scale_max=c.scale_max,
            min_score=c.min_score,
            position=c.position,
        )
        for c in criteria
    )
    pure_criteria = [
        aggregation.Criterion(c.key, c.weight, Decimal(c.scale_min), Decimal(c.scale_max)) for c in criteria
    ]
    proposals = list(
        Proposal.objects.filter(call=call, state__in=list(states))
        .order_by("reference")
        .values("pk", "reference", "title", "state")
    )
    proposal_ids = [p["pk"] for p in proposals]
    assigned: dict[int, int] = dict(
        Review.objects.filter(proposal_id__in=proposal_ids, juror__call=call)
        .filter(not_void())
        .values("proposal_id")
        .annotate(n=Count("pk"))
        .order_by("proposal_id")
        .values_list("proposal_id", "n")
    )
    submitted = Review.objects.filter(
        proposal_id__in=proposal_ids, state=ReviewState.SUBMITTED, juror__call=call
    ).filter(not_void())
    scores: dict[int, dict[str, int]] = defaultdict(dict)
    review_of: dict[int, tuple[int, int]] = {}
    for review_id, juror_id, proposal_id in submitted.values_list("pk", "juror_id", "proposal_id"):
        review_of[review_id] = (proposal_id, juror_id)
        scores[review_id] = {}
    for review_id, key, value in Score.objects.filter(review__in=submitted, value__isnull=False).values_list(
        "review_id", "criterion__key", "value"
    ):
        if value is not None:  # a submitted review has every value; the filter says so to mypy
            scores[review_id][key] = value
    totals = [
        aggregation.Review(
            proposal=str(review_of[review_id][0]),
            juror=str(review_of[review_id][1]),
            total=aggregation.weighted_sum(scores[review_id], pure_criteria),
        )
        for review_id in sorted(review_of)
    ]
    method = cast(Literal["mean", "median"], settings.aggregation)
    aggregated = aggregation.aggregate(totals, method=method, normalised=settings.normalise)
    alpha = aggregation.krippendorff_alpha_interval(totals)

    raw_by_proposal: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    submitted_count: dict[int, int] = defaultdict(int)
    for review_id, (proposal_id, _juror) in review_of.items():
        submitted_count[proposal_id] += 1
        for key, value in scores[review_id].items():
            raw_by_proposal[proposal_id][key].append(value)
    rows = []
    for p in proposals:
        raw = raw_by_proposal.get(p["pk"], {})
        per_criterion = {
            c.key: _quantise(Decimal(sum(raw[c.key])) / len(raw[c.key])) for c in criteria if raw.get(c.key)
        }
        count = submitted_count.get(p["pk"], 0)
        below = tuple(
            c.key
            for c in criteria
            if c.min_score is not None and c.key in per_criterion and per_criterion[c.key] < c.min_score
        )
        rows.append(
            ProposalResult(
                proposal_id=p["pk"],
                reference=p["reference"],
                title=p["title"],
                per_criterion=per_criterion,
                score=aggregated.get(str(p["pk"]), _quantise(Decimal(0))),
                reviews_submitted=count,
                reviews_assigned=assigned.get(p["pk"], 0),
                meets_minimums=count > 0 and not below,
                state=p["state"],
                scored=count > 0,
                below_minimum=below,
            )
        )
    complete = bool(rows) and all(
        row.reviews_submitted >= settings.reviews_per_proposal
        and row.reviews_submitted == row.reviews_assigned
        for row in rows
    )
    return Results(
        criteria=infos,
        rows=tuple(rows),
        method=str(settings.aggregation),
        normalised=settings.normalise,
        alpha=None if alpha is None else _quantise(Decimal(alpha)),
        complete=complete,
        reviews_per_proposal=settings.reviews_per_proposal,
        max_score=sum((c.weight * c.scale_max for c in criteria), Decimal(0)),
    )
