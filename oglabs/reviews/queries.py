"""Reads of the jury: seats, visibility, reviews, progress, conflicts and the assignment overview.

**The conflict filter lives here, not in templates.** A juror sees a proposal only when

1. the user has the juror role and a seat in the proposal's call,
2. the seat has finished the conflict declaration (``conflicts_declared_at``),
3. the seat was assigned a review of the proposal, and
4. the seat has no *active* conflict on the proposal (declared, or detected and not overridden).

The one exception is :func:`proposals_for_declaration`: the declaration page lists the call's
competing proposals by reference, title and lead municipality only, so that a juror can say where
they are conflicted before seeing anything else.

A review written by a juror who is (later) conflicted on the proposal is *void*: it is listed to
nobody and counts nowhere (not in progress, results or the other jurors' view).

The list queries run a constant number of SQL queries (tests with ``django_assert_num_queries``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from oglabs.accounts.rules import is_juror
from oglabs.calls.models import Call, Phase, PhaseKind
from oglabs.proposals.models import Proposal
from oglabs.proposals.states import ProposalState
from oglabs.reviews.models import (
    ConflictOfInterest,
    Criterion,
    Juror,
    Review,
    ReviewSettings,
    ReviewState,
    Score,
)

#: Proposal states whose proposals take part in the competition (and are reviewed).
COMPETING_STATES = (ProposalState.IN_COMPETITION,)


def review_settings(call: Call) -> ReviewSettings:
    """The call's review settings, or the defaults (an unsaved object) if none were saved."""
    try:
        return ReviewSettings.objects.get(call=call)
    except ReviewSettings.DoesNotExist:
        return ReviewSettings(call=call)


def review_deadline(call: Call) -> datetime | None:
    """When the reviews are due: the end of the call's selection phase, if it has one."""
    return Phase.objects.filter(call=call, kind=PhaseKind.SELECTION).values_list("ends_at", flat=True).first()


# --------------------------------------------------------------------------------------------------
# Conflicts


def active_conflicts() -> QuerySet[ConflictOfInterest]:
    """Conflicts in force: declared ones, and detected ones that were not overridden."""
    return ConflictOfInterest.objects.filter(overridden_at__isnull=True)


def not_void() -> Q:
    """A review whose juror has no active conflict on its proposal."""
    return ~Q(Exists(active_conflicts().filter(juror=OuterRef("juror"), proposal=OuterRef("proposal"))))


def juror_seat(user: Any, call: Call) -> Juror | None:
    """The user's seat in the call's jury, or ``None`` (also for anyone without the juror role)."""
    if not is_juror(user):
        return None
    return Juror.objects.select_related("call", "user").filter(user=user, call=call).order_by("pk").first()


def juror_seats(user: Any) -> QuerySet[Juror]:
    """Every jury seat of the user, newest call first (empty for anyone without the juror role)."""
    if not is_juror(user):
        return Juror.objects.none()
    return Juror.objects.filter(user=user).select_related("call").order_by("-call__created_at", "-call_id")


def is_conflicted(user: Any, proposal: Proposal) -> bool:
    """Whether the user has an active conflict on the proposal (through their seat in its call)."""
    if not is_juror(user):
        return False
    return active_conflicts().filter(juror__user=user, proposal=proposal).exists()


def conflicted_proposal_ids(user: Any) -> set[int]:
    """Ids of every proposal, over all calls, on which the user has an active conflict.
    Empty for staff and applicants (they have no seats)."""
    if not is_juror(user):
        return set()
    return set(active_conflicts().filter(juror__user=user).values_list("proposal_id", flat=True))


def conflicts_for_call(call: Call) -> QuerySet[ConflictOfInterest]:
    """Every conflict of the call, active or overridden, for staff."""
    return (
        ConflictOfInterest.objects.filter(juror__call=call)
        .select_related("juror__user", "proposal__lead_municipality", "overridden_by")
        .order_by("proposal__reference", "juror__user__email", "pk")
    )


