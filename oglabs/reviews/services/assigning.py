"""Assigning reviews: automatically (exact min-cost flow, ``reviews.assignment``) and by hand.

``assign_reviews`` keeps every existing review (open, draft or submitted) and places only the
missing ones: each competing proposal gets ``reviews_per_proposal`` (k) reviews, no juror more than
``max_load``, never a conflicted pair, maximising the topical fit (``reviews.fit``) while spreading
the load. Before solving it runs conflict detection and checks the counting conditions; an
impossible request raises :class:`AssignmentImpossible` naming the proposals and how many jurors
are short. Jurors who have not finished their conflict declaration are not assignable.

A juror's *load* is the number of their non-void reviews of competing proposals.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction

from oglabs.audit.services import record_event
from oglabs.calls.models import Call
from oglabs.proposals.models import Proposal
from oglabs.reviews import queries
from oglabs.reviews.assignment import assign, explain_impossible
from oglabs.reviews.exceptions import (
    AlreadyAssigned,
    AssignmentImpossible,
    DeclarationMissing,
    JurorConflicted,
    LoadExceeded,
    NothingToAssign,
    ProposalNotInCompetition,
    ReviewAlreadySubmitted,
)
from oglabs.reviews.fit import SCALE, topical_fit
from oglabs.reviews.models import AssignmentSource, Juror, Review, ReviewState
from oglabs.reviews.services.common import lock_call, require_staff
from oglabs.reviews.services.conflicts import consortia, detect_for, rule_for


def proposal_texts(proposal: Proposal) -> list[str]:
    """The text the fit is computed on: title, region, moderation, tasks, challenge labels
    (``tasks`` and ``challenges`` prefetched)."""
    texts = [proposal.title, proposal.region, proposal.moderation]
    for task in proposal.tasks.all():
        texts.extend([task.title, task.description])
    texts.extend(challenge.label for challenge in proposal.challenges.all())
    return texts


def _display(juror: Juror) -> str:
    return juror.user.get_full_name().strip() or juror.user.email


@dataclass(frozen=True)
class AssignmentOutcome:
    """What ``assign_reviews`` did. ``loads``: juror id → load after the assignment."""

    created: tuple[Review, ...]
    kept: int
    undeclared: tuple[Juror, ...]
    loads: dict[int, int]
    total_fit: int
    detected: int
    solver: str
    seconds: float
    messages: tuple[str, ...] = field(default=())

    @property
    def summary(self) -> str:
        """One German sentence for the staff page."""
        created = len(self.created)
        text = (f"{created} Gutachten neu zugeordnet" if created != 1 else "1 Gutachten neu zugeordnet") + (
            f", {self.kept} bestehende beibehalten." if self.kept else "."
        )
        if not created:
            text = "Alle Interessenbekundungen haben bereits genügend Gutachten; es wurde nichts zugeordnet."
        return " ".join([text, *self.messages])


def _undeclared_note(undeclared: Sequence[Juror]) -> tuple[str, ...]:
    if not undeclared:
        return ()
    names = ", ".join(_display(j) for j in undeclared)
    if len(undeclared) == 1:
        return (
            f"1 Jurymitglied hat seine Befangenheiten noch nicht erklärt und wurde nicht berücksichtigt: {names}.",
        )
    return (
        f"{len(undeclared)} Jurymitglieder haben ihre Befangenheiten noch nicht erklärt und wurden nicht "
        f"berücksichtigt: {names}.",
    )


def assign_reviews(call: Call, *, actor: Any, now: datetime) -> AssignmentOutcome:
    """Place the missing reviews of every competing proposal (see the module docstring).
    Audit: ``reviews.reviews_assigned`` with the new pairs, their fit and the detected conflicts
    (none when nothing changed)."""
    require_staff(actor)
    with transaction.atomic():
        lock_call(call)
        settings = queries.review_settings(call)
        k, max_load = settings.reviews_per_proposal, settings.max_load
        jurors = list(
            Juror.objects.filter(call=call)
            .select_related("home_municipality", "home_state", "user")
            .order_by("pk")
        )
        detected, removed = detect_for(call, jurors, now=now)
        proposals = list(queries.competing_proposals(call).prefetch_related("tasks", "challenges"))
        if not proposals:
            raise NothingToAssign("Im Teilnahmewettbewerb dieses Aufrufs ist keine Interessenbekundung.")
        declared = [j for j in jurors if j.conflicts_declared_at is not None]
        undeclared = tuple(j for j in jurors if j.conflicts_declared_at is None)
        notes = _undeclared_note(undeclared)
        reference = {p.pk: p.reference for p in proposals}
        existing = list(
            Review.objects.filter(proposal__in=proposals, juror__call=call)
            .filter(queries.not_void())
            .values_list("juror_id", "proposal_id")
        )
        per_proposal = Counter(proposal_id for _, proposal_id in existing)
        load = Counter(juror_id for juror_id, _ in existing)
        conflicts = {
            (str(juror_id), reference[proposal_id])
            for juror_id, proposal_id in queries.active_conflicts()
            .filter(juror__call=call, proposal__in=proposals)
            .values_list("juror_id", "proposal_id")
        }
        # Nobody reviews a proposal twice: every placed pair (void ones included) is excluded.
        conflicts |= {
            (str(juror_id), reference[proposal_id])
            for juror_id, proposal_id in Review.objects.filter(proposal__in=proposals).values_list(
                "juror_id", "proposal_id"
            )
        }
        refs = [p.reference for p in proposals]
        ids = [str(j.pk) for j in declared]
        demand = {p.reference: max(0, k - per_proposal[p.pk]) for p in proposals}
        existing_load = {str(j.pk): load[j.pk] for j in declared}
        impossible = explain_impossible(
            refs, ids, k=k, max_load=max_load, conflicts=conflicts, demand=demand, existing_load=existing_load
        )
        if impossible is not None:
            raise AssignmentImpossible([*impossible.messages, *notes])
        fits: dict[tuple[str, str], int] = {}
        for proposal in proposals:
            texts = proposal_texts(proposal)
            for juror in declared:
                pair = (str(juror.pk), proposal.reference)
                if pair not in conflicts:
                    value = topical_fit(juror.expertise, texts)
                    if value:
                        fits[pair] = value
        result = assign(
            refs,
            ids,
            k=k,
            max_load=max_load,
            conflicts=conflicts,
            fit={pair: value / SCALE for pair, value in fits.items()},
            demand=demand,
            existing_load=existing_load,
        )
        if result.status != "optimal" or result.impossibility is not None:
            messages = result.impossibility.messages if result.impossibility is not None else ()
            raise AssignmentImpossible([*messages, *notes])
        by_reference = {p.reference: p for p in proposals}
        by_id = {str(j.pk): j for j in declared}
        created = Review.objects.bulk_create(
            Review(
                juror=by_id[juror_id],
                proposal=by_reference[ref],
                source=AssignmentSource.AUTOMATIC,
                fit=fits.get((juror_id, ref), 0),
                state=ReviewState.OPEN,
                assigned_at=now,
                updated_at=now,
            )
            for ref in refs
            for juror_id in result.assignments.get(ref, ())
        )
        loads = {j.pk: load[j.pk] for j in jurors}
        for review in created:
            loads[review.juror_id] += 1
        if created or detected:
            record_event(
                actor=actor,
                action="reviews.reviews_assigned",
                target=call,
                data={
                    "k": k,
                    "max_load": max_load,
                    "created": [[r.juror_id, r.proposal_id, r.fit] for r in created],
                    "kept": len(existing),
                    "detected": [[c.juror_id, c.proposal_id, c.rule] for c in detected],
                    "removed_reviews": removed,
                    "undeclared": [j.pk for j in undeclared],
                    "solver": result.solver,
                },
                now=now,
            )
    return AssignmentOutcome(
        created=tuple(created),
        kept=len(existing),
        undeclared=undeclared,
        loads=loads,
        total_fit=sum(r.fit for r in created),
        detected=len(detected),
        solver=result.solver,
        seconds=result.seconds,
        messages=notes,
    )


def juror_load(juror: Juror) -> int:
    """The juror's non-void reviews of competing proposals."""
    return (
        Review.objects.filter(juror=juror, proposal__state__in=queries.COMPETING_STATES)
        .filter(queries.not_void())
        .count()
    )


