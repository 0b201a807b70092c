"""The jury's reads: a conflicted juror is not shown the proposal by any query, nothing before the
declaration, blind scoring, progress and overview, constant query counts."""

from __future__ import annotations

import pytest

from oglabs.proposals.models import Proposal
from oglabs.proposals.states import ProposalState
from oglabs.reviews import queries
from oglabs.reviews.models import Review, ReviewSettings, ReviewState
from tests.factories.accounts import JurorFactory, StaffFactory, UserFactory
from tests.factories.proposals import NOW, CallFactory, ProposalFactory
from tests.factories.reviews import (
    ConflictFactory,
    CriterionFactory,
    JurySeatFactory,
    ReviewFactory,
    ScoreFactory,
)
from tests.reviews.scenario import competing

pytestmark = pytest.mark.django_db


def _submitted(juror, proposal, criterion, value=5):  # type: ignore[no-untyped-def]
    review = ReviewFactory(juror=juror, proposal=proposal, state=ReviewState.SUBMITTED, submitted_at=NOW)
    ScoreFactory(review=review, criterion=criterion, value=value)
    return review


@pytest.fixture
def jury():  # type: ignore[no-untyped-def]
    """A call with three competing proposals; juror ``me`` reviews p1 and p2 and is conflicted on
    p2 (declared after the assignment; the review was submitted, so it is void)."""
    call = CallFactory()
    criterion = CriterionFactory(call=call, key="a")
    p1, p2, p3 = (competing(call, reference=f"OGL-Q-{n}", title=f"Labor {n}") for n in (1, 2, 3))
    me = JurySeatFactory(call=call)
    colleague = JurySeatFactory(call=call)
    mine = ReviewFactory(juror=me, proposal=p1)
    void = _submitted(me, p2, criterion)
    ConflictFactory(juror=me, proposal=p2)
    theirs_p1 = _submitted(colleague, p1, criterion, 8)
    theirs_p2 = _submitted(colleague, p2, criterion, 3)
    return {
        "call": call,
        "criterion": criterion,
        "proposals": (p1, p2, p3),
        "me": me,
        "colleague": colleague,
        "mine": mine,
        "void": void,
        "theirs": (theirs_p1, theirs_p2),
    }


def test_a_conflicted_juror_gets_the_proposal_from_no_query(jury):  # type: ignore[no-untyped-def]
    me, (p1, p2, _p3) = jury["me"], jury["proposals"]
    user = me.user

    assert list(queries.visible_proposals_for_juror(user)) == [p1]
    assert [r.proposal_id for r in queries.reviews_for_juror(me)] == [p1.pk]
    with pytest.raises(Review.DoesNotExist):
        queries.review_for_juror(user, jury["void"].pk)
    assert queries.review_for_juror(user, jury["mine"].pk) == jury["mine"]
    assert queries.is_conflicted(user, p2) is True
    assert queries.is_conflicted(user, p1) is False
    assert queries.conflicted_proposal_ids(user) == {p2.pk}
    # Neither does the colleague see the void review among the others of p2.
    colleague_review = jury["theirs"][1]
    assert queries.other_reviews(colleague_review) == []
    # And the void review's author sees nothing of the others.
    assert queries.other_reviews(jury["void"]) is None


def test_nothing_is_visible_before_the_declaration_except_reference_title_and_lead(jury):  # type: ignore[no-untyped-def]
    call, (p1, _p2, _p3) = jury["call"], jury["proposals"]
    newcomer = JurySeatFactory(call=call, conflicts_declared_at=None)
    review = ReviewFactory(juror=newcomer, proposal=p1)
    ProposalFactory(call=call, reference="OGL-Q-9", state=ProposalState.ELIGIBLE)

    assert list(queries.visible_proposals_for_juror(newcomer.user)) == []
    assert list(queries.reviews_for_juror(newcomer)) == []
    with pytest.raises(Review.DoesNotExist):
        queries.review_for_juror(newcomer.user, review.pk)
    listed = list(queries.proposals_for_declaration(newcomer))
    assert [p.reference for p in listed] == ["OGL-Q-1", "OGL-Q-2", "OGL-Q-3"]
    assert listed[0].get_deferred_fields() >= {
        "region",
        "moderation",
        "own_contribution",
        "state_contribution",
    }


def test_review_for_juror_only_the_own_review(jury):  # type: ignore[no-untyped-def]
    colleague_review = jury["theirs"][0]
    with pytest.raises(Review.DoesNotExist):
        queries.review_for_juror(jury["me"].user, colleague_review.pk)
    with pytest.raises(Review.DoesNotExist):
        queries.review_for_juror(StaffFactory(), jury["mine"].pk)
    with pytest.raises(Review.DoesNotExist):
        queries.review_for_juror(jury["me"].user, 10**9)


def test_other_reviews_blind_until_the_own_review_is_submitted(jury):  # type: ignore[no-untyped-def]
    mine = queries.review_for_juror(jury["me"].user, jury["mine"].pk)
    assert queries.other_reviews(mine) is None

    mine.state, mine.submitted_at = ReviewState.SUBMITTED, NOW
    mine.save()
    others = queries.other_reviews(mine)
    assert others == [jury["theirs"][0]]
    assert [s.value for s in others[0].scores.all()] == [8]


