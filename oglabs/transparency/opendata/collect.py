"""Reads for the open-data export: everything comes from the published decision, nothing personal.

What is read — and what never is:

- the call (title, sponsor, programme, budget, funding period, its public contact mailbox);
- the decision and the run it was taken on: the rules, the aggregation record (criteria, weights,
  scales, method, normalisation), the candidates exactly as fed to the optimiser, the stored
  result, the code and solver versions;
- per decision entry: the proposal's reference and title, the lead municipality (name, ARS, kind,
  Land), the further municipalities (name, ARS), the partners as **organisation names and kinds
  only** (the partner query loads no other column, so a contact address cannot leak by accident),
  the challenges, the amounts, the outcome, and the reason **only** through
  :func:`oglabs.transparency.queries.public_texts` (redacted, second-staff-confirmed);
- the reviews that count (submitted, not void) as raw scores per criterion, the juror replaced
  by a pseudonym ``J1…Jn`` (the call's jury seats numbered in the order they were added), so the
  weighted sums, the normalisation and the aggregation can be recomputed;
- the jury as organisations with their number of members, and the number of conflicts;
- move-ups after the decision, and the deadline commitments (Merkle roots and leaves).

Never read: users, e-mail addresses (except the call's own mailbox), partner contacts, juror
identities or comments, review comments, attendee lists.
(``committed.py`` reads the committed versions' content, whose private part holds the partner
contacts, only to hash it; it writes no withheld value.)

Every list is read with a fixed number of queries and, where it grows with the proposals, as a
stream (``iterator(chunk_size=…)`` with the prefetches done per chunk).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Literal

from django.db.models import Count, Q

from oglabs.calls.models import Call
from oglabs.proposals.models import ConsortiumMunicipality, Partner, Proposal
from oglabs.reviews import aggregation
from oglabs.reviews.models import ConflictOfInterest, ConflictSource, Juror, Review, ReviewState, Score
from oglabs.reviews.queries import not_void
from oglabs.selection.models import Decision, DecisionEntry, MoveUp
from oglabs.transparency.models import DeadlineCommitment
from oglabs.transparency.queries import is_published, public_texts

#: Entries are read in chunks of this many (four queries per chunk).
CHUNK = 2000
_QUANTUM = Decimal(1).scaleb(-aggregation.PLACES)
_ZERO = Decimal(0).quantize(_QUANTUM)  # "0.0000": the score of a proposal without a review


def _quantise(value: Decimal) -> Decimal:
    """Half to even to 4 places, as ``reviews.results`` rounds the criterion means."""
    return value.quantize(_QUANTUM, rounding=ROUND_HALF_EVEN)


class NotPublished(Exception):
    """The call has no published decision (``str(error)`` is the German message)."""

    def __init__(self, call: Call) -> None:
        super().__init__(
            f"Für den Aufruf „{call.slug}“ ist keine Förderentscheidung veröffentlicht. Offene Daten "
            "gibt es erst nach der Veröffentlichung (zum Testen: --allow-unpublished, dann ohne Begründungen)."
        )


class NoDecision(NotPublished):
    def __init__(self, call: Call) -> None:
        Exception.__init__(self, f"Für den Aufruf „{call.slug}“ gibt es noch keine Förderentscheidung.")


@dataclass(frozen=True)
class Context:
    """What every writer needs, read once (small: no per-proposal data except the run's JSON)."""

    call: Call
    decision: Decision
    published: bool
    #: Proposal id → published reason; empty when the decision is not published.
    reasons: dict[int, str]
    #: The aggregation record of the run (criteria with weights and scales, method, normalisation).
    criteria: list[dict[str, Any]]
    method: str
    normalised: bool
    #: Juror seat id → "J1", "J2" … (the call's seats in the order they were added).
    pseudonyms: dict[int, str]

    @property
    def issued_at(self) -> datetime:
        """When the data were issued: the publication (or, for a staff test, the decision)."""
        return self.decision.published_at or self.decision.decided_at


def context(call: Call, *, allow_unpublished: bool = False) -> Context:
    """The export's context. Raises :class:`NotPublished` unless the decision is published (or
    ``allow_unpublished``, then without any reason) and :class:`NoDecision` without a decision."""
    decision = (
        Decision.objects.select_related("run", "call")
        .defer("run__greedy_result")
        .filter(call=call)
        .order_by("pk")
        .first()
    )
    if decision is None:
        raise NoDecision(call)
    published = is_published(call)
    if not published and not allow_unpublished:
        raise NotPublished(call)
    record = decision.run.aggregation or {}
    seats = Juror.objects.filter(call=call).order_by("added_at", "pk").values_list("pk", flat=True)
    return Context(
        call=call,
        decision=decision,
        published=published,
        reasons=public_texts(decision) if published else {},
        criteria=[dict(item) for item in record.get("criteria", [])],
        method=str(record.get("method", "mean")),
        normalised=bool(record.get("normalised", False)),
        pseudonyms={pk: f"J{number}" for number, pk in enumerate(seats, start=1)},
    )


# --------------------------------------------------------------------------------------------------
# Proposals


@dataclass(frozen=True)
class Place:
    name: str
    ars: str


@dataclass(frozen=True)
class PublicPartner:
    name: str
    kind: str


@dataclass(frozen=True)
class ProposalRecord:
    """One published proposal (one decision entry); every field may be published."""

    reference: str
    title: str
    lead_municipality: str
    lead_municipality_ars: str
    lead_municipality_kind: str
    land: str
    land_ars: str
    further_municipalities: tuple[Place, ...]
    partners: tuple[PublicPartner, ...]
    challenges: tuple[str, ...]
    requested_amount: Decimal
    own_contribution: Decimal
    state_contribution: Decimal
    score: Decimal
    result: str
    rank: int
    granted_amount: Decimal
    waitlist_position: int | None
    explanation: str
    reason: str
    longitude: float | None = None
    latitude: float | None = None


_ENTRY_COLUMNS = (
    "proposal_id",
    "outcome",
    "rank",
    "score",
    "requested_amount",
    "granted_amount",
    "waitlist_position",
    "explanation",
    "proposal__reference",
    "proposal__title",
    "proposal__own_contribution",
    "proposal__state_contribution",
    "proposal__lead_municipality__ars",
    "proposal__lead_municipality__name",
    "proposal__lead_municipality__kind",
    "proposal__lead_municipality__longitude",
    "proposal__lead_municipality__latitude",
    "proposal__lead_municipality__state__ars",
    "proposal__lead_municipality__state__name",
)


def _grouped(rows: Iterable[tuple[Any, ...]]) -> dict[int, list[tuple[Any, ...]]]:
    """``(proposal_id, *values)`` rows → proposal id → list of ``values`` (order kept)."""
    grouped: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        grouped[row[0]].append(row[1:])
    return grouped


def proposal_records(
    ctx: Context, *, outcomes: Iterable[str] | None = None, references: Iterable[str] | None = None
) -> Iterator[ProposalRecord]:
    """Every entry of the decision in the published ranking (or those with one of ``outcomes`` or
    ``references``), in chunks of :data:`CHUNK`: the entry ids in ranking order first (one query,
    integers only), then per chunk four queries of plain values — the entries with proposal and
    lead municipality, the further municipalities, the partners (name and kind only: the contact
    columns are never read) and the challenges. No model instances: at 10,000 proposals the ORM's
    per-object cost would dominate the export."""
    entries = DecisionEntry.objects.filter(decision=ctx.decision)
    if outcomes is not None:
        entries = entries.filter(outcome__in=list(outcomes))
    if references is not None:
        entries = entries.filter(proposal__reference__in=list(references))
    ids = list(entries.order_by("rank", "proposal__reference").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = {
            row[0]: row[1:]
            for row in DecisionEntry.objects.filter(pk__in=chunk).values_list("pk", *_ENTRY_COLUMNS)
        }
        proposal_ids = [rows[pk][0] for pk in chunk]
        places = _grouped(
            ConsortiumMunicipality.objects.filter(proposal_id__in=proposal_ids)
            .order_by("proposal_id", "municipality__name", "municipality_id")
            .values_list("proposal_id", "municipality__name", "municipality_id")
        )
        partners = _grouped(
            Partner.objects.filter(proposal_id__in=proposal_ids)
            .order_by("proposal_id", "position", "pk")
            .values_list("proposal_id", "name", "kind")
        )
        challenges = _grouped(
            Proposal.challenges.through.objects.filter(proposal_id__in=proposal_ids)
            .order_by("proposal_id", "challenge__position", "challenge_id")
            .values_list("proposal_id", "challenge__label")
        )
        for pk in chunk:
            (
                proposal_id, outcome, rank, score, requested, granted, waitlist, explanation, reference, title,
                own, state_contribution, lead_ars, lead_name, lead_kind, longitude, latitude, land_ars, land,
            ) = rows[pk]  # fmt: skip
            yield ProposalRecord(
                reference=reference,
                title=title,
                lead_municipality=lead_name or "",
                lead_municipality_ars=lead_ars or "",
                lead_municipality_kind=lead_kind or "",
                land=land or "",
                land_ars=land_ars or "",
                further_municipalities=tuple(Place(name, ars) for name, ars in places.get(proposal_id, [])),
                partners=tuple(PublicPartner(name, kind) for name, kind in partners.get(proposal_id, [])),
                challenges=tuple(label for (label,) in challenges.get(proposal_id, [])),
                requested_amount=requested,
                own_contribution=own,
                state_contribution=state_contribution,
                score=score,
                result=outcome,
                rank=rank,
                granted_amount=granted,
                waitlist_position=waitlist,
                explanation=explanation,
                reason=ctx.reasons.get(proposal_id, ""),
                longitude=longitude,
                latitude=latitude,
            )


# --------------------------------------------------------------------------------------------------
# Scores


@dataclass(frozen=True)
class ReviewRecord:
    juror: str  # pseudonym
    scores: dict[str, int]  # criterion key → raw score
    weighted_sum: Decimal
    normalised: Decimal | None


@dataclass(frozen=True)
class ScoreRecord:
    """One proposal's reviews (pseudonymous) and its aggregate, as the aggregation computes it."""

    reference: str
    reviews: tuple[ReviewRecord, ...]
    criteria: dict[str, Decimal]  # criterion key → mean of the raw scores (4 places)
    score: Decimal  # the aggregate of the weighted sums (4 places)


def pure_criteria(ctx: Context) -> list[aggregation.Criterion]:
    return [
        aggregation.Criterion(
            str(c["key"]),
            Decimal(str(c["weight"])),
            Decimal(str(c["scale_min"])),
            Decimal(str(c["scale_max"])),
        )
        for c in ctx.criteria
    ]


def _juror_order(pseudonym: str) -> int:
    return int(pseudonym[1:])


def score_records(ctx: Context) -> Iterator[ScoreRecord]:
    """Per decision entry (by reference) its counted reviews and its aggregate.

    The reviews that count are the submitted, non-void reviews of the decision's proposals — the
    same set :func:`oglabs.reviews.results.proposal_results` aggregated for the run. Two passes:
    the weighted sums of all reviews first (the normalisation needs the whole population), then
    one record per proposal. Memory grows with the number of reviews (a few hundred bytes each).
    """
    criteria = pure_criteria(ctx)
    keys = [c.key for c in criteria]
    entries = DecisionEntry.objects.filter(decision=ctx.decision)
    counted = (
        Review.objects.filter(
            proposal_id__in=entries.values("proposal_id"), state=ReviewState.SUBMITTED, juror__call=ctx.call
        )
        .filter(not_void())
        .order_by()
    )
    reviews: dict[int, tuple[int, str]] = {
        pk: (proposal_id, ctx.pseudonyms[juror_id])
        for pk, proposal_id, juror_id in counted.values_list("pk", "proposal_id", "juror_id").iterator(
            chunk_size=5000
        )
    }
    values: dict[int, dict[str, int]] = defaultdict(dict)
    for review_id, key, value in (
        Score.objects.filter(review__in=counted, value__isnull=False)
        .order_by()
        .values_list("review_id", "criterion__key", "value")
        .iterator(chunk_size=5000)
    ):
        if value is not None:
            values[review_id][key] = value
    order = sorted(reviews, key=lambda pk: (reviews[pk][0], _juror_order(reviews[pk][1])))
    totals = [
        aggregation.Review(
            str(reviews[pk][0]), reviews[pk][1], aggregation.weighted_sum(values[pk], criteria)
        )
        for pk in order
    ]
    method: Literal["mean", "median"] = "median" if ctx.method == "median" else "mean"
    normalised: list[aggregation.Review | None] = (
        list(aggregation.normalise(totals)) if ctx.normalised else [None] * len(totals)
    )
    aggregated = aggregation.aggregate(totals, method=method, normalised=ctx.normalised)
    by_proposal: dict[int, list[ReviewRecord]] = defaultdict(list)
    for pk, total, norm in zip(order, totals, normalised, strict=True):
        by_proposal[reviews[pk][0]].append(
            ReviewRecord(
                total.juror,
                {k: values[pk][k] for k in keys if k in values[pk]},
                total.total,
                None if norm is None else norm.total,
            )
        )
    del values, totals, normalised
    for proposal_id, reference in (
        entries.order_by("proposal__reference")
        .values_list("proposal_id", "proposal__reference")
        .iterator(chunk_size=5000)
    ):
        records = by_proposal.pop(proposal_id, [])
        means = {}
        for key in keys:
            raw = [r.scores[key] for r in records if key in r.scores]
            if raw:
                means[key] = _quantise(Decimal(sum(raw)) / len(raw))
        yield ScoreRecord(reference, tuple(records), means, aggregated.get(str(proposal_id), _ZERO))


# --------------------------------------------------------------------------------------------------
# The decision record


def jury(call: Call) -> dict[str, Any]:
    """The jury by organisation and count (never by person), and the conflicts."""
    organisations = [
        {"organisation": row["organisation"], "members": row["members"]}
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
    return {
        "members": sum(item["members"] for item in organisations),
        "organisations": organisations,
        "conflicts_declared": conflicts["declared"],
        "conflicts_detected": conflicts["detected"],
    }


def move_ups(decision: Decision) -> list[dict[str, Any]]:
    """Labs that withdrew after the decision and who moved up (references, amounts, the text)."""
    return [
        {
            "withdrawn": row["withdrawn__reference"],
            "moved_up": row["moved_up__reference"],
            "granted_amount": str(row["granted_amount"]),
            "explanation": row["explanation"],
            "created_on": row["created_at"].date().isoformat(),
        }
        for row in MoveUp.objects.filter(decision=decision)
        .order_by("created_at", "pk")
        .values("withdrawn__reference", "moved_up__reference", "granted_amount", "explanation", "created_at")
    ]


def commitments(call: Call) -> list[dict[str, Any]]:
    """The call's deadline commitments: Merkle root and leaves (references and version hashes)."""
    return [
        {
            "kind": c.kind,
            "deadline_at": c.deadline_at.isoformat(),
            "root": c.root,
            "leaf_count": c.leaf_count,
            "tree_format": c.tree_format,
            "created_at": c.created_at.isoformat(),
            "leaves": [
                {
                    "reference": leaf["reference"],
                    "version_sha256": leaf["version_sha256"],
                    "leaf": leaf["leaf"],
                }
                for leaf in c.leaves
            ],
        }
        for c in DeadlineCommitment.objects.filter(call=call).order_by("deadline_at", "pk")
    ]