def conflicts_of_juror(juror: Juror) -> QuerySet[ConflictOfInterest]:
    """The juror's own conflicts (for the declaration page), by proposal reference."""
    return (
        ConflictOfInterest.objects.filter(juror=juror)
        .select_related("proposal__lead_municipality")
        .order_by("proposal__reference", "pk")
    )


def declared_conflicts(juror: Juror) -> dict[int, str]:
    """Proposal id → reason of every conflict the juror declared themselves."""
    return dict(
        ConflictOfInterest.objects.filter(juror=juror, source="declared")
        .order_by("proposal_id")
        .values_list("proposal_id", "reason")
    )


# --------------------------------------------------------------------------------------------------
# Proposals


def competing_proposals(call: Call) -> QuerySet[Proposal]:
    """The call's proposals in the competition, by reference."""
    return (
        Proposal.objects.filter(call=call, state__in=COMPETING_STATES)
        .select_related("lead_municipality")
        .order_by("reference")
    )


def proposals_for_declaration(juror: Juror) -> QuerySet[Proposal]:
    """What a juror may see *before* declaring conflicts: reference, title and lead municipality
    of the call's competing proposals — nothing else is loaded."""
    return (
        Proposal.objects.filter(call_id=juror.call_id, state__in=COMPETING_STATES)
        .select_related("lead_municipality")
        .only("pk", "reference", "title", "call_id", "lead_municipality__ars", "lead_municipality__name")
        .order_by("reference")
    )


def visible_proposals_for_juror(user: Any) -> QuerySet[Proposal]:
    """The proposals the user reviews: assigned, declaration finished, never a conflicted one."""
    if not is_juror(user):
        return Proposal.objects.none()
    assigned = Review.objects.filter(
        juror__user=user,
        juror__call=OuterRef("call"),
        juror__conflicts_declared_at__isnull=False,
        proposal=OuterRef("pk"),
    )
    conflicted = active_conflicts().filter(juror__user=user, proposal=OuterRef("pk"))
    return (
        Proposal.objects.filter(Exists(assigned))
        .exclude(Exists(conflicted))
        .select_related("call", "lead_municipality")
        .order_by("call_id", "reference")
    )


# --------------------------------------------------------------------------------------------------
# Reviews of a juror


def _scores_in_order() -> Prefetch[Any]:
    return Prefetch(
        "scores", queryset=Score.objects.select_related("criterion").order_by("criterion__position")
    )


def reviews_for_juror(juror: Juror) -> QuerySet[Review]:
    """The juror's reviews with their proposals and scores; empty before the declaration;
    never a review of a proposal the juror is conflicted on."""
    if juror.conflicts_declared_at is None:
        return Review.objects.none()
    return (
        Review.objects.filter(juror=juror)
        .filter(not_void())
        .select_related("proposal__lead_municipality", "proposal__call", "juror")
        .prefetch_related(_scores_in_order())
        .order_by("proposal__reference", "pk")
    )


def review_for_juror(user: Any, review_id: int) -> Review:
    """The user's own review with everything the scoring page shows; ``Review.DoesNotExist`` if it
    is not theirs, the declaration is not finished, or they are conflicted on the proposal."""
    if not is_juror(user):
        raise Review.DoesNotExist
    return (
        Review.objects.filter(pk=review_id, juror__user=user, juror__conflicts_declared_at__isnull=False)
        .filter(not_void())
        .select_related("proposal__lead_municipality", "proposal__call", "juror__call", "juror__user")
        .prefetch_related(
            _scores_in_order(),
            "proposal__challenges",
            "proposal__partners",
            "proposal__tasks",
            "proposal__further_municipalities__municipality",
        )
        .get()
    )


