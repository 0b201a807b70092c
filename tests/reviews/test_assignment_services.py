"""The automatic assignment on the database: k per proposal, loads, conflicts, existing reviews
kept, undeclared jurors left out, the impossibility explained; manual adjustment."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from oglabs.calls.models import Challenge
from oglabs.proposals.models import LabTask
from oglabs.proposals.states import ProposalState
from oglabs.reviews import services
from oglabs.reviews.exceptions import (
    AlreadyAssigned,
    AssignmentImpossible,
    DeclarationMissing,
    JurorConflicted,
    LoadExceeded,
    NothingToAssign,
    NotStaff,
    ProposalNotInCompetition,
    ReviewAlreadySubmitted,
)
from oglabs.reviews.models import AssignmentSource, ConflictOfInterest, Review, ReviewSettings, ReviewState
from tests.factories.accounts import JurorFactory, StaffFactory
from tests.factories.proposals import NOW, CallFactory, MunicipalityFactory, ProposalFactory
from tests.factories.reviews import ConflictFactory, JurySeatFactory, ReviewFactory
from tests.reviews.scenario import actions_since, competing, events_since, last_sequence

pytestmark = pytest.mark.django_db

LATER = NOW + dt.timedelta(days=30)


def _settings(call, k=2, max_load=3):  # type: ignore[no-untyped-def]
    ReviewSettings.objects.create(call=call, reviews_per_proposal=k, max_load=max_load, updated_at=NOW)


def _pairs(call):  # type: ignore[no-untyped-def]
    return sorted(
        Review.objects.filter(juror__call=call).values_list("proposal__reference", "juror__user__email")
    )


def _jury(call, n, **fields):  # type: ignore[no-untyped-def]
    return [
        JurySeatFactory(call=call, user=JurorFactory(email=f"j{i}@jury.example"), expertise="", **fields)
        for i in range(1, n + 1)
    ]


def test_assign_reviews_places_k_per_proposal_within_loads_and_never_a_conflict():
    call = CallFactory()
    _settings(call, k=2, max_load=3)
    proposals = [competing(call, reference=f"OGL-A-{n}") for n in range(1, 5)]
    j1, j2, _j3 = _jury(call, 3)
    ConflictFactory(juror=j1, proposal=proposals[0])
    ConflictFactory(juror=j2, proposal=proposals[1])
    staff = StaffFactory()
    before = last_sequence()

    outcome = services.assign_reviews(call, actor=staff, now=LATER)

    reviews = list(Review.objects.filter(juror__call=call))
    per_proposal = Counter(r.proposal_id for r in reviews)
    per_juror = Counter(r.juror_id for r in reviews)
    assert per_proposal == {p.pk: 2 for p in proposals}
    assert max(per_juror.values()) <= 3 and sum(per_juror.values()) == 8
    assert sorted(per_juror.values()) == [2, 3, 3]
    assert not any(
        ConflictOfInterest.objects.filter(juror_id=r.juror_id, proposal_id=r.proposal_id).exists()
        for r in reviews
    )
    assert {(r.source, r.state, r.assigned_at) for r in reviews} == {
        (AssignmentSource.AUTOMATIC, ReviewState.OPEN, LATER)
    }
    assert (len(outcome.created), outcome.kept, outcome.undeclared, outcome.detected) == (8, 0, (), 0)
    assert outcome.loads == dict(per_juror)
    assert outcome.summary == "8 Gutachten neu zugeordnet."
    [(action, target, data)] = events_since(before)
    assert (action, target, data["k"], data["max_load"], data["kept"]) == (
        "reviews.reviews_assigned",
        f"calls.call:{call.pk}",
        2,
        3,
        0,
    )
    assert sorted(tuple(pair[:2]) for pair in data["created"]) == sorted(
        (r.juror_id, r.proposal_id) for r in reviews
    )


def test_assign_reviews_prefers_the_better_fit_and_stores_it():
    call = CallFactory()
    _settings(call, k=1, max_load=1)
    mobility = competing(call, reference="OGL-F-1", title="Mobilität auf dem Land")
    LabTask.objects.create(proposal=mobility, title="Rufbus", description="Ein Rufbus für alle Dörfer")
    digital = competing(call, reference="OGL-F-2", title="Digitale Verwaltung")
    digital.challenges.add(Challenge.objects.get(call=call, key="digitalisierung"))
    bus = JurySeatFactory(
        call=call, user=JurorFactory(email="bus@jury.example"), expertise="Mobilität, Rufbus"
    )
    it = JurySeatFactory(call=call, user=JurorFactory(email="it@jury.example"), expertise="Digitalisierung")

    services.assign_reviews(call, actor=StaffFactory(), now=LATER)

    assert sorted(
        Review.objects.filter(juror__call=call).values_list("proposal__reference", "juror_id", "fit")
    ) == [
        ("OGL-F-1", bus.pk, 1000),
        ("OGL-F-2", it.pk, 1000),
    ]


def test_assign_reviews_keeps_existing_reviews_and_places_only_the_missing_ones():
    call = CallFactory()
    _settings(call, k=2, max_load=2)
    p1, p2 = competing(call, reference="OGL-E-1"), competing(call, reference="OGL-E-2")
    j1, j2, _j3 = _jury(call, 3)
    submitted = ReviewFactory(juror=j1, proposal=p1, state=ReviewState.SUBMITTED, submitted_at=NOW)
    manual = ReviewFactory(juror=j1, proposal=p2, source=AssignmentSource.MANUAL, state=ReviewState.DRAFT)
    ReviewFactory(juror=j2, proposal=p2)
    before = last_sequence()

    outcome = services.assign_reviews(call, actor=StaffFactory(), now=LATER)

    # p1 needs one more; j1 is full (2 of 2) and already on p1 → j2 or j3; p2 is complete.
    assert outcome.kept == 3 and len(outcome.created) == 1
    [new] = outcome.created
    assert new.proposal_id == p1.pk and new.juror_id != j1.pk
    assert Review.objects.filter(pk__in=[submitted.pk, manual.pk]).count() == 2
    assert Counter(Review.objects.filter(juror__call=call).values_list("proposal_id", flat=True)) == {
        p1.pk: 2,
        p2.pk: 2,
    }
    assert outcome.loads[j1.pk] == 2
    assert actions_since(before) == ["reviews.reviews_assigned"]

    again = services.assign_reviews(call, actor=StaffFactory(), now=LATER)
    assert (again.created, again.kept) == ((), 4)
    assert (
        again.summary
        == "Alle Interessenbekundungen haben bereits genügend Gutachten; es wurde nichts zugeordnet."
    )
    assert actions_since(before) == ["reviews.reviews_assigned"]  # nothing changed, nothing recorded


def test_assign_reviews_leaves_out_jurors_without_declaration_and_says_so():
    call = CallFactory()
    _settings(call, k=1, max_load=5)
    competing(call, reference="OGL-U-1")
    declared = JurySeatFactory(call=call, user=JurorFactory(email="da@jury.example"))
    late = JurySeatFactory(
        call=call, user=JurorFactory(email="spaet@jury.example"), conflicts_declared_at=None
    )

    outcome = services.assign_reviews(call, actor=StaffFactory(), now=LATER)

    assert [r.juror_id for r in outcome.created] == [declared.pk]
    assert outcome.undeclared == (late,)
    assert outcome.summary == (
        "1 Gutachten neu zugeordnet. 1 Jurymitglied hat seine Befangenheiten noch nicht erklärt und wurde "
        "nicht berücksichtigt: spaet@jury.example."
    )


def test_assign_reviews_impossible_names_proposals_and_shortfall_and_changes_nothing():
    call = CallFactory()
    _settings(call, k=2, max_load=1)
    p1 = competing(call, reference="OGL-I-1")
    competing(call, reference="OGL-I-2")
    j1, j2, _j3 = _jury(call, 3)
    JurySeatFactory(call=call, user=JurorFactory(email="offen@jury.example"), conflicts_declared_at=None)
    ConflictFactory(juror=j1, proposal=p1)
    j2.home_municipality = p1.lead_municipality  # detected before solving: a second conflict on p1
    j2.save()
    before = last_sequence()

    with pytest.raises(AssignmentImpossible) as error:
        services.assign_reviews(call, actor=StaffFactory(), now=LATER)

    assert error.value.messages == (
        "Für die Interessenbekundung OGL-I-1 gibt es nur 1 nicht befangene Jurorinnen und Juroren mit freier "
        "Kapazität; benötigt werden noch 2, es fehlen 1.",
        "Die Gesamtkapazität reicht nicht: 3 Jurorinnen und Juroren × höchstens 1 Bewertungen, davon 0 bereits "
        "vergeben, lassen 3 freie Plätze; benötigt werden noch 4; es fehlen 1 Bewertungen.",
        "1 Jurymitglied hat seine Befangenheiten noch nicht erklärt und wurde nicht berücksichtigt: "
        "offen@jury.example.",
    )
    assert str(error.value).startswith(
        "Die Zuordnung ist so nicht möglich. Für die Interessenbekundung OGL-I-1"
    )
    assert not Review.objects.filter(juror__call=call).exists()
    assert ConflictOfInterest.objects.filter(juror__call=call).count() == 1  # the detection rolled back
    assert actions_since(before) == []


def test_assign_reviews_refuses_without_competing_proposals_and_for_non_staff():
    call = CallFactory()
    ProposalFactory(call=call, state=ProposalState.ELIGIBLE)
    JurySeatFactory(call=call)
    with pytest.raises(NothingToAssign) as error:
        services.assign_reviews(call, actor=StaffFactory(), now=LATER)
    assert str(error.value) == "Im Teilnahmewettbewerb dieses Aufrufs ist keine Interessenbekundung."
    competing(call)
    with pytest.raises(NotStaff):
        services.assign_reviews(call, actor=JurorFactory(), now=LATER)
    assert not Review.objects.exists()


def test_assign_reviews_uses_an_overridden_conflict_again():
    call = CallFactory()
    _settings(call, k=1, max_load=1)
    home = MunicipalityFactory(name="Falkensee")
    proposal = competing(call, lead_municipality=home)
    juror = JurySeatFactory(call=call, home_municipality=home)
    staff = StaffFactory()
    with pytest.raises(AssignmentImpossible):
        services.assign_reviews(call, actor=staff, now=LATER)
    services.detect_conflicts(call, actor=staff, now=LATER)
    services.override_conflict(
        ConflictOfInterest.objects.get(juror=juror), reason="Nur Zweitwohnsitz.", actor=staff, now=LATER
    )

    outcome = services.assign_reviews(call, actor=staff, now=LATER)

    assert [(r.juror_id, r.proposal_id) for r in outcome.created] == [(juror.pk, proposal.pk)]


# --- manual adjustment ---------------------------------------------------------------------------


def test_add_review_by_hand_with_fit_and_one_event():
    call = CallFactory()
    proposal = competing(call, title="Mobilität im Dorf")
    juror = JurySeatFactory(call=call, expertise="Mobilität, Kultur")
    before = last_sequence()

    review = services.add_review(juror, proposal, actor=StaffFactory(), now=LATER)

    assert (review.source, review.state, review.fit, review.assigned_at) == ("manual", "open", 500, LATER)
    assert events_since(before) == [
        (
            "reviews.review_added",
            f"reviews.review:{review.pk}",
            {"juror": juror.pk, "proposal": proposal.pk, "fit": 500},
        )
    ]


def test_add_review_refusals_change_nothing():
    call = CallFactory()
    _settings(call, k=1, max_load=1)
    proposal, busy_with = competing(call, reference="OGL-M-1"), competing(call, reference="OGL-M-2")
    staff = StaffFactory()
    conflicted = JurySeatFactory(call=call)
    ConflictFactory(juror=conflicted, proposal=proposal)
    detectable = JurySeatFactory(call=call, home_municipality=proposal.lead_municipality)
    undeclared = JurySeatFactory(call=call, conflicts_declared_at=None)
    full = JurySeatFactory(call=call)
    ReviewFactory(juror=full, proposal=busy_with)
    twice = JurySeatFactory(call=call)
    ReviewFactory(juror=twice, proposal=proposal)
    eligible = ProposalFactory(call=call, reference="OGL-M-9", state=ProposalState.ELIGIBLE)
    before = last_sequence()
    count = Review.objects.count()

    with pytest.raises(JurorConflicted) as error:
        services.add_review(conflicted, proposal, actor=staff, now=LATER)
    assert str(error.value) == (
        "Dieses Jurymitglied ist bei der Interessenbekundung OGL-M-1 befangen und darf sie nicht begutachten."
    )
    with pytest.raises(JurorConflicted):
        services.add_review(detectable, proposal, actor=staff, now=LATER)
    with pytest.raises(DeclarationMissing):
        services.add_review(undeclared, proposal, actor=staff, now=LATER)
    with pytest.raises(LoadExceeded) as error:
        services.add_review(full, proposal, actor=staff, now=LATER)
    assert str(error.value).startswith("Dieses Jurymitglied hat bereits die Höchstzahl von 1 Gutachten.")
    with pytest.raises(AlreadyAssigned):
        services.add_review(twice, proposal, actor=staff, now=LATER)
    with pytest.raises(ProposalNotInCompetition):
        services.add_review(twice, eligible, actor=staff, now=LATER)
    with pytest.raises(ProposalNotInCompetition):
        services.add_review(twice, competing(CallFactory()), actor=staff, now=LATER)
    with pytest.raises(NotStaff):
        services.add_review(full, proposal, actor=full.user, now=LATER)

    assert Review.objects.count() == count
    assert actions_since(before) == []


def test_remove_review_open_or_draft_only():
    call = CallFactory()
    juror = JurySeatFactory(call=call)
    draft = ReviewFactory(juror=juror, proposal=competing(call), state=ReviewState.DRAFT)
    submitted = ReviewFactory(
        juror=juror, proposal=competing(call), state=ReviewState.SUBMITTED, submitted_at=NOW
    )
    staff = StaffFactory()
    before = last_sequence()

    services.remove_review(draft, actor=staff, now=LATER)
    with pytest.raises(ReviewAlreadySubmitted):
        services.remove_review(submitted, actor=staff, now=LATER)
    with pytest.raises(NotStaff):
        services.remove_review(submitted, actor=juror.user, now=LATER)

    assert list(Review.objects.filter(juror=juror)) == [submitted]
    assert events_since(before) == [
        (
            "reviews.review_removed",
            f"reviews.review:{draft.pk}",
            {"juror": juror.pk, "proposal": draft.proposal_id, "state": "draft"},
        )
    ]
