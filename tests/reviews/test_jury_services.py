"""Jury seats and conflicts of interest: taking jurors in, the detection rules one by one,
declarations, overrides (detected only, with a reason, staff only); refusals change nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from oglabs.proposals.models import ConsortiumMunicipality, Partner
from oglabs.proposals.states import ProposalState
from oglabs.reviews import queries, services
from oglabs.reviews.exceptions import (
    AlreadyJuror,
    ConflictReasonMissing,
    InvalidJuror,
    JurorHasSubmittedReviews,
    NotAJuror,
    NotStaff,
    NotYourSeat,
    OverrideNotAllowed,
    OverrideReasonMissing,
    ProposalNotInCompetition,
)
from oglabs.reviews.models import (
    ConflictOfInterest,
    ConflictSource,
    Juror,
    Review,
    ReviewSettings,
    ReviewState,
)
from tests.factories.accounts import JurorFactory, StaffFactory, UserFactory
from tests.factories.proposals import (
    NOW,
    CallFactory,
    DistrictFactory,
    MunicipalityFactory,
    ProposalFactory,
    StateFactory,
)
from tests.factories.reviews import ConflictFactory, JurySeatFactory, ReviewFactory
from tests.reviews.scenario import actions_since, competing, events_since, last_sequence

pytestmark = pytest.mark.django_db

LATER = NOW + dt.timedelta(days=30)


@pytest.fixture
def places():  # type: ignore[no-untyped-def]
    """Two Kreise in Brandenburg, one in Mecklenburg-Vorpommern."""
    brandenburg = StateFactory()
    mv = StateFactory(ars="13", code="MV", name="Mecklenburg-Vorpommern", population=1609675)
    havelland = DistrictFactory()
    pm = DistrictFactory(ars="12069", name="Potsdam-Mittelmark", state=brandenburg)
    seenplatte = DistrictFactory(ars="13071", name="Mecklenburgische Seenplatte", state=mv)
    return {
        "falkensee": MunicipalityFactory(ars="120630080080", name="Falkensee", district=havelland),
        "nauen": MunicipalityFactory(ars="120630000208", name="Nauen", district=havelland),
        "rathenow": MunicipalityFactory(ars="120630000252", name="Rathenow", district=havelland),
        "werder": MunicipalityFactory(ars="120690000656", name="Werder (Havel)", district=pm),
        "waren": MunicipalityFactory(ars="130710000154", name="Waren (Müritz)", district=seenplatte),
        "brandenburg": brandenburg,
        "mv": mv,
    }


def _call_with_proposal(places):  # type: ignore[no-untyped-def]
    """A call with one competing proposal: lead Falkensee, further Nauen, partner Bürgerverein."""
    call = CallFactory()
    proposal = competing(
        call, reference="OGL-K-1", title="Offenes Havelland", lead_municipality=places["falkensee"]
    )
    ConsortiumMunicipality.objects.create(proposal=proposal, municipality=places["nauen"])
    Partner.objects.create(proposal=proposal, kind="civil_society", name="Bürgerverein  Havelland e. V.")
    return call, proposal


def _add(call, **kwargs):  # type: ignore[no-untyped-def]
    values = {"user": JurorFactory(), "organisation": "Deutscher Städtetag"}
    values.update(kwargs)
    return services.add_juror(call, **values, actor=StaffFactory(), now=NOW)


def _detected(call):  # type: ignore[no-untyped-def]
    return sorted(
        ConflictOfInterest.objects.filter(juror__call=call, source=ConflictSource.DETECTED).values_list(
            "proposal__reference", "rule", "reason"
        )
    )


# --- add and remove jurors -----------------------------------------------------------------------


def test_add_juror_takes_a_juror_in_with_home_land_from_the_municipality(places):  # type: ignore[no-untyped-def]
    call, _ = _call_with_proposal(places)
    user = JurorFactory()
    before = last_sequence()

    juror = _add(
        call,
        user=user,
        organisation=" Deutscher Landkreistag ",
        home_municipality=places["waren"],
        expertise=" Mobilität ",
    )

    assert (juror.organisation, juror.home_state, juror.expertise, juror.added_at) == (
        "Deutscher Landkreistag",
        places["mv"],
        "Mobilität",
        NOW,
    )
    assert juror.conflicts_declared_at is None
    [(action, target, data)] = events_since(before)
    assert (action, target, data["detected"], data["home_state"]) == (
        "reviews.juror_added",
        f"reviews.juror:{juror.pk}",
        [],
        "13",
    )


def test_add_juror_refuses_without_role_twice_or_with_a_wrong_land(places):  # type: ignore[no-untyped-def]
    call, _ = _call_with_proposal(places)
    juror_user = JurorFactory()
    _add(call, user=juror_user)
    before = last_sequence()
    with pytest.raises(NotAJuror) as error:
        _add(call, user=UserFactory())
    assert str(error.value).startswith("Diese Person hat nicht die Rolle „Jury“.")
    with pytest.raises(AlreadyJuror):
        _add(call, user=juror_user)
    with pytest.raises(InvalidJuror) as error:
        _add(call, home_municipality=places["waren"], home_state=places["brandenburg"])
    assert str(error.value) == "Die Heimatkommune Waren (Müritz) liegt nicht im Land Brandenburg."
    with pytest.raises(InvalidJuror):
        _add(call, organisation="  ")
    with pytest.raises(NotStaff):
        services.add_juror(call, user=JurorFactory(), organisation="X", actor=juror_user, now=NOW)
    assert Juror.objects.filter(call=call).count() == 1
    assert actions_since(before) == []


def test_add_juror_detects_their_conflicts_at_once(places):  # type: ignore[no-untyped-def]
    call, proposal = _call_with_proposal(places)
    before = last_sequence()
    juror = _add(call, home_municipality=places["nauen"])
    assert _detected(call) == [
        ("OGL-K-1", "same_municipality", "Die Heimatkommune Nauen gehört zum Konsortium.")
    ]
    [(_, _, data)] = events_since(before)
    assert data["detected"] == [
        {"juror": juror.pk, "proposal": proposal.pk, "rule": "same_municipality", "source": "detected"}
    ]


def test_remove_juror_removes_open_reviews_and_conflicts(places):  # type: ignore[no-untyped-def]
    call, proposal = _call_with_proposal(places)
    juror = JurySeatFactory(call=call)
    ReviewFactory(juror=juror, proposal=proposal, state=ReviewState.DRAFT)
    ConflictFactory(juror=juror, proposal=competing(call))
    before = last_sequence()

    services.remove_juror(juror, actor=StaffFactory(), now=LATER)

    assert not Juror.objects.filter(pk=juror.pk).exists()
    assert not Review.objects.filter(juror_id=juror.pk).exists()
    assert not ConflictOfInterest.objects.filter(juror_id=juror.pk).exists()
    assert actions_since(before) == ["reviews.juror_removed"]


def test_remove_juror_refused_after_a_submitted_review(places):  # type: ignore[no-untyped-def]
    call, proposal = _call_with_proposal(places)
    juror = JurySeatFactory(call=call)
    ReviewFactory(juror=juror, proposal=proposal, state=ReviewState.SUBMITTED, submitted_at=NOW)
    open_review = ReviewFactory(juror=juror, proposal=competing(call))
    before = last_sequence()
    with pytest.raises(JurorHasSubmittedReviews) as error:
        services.remove_juror(juror, actor=StaffFactory(), now=LATER)
    assert str(error.value) == (
        "Dieses Jurymitglied hat bereits ein Gutachten abgegeben und kann deshalb nicht mehr aus der Jury "
        "entfernt werden."
    )
    assert Review.objects.filter(pk=open_review.pk).exists() and Juror.objects.filter(pk=juror.pk).exists()
    assert actions_since(before) == []


# --- detection rules, one by one -----------------------------------------------------------------


def _settings(call, **rules):  # type: ignore[no-untyped-def]
    values = {
        "conflict_same_district": False,
        "conflict_same_organisation": False,
        "conflict_same_state": False,
    }
    values.update(rules)
    ReviewSettings.objects.create(call=call, updated_at=NOW, **values)


def test_detect_same_municipality_lead_and_further_always_on(places):  # type: ignore[no-untyped-def]
    call, _ = _call_with_proposal(places)
    _settings(call)
    JurySeatFactory(call=call, home_municipality=places["falkensee"])
    JurySeatFactory(call=call, home_municipality=places["nauen"])
    JurySeatFactory(call=call, home_municipality=places["rathenow"])  # same Kreis, rule off

    assert services.detect_conflicts(call, actor=StaffFactory(), now=LATER) == 2

    assert _detected(call) == [
        ("OGL-K-1", "same_municipality", "Die Heimatkommune Falkensee gehört zum Konsortium."),
        ("OGL-K-1", "same_municipality", "Die Heimatkommune Nauen gehört zum Konsortium."),
    ]


def test_detect_same_district_only_when_switched_on(places):  # type: ignore[no-untyped-def]
    call, _ = _call_with_proposal(places)
    _settings(call, conflict_same_district=True)
    JurySeatFactory(call=call, home_municipality=places["rathenow"])
    JurySeatFactory(call=call, home_municipality=places["werder"])  # other Kreis, same Land

    assert services.detect_conflicts(call, actor=StaffFactory(), now=LATER) == 1

    assert _detected(call) == [
        (
            "OGL-K-1",
            "same_district",
            "Die Heimatkommune Rathenow liegt im selben Kreis (Havelland) wie eine Kommune des Konsortiums.",
        )
    ]


def test_detect_same_organisation_case_and_whitespace_insensitive(places):  # type: ignore[no-untyped-def]
    call, _ = _call_with_proposal(places)
    _settings(call, conflict_same_organisation=True)
    JurySeatFactory(call=call, organisation="bürgerverein havelland   E. V.")
    JurySeatFactory(call=call, organisation="Bürgerverein Havelland")  # not the same name

    assert services.detect_conflicts(call, actor=StaffFactory(), now=LATER) == 1
    assert _detected(call) == [
        (
            "OGL-K-1",
            "same_organisation",
            "Die Organisation „bürgerverein havelland   E. V.“ ist Partner des Konsortiums.",
        )
    ]


def test_detect_same_organisation_off_finds_nothing(places):  # type: ignore[no-untyped-def]
    call, _ = _call_with_proposal(places)
    _settings(call)
    JurySeatFactory(call=call, organisation="Bürgerverein Havelland e. V.")
    before = last_sequence()
    assert services.detect_conflicts(call, actor=StaffFactory(), now=LATER) == 0
    assert actions_since(before) == []


def test_detect_same_state_by_home_land_or_municipality(places):  # type: ignore[no-untyped-def]
    call, _ = _call_with_proposal(places)
    _settings(call, conflict_same_state=True)
    JurySeatFactory(call=call, home_state=places["brandenburg"])
    JurySeatFactory(call=call, home_municipality=places["werder"])
    JurySeatFactory(call=call, home_municipality=places["waren"], home_state=places["mv"])

    assert services.detect_conflicts(call, actor=StaffFactory(), now=LATER) == 2
    assert [rule for _, rule, _ in _detected(call)] == ["same_state", "same_state"]
    assert (
        _detected(call)[0][2]
        == "Das Jurymitglied kommt aus demselben Land (Brandenburg) wie eine Kommune des Konsortiums."
    )


def test_detect_conflicts_is_idempotent_and_keeps_overridden_ones(places):  # type: ignore[no-untyped-def]
    call, proposal = _call_with_proposal(places)
    juror = JurySeatFactory(call=call, home_municipality=places["falkensee"])
    staff = StaffFactory()
    services.detect_conflicts(call, actor=staff, now=LATER)
    conflict = ConflictOfInterest.objects.get(juror=juror, proposal=proposal)
    services.override_conflict(conflict, reason="Wohnt seit Jahren nicht mehr dort.", actor=staff, now=LATER)
    before = last_sequence()

    assert services.detect_conflicts(call, actor=staff, now=LATER) == 0

    conflict.refresh_from_db()
    assert conflict.overridden_at == LATER
    assert ConflictOfInterest.objects.filter(juror__call=call).count() == 1
    assert actions_since(before) == []


def test_detect_conflicts_removes_an_unsubmitted_review_and_voids_a_submitted_one(places):  # type: ignore[no-untyped-def]
    call, proposal = _call_with_proposal(places)
    other = competing(call, lead_municipality=places["falkensee"])
    juror = JurySeatFactory(call=call, home_municipality=places["falkensee"])
    draft = ReviewFactory(juror=juror, proposal=proposal, state=ReviewState.DRAFT)
    submitted = ReviewFactory(juror=juror, proposal=other, state=ReviewState.SUBMITTED, submitted_at=NOW)
    before = last_sequence()

    assert services.detect_conflicts(call, actor=StaffFactory(), now=LATER) == 2

    assert not Review.objects.filter(pk=draft.pk).exists()
    assert Review.objects.filter(pk=submitted.pk).exists()
    assert list(queries.reviews_for_juror(juror)) == []
    [(action, target, data)] = events_since(before)
    assert (action, target, data["removed_reviews"]) == (
        "reviews.conflicts_detected",
        f"calls.call:{call.pk}",
        [draft.pk],
    )


def test_detect_conflicts_ignores_proposals_outside_the_competition(places):  # type: ignore[no-untyped-def]
    call = CallFactory()
    ProposalFactory(call=call, lead_municipality=places["falkensee"], state=ProposalState.ELIGIBLE)
    JurySeatFactory(call=call, home_municipality=places["falkensee"])
    assert services.detect_conflicts(call, actor=StaffFactory(), now=LATER) == 0


def test_detect_conflicts_refuses_a_juror():
    call = CallFactory()
    with pytest.raises(NotStaff):
        services.detect_conflicts(call, actor=JurorFactory(), now=LATER)


# --- declarations --------------------------------------------------------------------------------


def test_declare_conflicts_finishes_the_declaration_and_removes_an_unsubmitted_review(places):  # type: ignore[no-untyped-def]
    call, proposal = _call_with_proposal(places)
    other = competing(call, reference="OGL-K-2")
    juror = JurySeatFactory(call=call, conflicts_declared_at=None)
    review = ReviewFactory(juror=juror, proposal=other)
    before = last_sequence()

    declared = services.declare_conflicts(
        juror, conflicts={other: "  Ich berate die Gemeinde.  "}, actor=juror.user, now=LATER
    )

    juror.refresh_from_db()
    assert juror.conflicts_declared_at == LATER
    assert [(c.proposal_id, c.source, c.reason, c.rule) for c in declared] == [
        (other.pk, "declared", "Ich berate die Gemeinde.", "")
    ]
    assert not Review.objects.filter(pk=review.pk).exists()
    assert events_since(before) == [
        (
            "reviews.conflicts_declared",
            f"reviews.juror:{juror.pk}",
            {"call": call.pk, "first": True, "proposals": [other.pk], "removed_reviews": [review.pk]},
        )
    ]
    assert queries.declared_conflicts(juror) == {other.pk: "Ich berate die Gemeinde."}
    assert proposal.pk not in queries.conflicted_proposal_ids(juror.user)


def test_declare_no_conflicts_finishes_once_and_a_repeat_records_nothing(places):  # type: ignore[no-untyped-def]
    call, _ = _call_with_proposal(places)
    juror = JurySeatFactory(call=call, conflicts_declared_at=None)
    before = last_sequence()
    assert services.declare_conflicts(juror, conflicts={}, actor=juror.user, now=LATER) == []
    assert (
        services.declare_conflicts(juror, conflicts={}, actor=juror.user, now=LATER + dt.timedelta(days=1))
        == []
    )
    juror.refresh_from_db()
    assert juror.conflicts_declared_at == LATER
    assert actions_since(before) == ["reviews.conflicts_declared"]


def test_declare_conflicts_refuses_without_reason_outside_the_competition_or_for_someone_else(places):  # type: ignore[no-untyped-def]
    call, proposal = _call_with_proposal(places)
    juror = JurySeatFactory(call=call, conflicts_declared_at=None)
    eligible = ProposalFactory(call=call, reference="OGL-K-9", state=ProposalState.ELIGIBLE)
    foreign = competing(CallFactory(), reference="OGL-X-1")
    before = last_sequence()

    with pytest.raises(ConflictReasonMissing) as error:
        services.declare_conflicts(juror, conflicts={proposal: " "}, actor=juror.user, now=LATER)
    assert (
        str(error.value)
        == "Bitte begründen Sie jede Befangenheit kurz. Es fehlt eine Begründung für: OGL-K-1."
    )
    with pytest.raises(ProposalNotInCompetition) as error:
        services.declare_conflicts(juror, conflicts={eligible: "Grund"}, actor=juror.user, now=LATER)
    assert (
        str(error.value) == "Die Interessenbekundung OGL-K-9 ist nicht im Teilnahmewettbewerb dieses Aufrufs."
    )
    with pytest.raises(ProposalNotInCompetition):
        services.declare_conflicts(juror, conflicts={foreign: "Grund"}, actor=juror.user, now=LATER)
    with pytest.raises(NotYourSeat):
        services.declare_conflicts(juror, conflicts={proposal: "Grund"}, actor=StaffFactory(), now=LATER)

    juror.refresh_from_db()
    assert juror.conflicts_declared_at is None
    assert not ConflictOfInterest.objects.filter(juror=juror).exists()
    assert actions_since(before) == []


def test_declaring_a_detected_conflict_makes_it_declared_and_lifts_an_override(places):  # type: ignore[no-untyped-def]
    call, proposal = _call_with_proposal(places)
    staff = StaffFactory()
    juror = _add(call, home_municipality=places["falkensee"])
    conflict = ConflictOfInterest.objects.get(juror=juror)
    services.override_conflict(conflict, reason="Umgezogen.", actor=staff, now=LATER)

    services.declare_conflicts(
        juror, conflicts={proposal: "Ich bin doch befangen."}, actor=juror.user, now=LATER
    )

    conflict.refresh_from_db()
    assert (
        conflict.source,
        conflict.rule,
        conflict.reason,
        conflict.overridden_at,
        conflict.override_reason,
    ) == (
        "declared",
        "same_municipality",
        "Ich bin doch befangen.",
        None,
        "",
    )
    assert queries.is_conflicted(juror.user, proposal) is True


# --- overrides -----------------------------------------------------------------------------------


def test_override_conflict_needs_a_reason_and_staff_and_records_one_event(places):  # type: ignore[no-untyped-def]
    call, proposal = _call_with_proposal(places)
    juror = _add(call, home_municipality=places["nauen"])
    conflict = ConflictOfInterest.objects.get(juror=juror)
    staff = StaffFactory()
    before = last_sequence()

    with pytest.raises(OverrideReasonMissing):
        services.override_conflict(conflict, reason="  ", actor=staff, now=LATER)
    with pytest.raises(NotStaff):
        services.override_conflict(conflict, reason="Grund", actor=juror.user, now=LATER)
    conflict.refresh_from_db()
    assert conflict.overridden_at is None
    assert actions_since(before) == []

    services.override_conflict(conflict, reason=" Nur Zweitwohnsitz. ", actor=staff, now=LATER)

    conflict.refresh_from_db()
    assert (conflict.overridden_at, conflict.overridden_by, conflict.override_reason) == (
        LATER,
        staff,
        "Nur Zweitwohnsitz.",
    )
    assert queries.is_conflicted(juror.user, proposal) is False
    assert events_since(before) == [
        (
            "reviews.conflict_overridden",
            f"reviews.conflictofinterest:{conflict.pk}",
            {
                "juror": juror.pk,
                "proposal": proposal.pk,
                "rule": "same_municipality",
                "reason": "Nur Zweitwohnsitz.",
            },
        )
    ]
    with pytest.raises(OverrideNotAllowed) as error:
        services.override_conflict(conflict, reason="Nochmal", actor=staff, now=LATER)
    assert str(error.value) == "Diese Befangenheit ist bereits aufgehoben."


def test_override_conflict_never_for_a_declared_one(places):  # type: ignore[no-untyped-def]
    call, proposal = _call_with_proposal(places)
    conflict = ConflictFactory(juror=JurySeatFactory(call=call), proposal=proposal)
    before = last_sequence()
    with pytest.raises(OverrideNotAllowed) as error:
        services.override_conflict(conflict, reason="Grund", actor=StaffFactory(), now=LATER)
    assert str(error.value).startswith("Eine selbst erklärte Befangenheit kann nicht aufgehoben werden")
    conflict.refresh_from_db()
    assert conflict.overridden_at is None
    assert actions_since(before) == []