def other_reviews(review: Review) -> list[Review] | None:
    """The other jurors' submitted reviews of the same proposal, or ``None`` while blind (the
    call's ``blind_until_submitted`` and the own review not yet submitted). Void reviews and those
    of conflicted jurors are never included; a void own review sees nothing."""
    blind = (
        ReviewSettings.objects.filter(call_id=review.juror.call_id)
        .order_by("pk")
        .values_list("blind_until_submitted", flat=True)
        .first()
    )
    if blind is None:  # no settings saved: the default
        blind = ReviewSettings().blind_until_submitted
    if blind and review.state != ReviewState.SUBMITTED:
        return None
    if active_conflicts().filter(juror_id=review.juror_id, proposal_id=review.proposal_id).exists():
        return None
    return list(
        Review.objects.filter(proposal_id=review.proposal_id, state=ReviewState.SUBMITTED)
        .exclude(pk=review.pk)
        .filter(not_void())
        .select_related("juror__user")
        .prefetch_related(_scores_in_order())
        .order_by("submitted_at", "pk")
    )


# --------------------------------------------------------------------------------------------------
# Staff: criteria, jury, progress, assignment


def criteria_for_call(call: Call) -> QuerySet[Criterion]:
    return Criterion.objects.filter(call=call).order_by("position", "pk")


def scores_exist(call: Call) -> bool:
    """Whether any juror has scored a criterion of the call (then the criteria are fixed)."""
    return Score.objects.filter(criterion__call=call).exists()


def jurors_for_call(call: Call) -> QuerySet[Juror]:
    return (
        Juror.objects.filter(call=call)
        .select_related("user", "home_municipality", "home_state")
        .order_by("user__email", "pk")
    )


@dataclass(frozen=True)
class ProgressRow:
    """One juror's reviews by state (void reviews are not counted)."""

    juror: Juror
    declared: bool
    assigned: int
    open: int
    draft: int
    submitted: int

    @property
    def remaining(self) -> int:
        return self.open + self.draft


def review_progress(call: Call) -> list[ProgressRow]:
    """Per juror of the call: assigned, open, draft and submitted reviews."""
    counts = {
        row["juror_id"]: row
        for row in Review.objects.filter(juror__call=call)
        .filter(not_void())
        .values("juror_id")
        .annotate(
            assigned=Count("pk"),
            open=Count("pk", filter=Q(state=ReviewState.OPEN)),
            draft=Count("pk", filter=Q(state=ReviewState.DRAFT)),
            submitted=Count("pk", filter=Q(state=ReviewState.SUBMITTED)),
        )
        .order_by("juror_id")
    }
    rows = []
    for juror in jurors_for_call(call):
        row = counts.get(juror.pk, {})
        rows.append(
            ProgressRow(
                juror=juror,
                declared=juror.conflicts_declared_at is not None,
                assigned=row.get("assigned", 0),
                open=row.get("open", 0),
                draft=row.get("draft", 0),
                submitted=row.get("submitted", 0),
            )
        )
    return rows


@dataclass(frozen=True)
class AssignmentRow:
    """A competing proposal with its reviews (and jurors); ``missing`` = reviews still to place."""

    proposal: Proposal
    reviews: tuple[Review, ...]
    needed: int
    conflicts: int  # active conflicts on the proposal

    @property
    def missing(self) -> int:
        return max(0, self.needed - len(self.reviews))

    @property
    def jurors(self) -> tuple[Juror, ...]:
        return tuple(review.juror for review in self.reviews)


def assignment_overview(call: Call) -> list[AssignmentRow]:
    """Per competing proposal its (non-void) reviews with their jurors, and the active conflicts."""
    needed = review_settings(call).reviews_per_proposal
    reviews = (
        Review.objects.filter(not_void()).select_related("juror__user").order_by("juror__user__email", "pk")
    )
    proposals = (
        competing_proposals(call)
        .annotate(active_conflicts=Count("conflicts", filter=Q(conflicts__overridden_at__isnull=True)))
        .prefetch_related(Prefetch("reviews", queryset=reviews, to_attr="assigned_reviews"))
    )
    return [
        AssignmentRow(
            proposal=proposal,
            reviews=tuple(proposal.assigned_reviews),
            needed=needed,
            conflicts=proposal.active_conflicts,
        )
        for proposal in proposals
    ]


def open_reviews_by_juror(call: Call) -> dict[Juror, int]:
    """Jurors of the call with open or draft (non-void) reviews → how many."""
    return {row.juror: row.remaining for row in review_progress(call) if row.remaining}
