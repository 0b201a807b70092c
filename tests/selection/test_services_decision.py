"""The decision (entries, transitions with one audit event each, mails; refusals change nothing)
and moving up from the waitlist when a selected lab withdraws."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from oglabs.audit.models import AuditEvent
from oglabs.mail.models import OutboxMail
from oglabs.proposals.models import Proposal, ProposalMail
from oglabs.proposals.states import ProposalState
from oglabs.reviews.models import Score
from oglabs.selection import services
from oglabs.selection.exceptions import (
    AlreadyDecided,
    NoDecision,
    NotSelectedLab,
    ReasonsMissing,
    RunNotProven,
    RunOutdated,
    WithdrawalReasonMissing,
)
from oglabs.selection.models import Decision, DecisionEntry, MoveUp, SelectionRun
from tests.factories.proposals import NOW
from tests.selection.competition import competition, spec, staff

pytestmark = pytest.mark.django_db

LATER = NOW + dt.timedelta(days=1)
DECIDED = NOW + dt.timedelta(days=2)
WITHDRAWN = NOW + dt.timedelta(days=30)

# Optimum for 300k: A, B, D (score 230, 290k); waitlist C (70, 120k), E (50, 60k).
FIVE = [
    spec("A", 90, 150000),
    spec("B", 80, 100000),
    spec("C", 70, 120000),
    spec("D", 60, 40000),
    spec("E", 50, 60000),
]


def _states(proposals: list[Proposal]) -> list[str]:
    return [Proposal.objects.get(pk=p.pk).state for p in proposals]


def _reasons(proposals: list[Proposal]) -> dict[int, str]:
    return {p.pk: f"Begründung für {p.title}." for p in proposals}


def _decided(specs=FIVE, **rules):  # type: ignore[no-untyped-def]
    call, proposals = competition(specs)
    arguments = {"budget": Decimal("300000"), "max_labs": 16, **rules}
    run = services.run_selection(call, actor=staff(), now=LATER, **arguments)
    decision = services.decide(run, reasons=_reasons(proposals), actor=staff(), now=DECIDED)
    return call, proposals, run, decision


def test_decide_writes_entries_transitions_one_event_each_and_mails():
    call, proposals = competition(FIVE)
    a, b, c, d, e = proposals
    run = services.run_selection(call, budget=Decimal("300000"), max_labs=16, actor=staff(), now=LATER)
    actor = staff()
    events = AuditEvent.objects.count()
    mails = OutboxMail.objects.count()
    decision = services.decide(run, reasons=_reasons(proposals), actor=actor, now=DECIDED)
    assert (decision.call, decision.run, decision.decided_by, decision.decided_at) == (
        call,
        run,
        actor,
        DECIDED,
    )
    assert _states(proposals) == ["selected", "selected", "waitlisted", "selected", "waitlisted"]
    entries = list(DecisionEntry.objects.filter(decision=decision).order_by("rank"))
    assert [
        (x.proposal_id, x.outcome, x.rank, x.score, x.requested_amount, x.granted_amount, x.waitlist_position)
        for x in entries
    ] == [
        (a.pk, "selected", 1, Decimal("90"), Decimal("150000"), Decimal("150000"), None),
        (b.pk, "selected", 2, Decimal("80"), Decimal("100000"), Decimal("100000"), None),
        (c.pk, "waitlisted", 3, Decimal("70"), Decimal("120000"), Decimal("0"), 1),
        (d.pk, "selected", 4, Decimal("60"), Decimal("40000"), Decimal("40000"), None),
        (e.pk, "waitlisted", 5, Decimal("50"), Decimal("60000"), Decimal("0"), 2),
    ]
    assert entries[2].reason == "Begründung für Labor C."
    assert entries[2].explanation.startswith(
        "Das Budget war ausgeschöpft: Mit dieser Interessenbekundung wäre die Summe um 110.000,00 € überschritten worden."
    )
    # One event per transition, plus the decision.
    new = list(AuditEvent.objects.filter(sequence__gt=0).order_by("sequence"))[events:]
    assert [(x.action, x.target_id) for x in new] == [
        ("proposal.selected", str(a.pk)),
        ("proposal.selected", str(b.pk)),
        ("proposal.waitlisted", str(c.pk)),
        ("proposal.selected", str(d.pk)),
        ("proposal.waitlisted", str(e.pk)),
        ("selection.decided", str(decision.pk)),
    ]
    assert new[2].data["reason"] == "Begründung für Labor C."
    assert new[2].data["waitlist_position"] == 1
    assert new[-1].data["selected"] == 3
    assert all(x.actor == actor for x in new)
    # One mail per consortium, in its mail history.
    sent = list(OutboxMail.objects.order_by("pk"))[mails:]
    assert [m.kind for m in sent] == ["selection:decision"] * 5
    assert ProposalMail.objects.filter(kind="selection:decision").count() == 5
    mail_a = ProposalMail.objects.get(proposal=a, kind="selection:decision").mail
    assert mail_a.subject == f"Förderentscheidung: {a.reference} ist ausgewählt"
    assert "Gefördert werden kann es mit dem beantragten Betrag von 150.000,00 €." in mail_a.body
    assert "Begründung für Labor A." in mail_a.body
    mail_c = ProposalMail.objects.get(proposal=c, kind="selection:decision").mail
    assert mail_c.subject == f"Förderentscheidung: {c.reference} steht auf der Nachrückliste"
    assert "steht aber auf Platz 1 der Nachrückliste" in mail_c.body
    member = a.members.get().user.email
    assert mail_a.to == [member]


def test_decide_sends_not_selected_for_excluded_and_ineligible_proposals():
    call, proposals = competition([spec("A", 90, 100000), spec("B", 10, 100000), spec("C", 80, 400000)])
    run = services.run_selection(
        call, budget=Decimal("300000"), max_labs=16, min_score=Decimal("20"), actor=staff(), now=LATER
    )
    services.decide(run, reasons=_reasons(proposals), actor=staff(), now=DECIDED)
    assert _states(proposals) == ["selected", "not_selected", "not_selected"]
    entry = DecisionEntry.objects.get(proposal=proposals[2])
    assert (
        entry.explanation == "Der beantragte Betrag von 400.000,00 € übersteigt das Budget von 300.000,00 €."
    )
    mail = ProposalMail.objects.get(proposal=proposals[1], kind="selection:decision").mail
    assert "Ergebnis: Ihre Interessenbekundung ist nicht ausgewählt." in mail.body


def _unchanged(proposals, events, mails):  # type: ignore[no-untyped-def]
    assert _states(proposals) == ["in_competition"] * len(proposals)
    assert Decision.objects.count() == 0
    assert DecisionEntry.objects.count() == 0
    assert AuditEvent.objects.count() == events
    assert OutboxMail.objects.count() == mails


def test_decide_without_a_reason_for_every_proposal_changes_nothing():
    call, proposals = competition(FIVE)
    run = services.run_selection(call, budget=Decimal("300000"), max_labs=16, actor=staff(), now=LATER)
    events, mails = AuditEvent.objects.count(), OutboxMail.objects.count()
    reasons = _reasons(proposals)
    reasons[proposals[1].pk] = "   "
    del reasons[proposals[3].pk]
    with pytest.raises(ReasonsMissing) as refused:
        services.decide(run, reasons=reasons, actor=staff(), now=DECIDED)
    assert refused.value.missing == [proposals[1].pk, proposals[3].pk]
    assert (
        str(refused.value)
        == "Bitte geben Sie für jede Interessenbekundung eine Begründung an (fehlt für 2 Interessenbekundungen)."
    )
    _unchanged(proposals, events, mails)


def test_decide_on_an_outdated_run_changes_nothing():
    call, proposals = competition(FIVE)
    run = services.run_selection(call, budget=Decimal("300000"), max_labs=16, actor=staff(), now=LATER)
    Score.objects.filter(review__proposal=proposals[4]).update(value=95)
    events, mails = AuditEvent.objects.count(), OutboxMail.objects.count()
    with pytest.raises(RunOutdated) as refused:
        services.decide(run, reasons=_reasons(proposals), actor=staff(), now=DECIDED)
    assert "(eine Interessenbekundung)" in str(refused.value)
    _unchanged(proposals, events, mails)


def test_decide_on_a_run_that_is_not_proven_changes_nothing():
    call, proposals = competition(FIVE)
    run = services.run_selection(call, budget=Decimal("300000"), max_labs=16, actor=staff(), now=LATER)
    SelectionRun.objects.filter(pk=run.pk).update(status="not_proven")
    run.refresh_from_db()
    events, mails = AuditEvent.objects.count(), OutboxMail.objects.count()
    with pytest.raises(RunNotProven):
        services.decide(run, reasons=_reasons(proposals), actor=staff(), now=DECIDED)
    _unchanged(proposals, events, mails)


def test_a_second_decision_is_refused_and_changes_nothing():
    _call, proposals, run, decision = _decided()
    events, mails = AuditEvent.objects.count(), OutboxMail.objects.count()
    with pytest.raises(AlreadyDecided):
        services.decide(run, reasons=_reasons(proposals), actor=staff(), now=DECIDED)
    assert Decision.objects.get() == decision
    assert DecisionEntry.objects.count() == 5
    assert (AuditEvent.objects.count(), OutboxMail.objects.count()) == (events, mails)


# --- moving up ---------------------------------------------------------------------------------------


def test_the_first_waitlisted_that_fits_moves_up_and_the_one_skipped_is_explained():
    _call, proposals, _run, decision = _decided()
    _a, b, c, _d, e = proposals
    actor = staff()
    events, mails = AuditEvent.objects.count(), OutboxMail.objects.count()
    move_up = services.withdraw_selected_lab(
        b, reason="Der Kreistag stimmt nicht zu.", actor=actor, now=WITHDRAWN
    )
    assert _states(proposals) == ["selected", "withdrawn", "waitlisted", "selected", "selected"]
    assert (move_up.decision, move_up.withdrawn, move_up.moved_up, move_up.granted_amount) == (
        decision,
        b,
        e,
        Decimal("60000"),
    )
    assert move_up.explanation == (
        f"{b.reference} „Labor B“ ist zurückgetreten; frei werden 100.000,00 €, verfügbar sind damit "
        f"110.000,00 €. Nachgerückt ist Platz 2, {e.reference} „Labor E“, mit 60.000,00 €. Übersprungen: "
        f"Platz 1, {c.reference} „Labor C“: passt nicht in das verbleibende Budget von 110.000,00 € "
        "(beantragt: 120.000,00 €)."
    )
    b.refresh_from_db()
    assert b.withdrawn_reason == "Der Kreistag stimmt nicht zu."
    new = list(AuditEvent.objects.order_by("sequence"))[events:]
    assert [(x.action, x.target_id) for x in new] == [
        ("proposal.withdrawn", str(b.pk)),
        ("proposal.selected", str(e.pk)),
        ("selection.moved_up", str(move_up.pk)),
    ]
    assert new[1].data["from"] == "waitlisted"
    assert new[2].data["moved_up"] == e.reference
    sent = list(OutboxMail.objects.order_by("pk"))[mails:]
    assert [m.kind for m in sent] == ["selection:withdrawal", "selection:move_up"]
    assert sent[1].subject == f"Nachgerückt: {e.reference} ist ausgewählt"
    assert "mit dem beantragten Betrag von 60.000,00 €" in sent[1].body
    assert sent[1].to == [e.members.get().user.email]


def test_a_second_withdrawal_counts_the_lab_that_moved_up():
    _call, proposals, _run, _decision = _decided()
    a, b, c, _d, e = proposals
    services.withdraw_selected_lab(b, reason="Kein Ratsbeschluss.", actor=staff(), now=WITHDRAWN)
    # Now A 150k, D 40k, E 60k are funded: A leaving frees 150k, 250k - 100k = 150k... left 200k.
    second = services.withdraw_selected_lab(a, reason="Fusion der Gemeinden.", actor=staff(), now=WITHDRAWN)
    assert second.moved_up == c
    assert second.granted_amount == Decimal("120000")
    assert "verfügbar sind damit 200.000,00 €" in second.explanation
    assert "Übersprungen" not in second.explanation
    assert _states(proposals) == ["withdrawn", "withdrawn", "selected", "selected", "selected"]
    # The lab that moved up can withdraw in turn; nobody is left to move up.
    third = services.withdraw_selected_lab(e, reason="Personalmangel.", actor=staff(), now=WITHDRAWN)
    assert third.moved_up is None
    assert third.granted_amount == 0
    assert "Niemand auf der Nachrückliste passt" in third.explanation
    assert (
        f"Platz 1, {c.reference} „Labor C“: nicht mehr auf der Nachrückliste (ausgewählt)"
        in third.explanation
    )


def test_move_up_respects_the_per_land_cap_and_the_rural_share():
    specs = [
        spec("A", 90, 100000, state="12", rural=False),
        spec("B", 85, 100000, state="13"),
        spec("C", 80, 100000, state="12"),  # waitlist 1: would be the second in Brandenburg
        spec("D", 75, 100000, state="14", rural=False),  # waitlist 2: rural share 1/2 would break
        spec("E", 70, 100000, state="15"),  # waitlist 3: fits
    ]
    _call, proposals, _run, _decision = _decided(
        specs, budget=Decimal("200000"), max_per_state=1, rural_min_share=Decimal("0.5")
    )
    _a, b, c, d, e = proposals
    assert _states(proposals) == ["selected", "selected", "waitlisted", "waitlisted", "waitlisted"]
    move_up = services.withdraw_selected_lab(b, reason="Rückzug.", actor=staff(), now=WITHDRAWN)
    assert move_up.moved_up == e
    assert (
        f"Platz 1, {c.reference} „Labor C“: die Höchstzahl von 1 Laboren je Land wäre in Brandenburg überschritten"
        in move_up.explanation
    )
    assert (
        f"Platz 2, {d.reference} „Labor D“: der Mindestanteil ländlicher Labore von 50 % wäre unterschritten"
        in move_up.explanation
    )


def test_move_up_with_partial_funding_grants_what_is_left():
    # With 90 % at least, A and B take the budget (C's 99.000 € minimum does not fit beside them).
    specs = [spec("A", 90, 200000), spec("B", 80, 100000), spec("C", 70, 110000)]
    _call, proposals, _run, _decision = _decided(
        specs, budget=Decimal("300000"), partial_min_share=Decimal("0.9")
    )
    _a, b, c = proposals
    assert _states(proposals) == ["selected", "selected", "waitlisted"]
    move_up = services.withdraw_selected_lab(b, reason="Rückzug.", actor=staff(), now=WITHDRAWN)
    assert (move_up.moved_up, move_up.granted_amount) == (c, Decimal("100000"))
    assert "mit 100.000,00 € (gekürzt von 110.000,00 €)." in move_up.explanation
    mail = ProposalMail.objects.get(proposal=c, kind="selection:move_up").mail
    assert "Gefördert werden kann Ihr Labor mit 100.000,00 € (beantragt: 110.000,00 €)" in mail.body


def test_withdrawing_a_lab_that_is_not_selected_changes_nothing():
    _call, proposals, _run, _decision = _decided()
    events, mails = AuditEvent.objects.count(), OutboxMail.objects.count()
    with pytest.raises(NotSelectedLab) as refused:
        services.withdraw_selected_lab(proposals[2], reason="Rückzug.", actor=staff(), now=WITHDRAWN)
    assert "„Nachrückliste“" in str(refused.value)
    with pytest.raises(WithdrawalReasonMissing):
        services.withdraw_selected_lab(proposals[0], reason="  ", actor=staff(), now=WITHDRAWN)
    assert _states(proposals) == ["selected", "selected", "waitlisted", "selected", "waitlisted"]
    assert MoveUp.objects.count() == 0
    assert (AuditEvent.objects.count(), OutboxMail.objects.count()) == (events, mails)


def test_a_lab_selected_without_a_decision_has_no_waitlist():
    _call, (proposal,) = competition([spec("A", 90, 1000)])
    Proposal.objects.filter(pk=proposal.pk).update(state=ProposalState.SELECTED)
    events = AuditEvent.objects.count()
    with pytest.raises(NoDecision):
        services.withdraw_selected_lab(proposal, reason="Rückzug.", actor=staff(), now=WITHDRAWN)
    assert Proposal.objects.get(pk=proposal.pk).state == "selected"
    assert AuditEvent.objects.count() == events