def add_review(juror: Juror, proposal: Proposal, *, actor: Any, now: datetime) -> Review:
    """Assign one review by hand. Refused for a proposal not in the juror's competition, a juror
    without declaration, a conflict (also one the rules would detect), a duplicate, or a juror at
    the maximum load. Audit: ``reviews.review_added``."""
    require_staff(actor)
    with transaction.atomic():
        call = lock_call(juror.call)
        locked = (
            Juror.objects.select_related("home_municipality", "home_state", "user").select_for_update(
                of=("self",)
            )
        ).get(pk=juror.pk)
        target = (
            queries.competing_proposals(call)
            .filter(pk=proposal.pk)
            .prefetch_related("tasks", "challenges")
            .first()
        )
        if target is None:
            raise ProposalNotInCompetition(proposal.reference)
        if locked.conflicts_declared_at is None:
            raise DeclarationMissing
        if queries.active_conflicts().filter(juror=locked, proposal=target).exists():
            raise JurorConflicted(target.reference)
        settings = queries.review_settings(call)
        if not locked.conflicts.filter(proposal=target).exists():
            consortium = consortia(call, [target])
            if consortium and rule_for(locked, consortium[0], settings) is not None:
                raise JurorConflicted(target.reference)
        if Review.objects.filter(juror=locked, proposal=target).exists():
            raise AlreadyAssigned(target.reference)
        if juror_load(locked) >= settings.max_load:
            raise LoadExceeded(settings.max_load)
        review = Review.objects.create(
            juror=locked,
            proposal=target,
            source=AssignmentSource.MANUAL,
            fit=topical_fit(locked.expertise, proposal_texts(target)),
            state=ReviewState.OPEN,
            assigned_at=now,
            updated_at=now,
        )
        record_event(
            actor=actor,
            action="reviews.review_added",
            target=review,
            data={"juror": locked.pk, "proposal": target.pk, "fit": review.fit},
            now=now,
        )
    return review


def remove_review(review: Review, *, actor: Any, now: datetime) -> None:
    """Take an open or draft review away (its draft scores go with it); a submitted review is
    final. Audit: ``reviews.review_removed``."""
    require_staff(actor)
    with transaction.atomic():
        locked = Review.objects.select_for_update().get(pk=review.pk)
        if locked.state == ReviewState.SUBMITTED:
            raise ReviewAlreadySubmitted
        record_event(
            actor=actor,
            action="reviews.review_removed",
            target=locked,
            data={"juror": locked.juror_id, "proposal": locked.proposal_id, "state": locked.state},
            now=now,
        )
        locked.delete()