def test_other_reviews_without_blindness_show_only_submitted_ones(jury):  # type: ignore[no-untyped-def]
    ReviewSettings.objects.create(call=jury["call"], blind_until_submitted=False, updated_at=NOW)
    p1 = jury["proposals"][0]
    ReviewFactory(juror=JurySeatFactory(call=jury["call"]), proposal=p1, state=ReviewState.DRAFT)
    assert queries.other_reviews(jury["mine"]) == [jury["theirs"][0]]


def test_staff_and_applicants_have_no_seats_and_no_conflicts(jury):  # type: ignore[no-untyped-def]
    for user in (StaffFactory(), UserFactory()):
        assert queries.juror_seat(user, jury["call"]) is None
        assert list(queries.juror_seats(user)) == []
        assert queries.conflicted_proposal_ids(user) == set()
        assert list(queries.visible_proposals_for_juror(user)) == []
    assert queries.juror_seat(jury["me"].user, jury["call"]) == jury["me"]
    assert list(queries.juror_seats(jury["me"].user)) == [jury["me"]]
    assert queries.juror_seat(JurorFactory(), jury["call"]) is None


def test_review_progress_per_juror_without_void_reviews(jury):  # type: ignore[no-untyped-def]
    call = jury["call"]
    late = JurySeatFactory(call=call, conflicts_declared_at=None)
    ReviewFactory(juror=jury["colleague"], proposal=jury["proposals"][2], state=ReviewState.DRAFT)

    rows = {row.juror.pk: row for row in queries.review_progress(call)}

    me, colleague = rows[jury["me"].pk], rows[jury["colleague"].pk]
    assert (me.declared, me.assigned, me.open, me.draft, me.submitted, me.remaining) == (True, 1, 1, 0, 0, 1)
    assert (colleague.assigned, colleague.open, colleague.draft, colleague.submitted) == (3, 0, 1, 2)
    assert (rows[late.pk].declared, rows[late.pk].assigned) == (False, 0)
    assert queries.open_reviews_by_juror(call) == {jury["me"]: 1, jury["colleague"]: 1}


def test_assignment_overview_per_proposal_with_jurors_and_conflicts(jury):  # type: ignore[no-untyped-def]
    rows = queries.assignment_overview(jury["call"])
    assert [
        (r.proposal.reference, [j.pk for j in r.jurors], r.needed, r.missing, r.conflicts) for r in rows
    ] == [
        ("OGL-Q-1", sorted([jury["me"].pk, jury["colleague"].pk], key=lambda pk: _email(pk)), 3, 1, 0),
        ("OGL-Q-2", [jury["colleague"].pk], 3, 2, 1),
        ("OGL-Q-3", [], 3, 3, 0),
    ]


def _email(juror_pk: int) -> str:
    from oglabs.reviews.models import Juror

    return Juror.objects.get(pk=juror_pk).user.email


def test_conflicts_for_call_lists_every_conflict_for_staff(jury):  # type: ignore[no-untyped-def]
    assert [(c.juror_id, c.proposal.reference) for c in queries.conflicts_for_call(jury["call"])] == [
        (jury["me"].pk, "OGL-Q-2")
    ]
    assert [c.proposal_id for c in queries.conflicts_of_juror(jury["me"])] == [jury["proposals"][1].pk]


def _grow(jury, n):  # type: ignore[no-untyped-def]
    """n more competing proposals, each reviewed by ``me`` and the colleague, and a third juror
    conflicted on each."""
    call = jury["call"]
    third = JurySeatFactory(call=call)
    for _ in range(n):
        proposal = competing(call)
        _submitted(jury["colleague"], proposal, jury["criterion"])
        ReviewFactory(juror=jury["me"], proposal=proposal)
        ConflictFactory(juror=third, proposal=proposal)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("visible_proposals_for_juror", 1),
        ("reviews_for_juror", 2),
        ("review_progress", 2),
        ("assignment_overview", 3),
        ("conflicts_for_call", 1),
        ("proposals_for_declaration", 1),
    ],
)
def test_list_queries_run_a_constant_number_of_queries(jury, django_assert_num_queries, name, expected):  # type: ignore[no-untyped-def]
    arguments = {
        "visible_proposals_for_juror": lambda: queries.visible_proposals_for_juror(jury["me"].user),
        "reviews_for_juror": lambda: queries.reviews_for_juror(jury["me"]),
        "review_progress": lambda: queries.review_progress(jury["call"]),
        "assignment_overview": lambda: queries.assignment_overview(jury["call"]),
        "conflicts_for_call": lambda: queries.conflicts_for_call(jury["call"]),
        "proposals_for_declaration": lambda: queries.proposals_for_declaration(jury["me"]),
    }[name]

    def run():  # type: ignore[no-untyped-def]
        result = list(arguments())
        seen = []  # touch what the pages show
        for item in result:
            if isinstance(item, Review):
                seen += [s.value for s in item.scores.all()] + [item.proposal.lead_municipality.name]
            elif isinstance(item, Proposal):
                seen.append(item.lead_municipality.name)
            elif isinstance(item, queries.AssignmentRow):
                seen += [r.juror.user.email for r in item.reviews] + [item.proposal.lead_municipality.name]
            elif isinstance(item, queries.ProgressRow):
                seen.append(item.juror.user.email)
            else:
                seen += [item.juror.user.email, item.proposal.lead_municipality.name, item.overridden_by]
        return len(result)

    with django_assert_num_queries(expected):
        small = run()
    _grow(jury, 10)
    with django_assert_num_queries(expected):
        assert run() > small
