"""Scoring: drafts may be partial, submission needs every criterion within its scale and is
final; only the own juror, never when conflicted; one audit event per save."""

from __future__ import annotations

import datetime as dt

import pytest

from oglabs.proposals.states import ProposalState
from oglabs.reviews import services
from oglabs.reviews.exceptions import (
    InvalidScores,
    JurorConflicted,
    NoCriteria,
    NotYourReview,
    ProposalNotInCompetition,
    ReviewAlreadySubmitted,
)
from oglabs.reviews.models import ReviewState, Score
from tests.factories.accounts import StaffFactory
from tests.factories.proposals import NOW, CallFactory
from tests.factories.reviews import ConflictFactory, CriterionFactory, JurySeatFactory, ReviewFactory
from tests.reviews.scenario import actions_since, competing, events_since, last_sequence

pytestmark = pytest.mark.django_db

LATER = NOW + dt.timedelta(days=40)


@pytest.fixture
def setup():  # type: ignore[no-untyped-def]
    call = CallFactory()
    a = CriterionFactory(call=call, key="a", name="Zusammenarbeit", position=1, scale_max=10)
    b = CriterionFactory(call=call, key="b", name="Aufgaben", position=2, scale_min=1, scale_max=5)
    juror = JurySeatFactory(call=call)
    review = ReviewFactory(juror=juror, proposal=competing(call))
    return review, a, b


def _scores(review):  # type: ignore[no-untyped-def]
    return sorted(Score.objects.filter(review=review).values_list("criterion__key", "value", "comment"))


def test_save_review_draft_may_be_partial_and_hold_a_comment_without_points(setup):  # type: ignore[no-untyped-def]
    review, a, b = setup
    before = last_sequence()

    saved = services.save_review(
        review,
        scores={a.pk: 7},
        comments={a.pk: " gut ", b.pk: "noch unklar"},
        comment=" Erster Eindruck ",
        submit=False,
        actor=review.juror.user,
        now=LATER,
    )

    assert (saved.state, saved.comment, saved.updated_at, saved.submitted_at) == (
        "draft",
        "Erster Eindruck",
        LATER,
        None,
    )
    assert _scores(review) == [("a", 7, "gut"), ("b", None, "noch unklar")]
    assert events_since(before) == [
        (
            "reviews.review_saved",
            f"reviews.review:{review.pk}",
            {"juror": review.juror_id, "proposal": review.proposal_id, "scores": {}, "scored": 1},
        )
    ]

    services.save_review(
        review, scores={b.pk: 3}, comments={}, comment="", submit=False, actor=review.juror.user, now=LATER
    )
    assert _scores(review) == [("b", 3, "")]  # the mapping is the whole new content


def test_save_review_submit_needs_every_criterion_and_is_final(setup):  # type: ignore[no-untyped-def]
    review, a, b = setup
    user = review.juror.user
    before = last_sequence()

    with pytest.raises(InvalidScores) as error:
        services.save_review(
            review, scores={a.pk: 11, b.pk: 0}, comments={}, comment="", submit=True, actor=user, now=LATER
        )
    assert error.value.errors == {
        "a": ["„Zusammenarbeit“: Bitte vergeben Sie eine ganze Zahl von 0 bis 10."],
        "b": ["„Aufgaben“: Bitte vergeben Sie eine ganze Zahl von 1 bis 5."],
    }
    with pytest.raises(InvalidScores) as error:
        services.save_review(
            review, scores={a.pk: 4}, comments={}, comment="", submit=True, actor=user, now=LATER
        )
    assert error.value.errors == {
        "b": ["„Aufgaben“: Bitte vergeben Sie Punkte, bevor Sie das Gutachten abgeben."]
    }
    with pytest.raises(InvalidScores) as error:
        services.save_review(
            review, scores={a.pk: 4, 999999: 1}, comments={}, comment="", submit=False, actor=user, now=LATER
        )
    assert error.value.errors == {
        "__all__": ["Bewertet wurde ein Kriterium, das es in diesem Aufruf nicht gibt."]
    }
    review.refresh_from_db()
    assert (review.state, _scores(review), actions_since(before)) == ("open", [], [])

    services.save_review(
        review,
        scores={a.pk: 10, b.pk: 1},
        comments={},
        comment="Überzeugend.",
        submit=True,
        actor=user,
        now=LATER,
    )

    review.refresh_from_db()
    assert (review.state, review.submitted_at, review.comment) == (
        ReviewState.SUBMITTED,
        LATER,
        "Überzeugend.",
    )
    assert _scores(review) == [("a", 10, ""), ("b", 1, "")]
    [(action, _, data)] = events_since(before)
    assert (action, data["scores"]) == ("reviews.review_submitted", {"a": 10, "b": 1})

    later = last_sequence()
    with pytest.raises(ReviewAlreadySubmitted):
        services.save_review(
            review, scores={a.pk: 0, b.pk: 1}, comments={}, comment="", submit=True, actor=user, now=LATER
        )
    assert _scores(review) == [("a", 10, ""), ("b", 1, "")]
    assert actions_since(later) == []


def test_save_review_only_by_its_own_juror(setup):  # type: ignore[no-untyped-def]
    review, a, _b = setup
    other = JurySeatFactory(call=review.juror.call)
    for actor in (other.user, StaffFactory()):
        with pytest.raises(NotYourReview) as error:
            services.save_review(
                review, scores={a.pk: 1}, comments={}, comment="", submit=False, actor=actor, now=LATER
            )
        assert str(error.value) == "Dieses Gutachten gibt es nicht, oder es ist nicht Ihres."
    assert _scores(review) == []


def test_save_review_refused_for_a_conflicted_juror(setup):  # type: ignore[no-untyped-def]
    review, a, b = setup
    ConflictFactory(juror=review.juror, proposal=review.proposal)
    with pytest.raises(JurorConflicted):
        services.save_review(
            review,
            scores={a.pk: 1, b.pk: 1},
            comments={},
            comment="",
            submit=True,
            actor=review.juror.user,
            now=LATER,
        )
    review.refresh_from_db()
    assert (review.state, _scores(review)) == ("open", [])


def test_save_review_refused_when_the_proposal_left_the_competition_or_without_criteria(setup):  # type: ignore[no-untyped-def]
    review, a, _b = setup
    review.proposal.state = ProposalState.WITHDRAWN
    review.proposal.save()
    with pytest.raises(ProposalNotInCompetition):
        services.save_review(
            review,
            scores={a.pk: 1},
            comments={},
            comment="",
            submit=False,
            actor=review.juror.user,
            now=LATER,
        )
    bare = ReviewFactory(juror=JurySeatFactory(), state=ReviewState.OPEN)
    bare.proposal.state = ProposalState.IN_COMPETITION
    bare.proposal.save()
    with pytest.raises(NoCriteria):
        services.save_review(
            bare, scores={}, comments={}, comment="", submit=False, actor=bare.juror.user, now=LATER
        )
