"""A juror scores an assigned proposal: points and a comment per criterion, an overall comment;
saved as a draft or submitted. Submitted is final."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import transaction

from oglabs.audit.services import record_event
from oglabs.reviews import queries
from oglabs.reviews.exceptions import (
    InvalidScores,
    JurorConflicted,
    NoCriteria,
    NotYourReview,
    ProposalNotInCompetition,
    ReviewAlreadySubmitted,
)
from oglabs.reviews.models import Review, ReviewState, Score


def save_review(
    review: Review,
    *,
    scores: Mapping[int, int],
    comments: Mapping[int, str],
    comment: str,
    submit: bool,
    actor: Any,
    now: datetime,
) -> Review:
    """Save the juror's scores (criterion id → points) and comments as the review's new content:
    criteria missing from both mappings lose their earlier score. A draft may be partial (a
    comment without points too); submitting needs points within the scale for every criterion of
    the call. Only the review's own juror, never when conflicted, never after submission.
    Audit: ``reviews.review_saved`` (draft) or ``reviews.review_submitted`` (with the points)."""
    with transaction.atomic():
        try:
            locked = (
                Review.objects.select_for_update(of=("self",))
                .select_related("juror__user", "juror__call", "proposal")
                .get(pk=review.pk)
            )
        except Review.DoesNotExist:
            raise NotYourReview from None
        if getattr(actor, "pk", None) != locked.juror.user_id or locked.juror.conflicts_declared_at is None:
            raise NotYourReview
        if (
            queries.active_conflicts()
            .filter(juror_id=locked.juror_id, proposal_id=locked.proposal_id)
            .exists()
        ):
            raise JurorConflicted(locked.proposal.reference)
        if locked.state == ReviewState.SUBMITTED:
            raise ReviewAlreadySubmitted
        if locked.proposal.state not in queries.COMPETING_STATES:
            raise ProposalNotInCompetition(locked.proposal.reference)
        criteria = list(queries.criteria_for_call(locked.juror.call))
        if not criteria:
            raise NoCriteria
        by_id = {c.pk: c for c in criteria}
        errors: dict[str, list[str]] = {}
        unknown = sorted((set(scores) | set(comments)) - set(by_id))
        if unknown:
            errors["__all__"] = ["Bewertet wurde ein Kriterium, das es in diesem Aufruf nicht gibt."]
        for criterion_id, value in scores.items():
            criterion = by_id.get(criterion_id)
            if criterion is None:
                continue
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or not (criterion.scale_min <= value <= criterion.scale_max)
            ):
                errors.setdefault(criterion.key, []).append(
                    f"„{criterion.name}“: Bitte vergeben Sie eine ganze Zahl von {criterion.scale_min} bis "
                    f"{criterion.scale_max}."
                )
        if submit:
            for criterion in criteria:
                if criterion.pk not in scores:
                    errors.setdefault(criterion.key, []).append(
                        f"„{criterion.name}“: Bitte vergeben Sie Punkte, bevor Sie das Gutachten abgeben."
                    )
        if errors:
            raise InvalidScores(errors)
        texts = {cid: text.strip() for cid, text in comments.items() if text.strip()}
        Score.objects.filter(review=locked).exclude(criterion_id__in=set(scores) | set(texts)).delete()
        current = {s.criterion_id: s for s in Score.objects.filter(review=locked)}
        for criterion in criteria:
            if criterion.pk not in scores and criterion.pk not in texts:
                continue
            score = current.get(criterion.pk) or Score(review=locked, criterion=criterion)
            score.value = scores.get(criterion.pk)
            score.comment = texts.get(criterion.pk, "")
            score.save()
        locked.comment = comment.strip()
        locked.updated_at = now
        if submit:
            locked.state = ReviewState.SUBMITTED
            locked.submitted_at = now
        else:
            locked.state = ReviewState.DRAFT
        locked.save(update_fields=["comment", "updated_at", "state", "submitted_at"])
        points = {by_id[cid].key: value for cid, value in sorted(scores.items())}
        record_event(
            actor=actor,
            action="reviews.review_submitted" if submit else "reviews.review_saved",
            target=locked,
            data={
                "juror": locked.juror_id,
                "proposal": locked.proposal_id,
                "scores": points if submit else {},
                "scored": len(points),
            },
            now=now,
        )
    review.state, review.comment, review.updated_at, review.submitted_at = (
        locked.state,
        locked.comment,
        locked.updated_at,
        locked.submitted_at,
    )
    return locked
