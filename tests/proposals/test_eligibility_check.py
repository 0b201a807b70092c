"""The formal check: a decision with its reason, the mail to the consortium, four-eyes, one audit
event per transition, and refusals that change nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from oglabs.audit.chain import verify_chain
from oglabs.audit.models import AuditEvent
from oglabs.audit.queries import chain_entries
from oglabs.mail.models import OutboxMail
from oglabs.proposals import checks, queries, services
from oglabs.proposals.exceptions import InvalidContent
from oglabs.proposals.models import (
    CheckStatus,
    ConsortiumMember,
    EligibilityCheck,
    EligibilityDecision,
    Proposal,
    ProposalMail,
    ProposalMailKind,
)
from oglabs.proposals.states import ProposalState
from tests.factories.accounts import StaffFactory, UserFactory
from tests.factories.proposals import BERLIN, CallFactory
from tests.factories.submitted import draft_meeting_every_rule, submitted_proposal

pytestmark = pytest.mark.django_db

CHECKED_AT = dt.datetime(2019, 11, 5, 10, 0, tzinfo=BERLIN)
CONFIRMED_AT = dt.datetime(2019, 11, 6, 9, 30, tzinfo=BERLIN)
REASON = "Die federführende Kommune ist kein Landkreis, keine Stadt und keine Gemeinde."


def _decision_mails() -> list[OutboxMail]:
    return list(OutboxMail.objects.filter(kind=ProposalMailKind.ELIGIBILITY_DECISION).order_by("pk"))


def _last_sequence() -> int:
    return AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0


def _events_since(sequence: int) -> list[tuple[str, str, dict]]:  # type: ignore[type-arg]
    """(action, target, data) of every audit event after ``sequence``, in order."""
    return [
        (action, f"{target_type}:{target_id}", data)
        for action, target_type, target_id, data in AuditEvent.objects.filter(sequence__gt=sequence)
        .order_by("sequence")
        .values_list("action", "target_type", "target_id", "data")
    ]


def _actions_since(sequence: int) -> list[str]:
    return [action for action, _, _ in _events_since(sequence)]


def test_decide_eligibility_without_four_eyes_transitions_mails_and_audits_once():
    call = CallFactory(eligibility_four_eyes=False)
    lead = UserFactory(email="lead@falkensee.example")
    proposal = submitted_proposal(call, lead)
    ConsortiumMember.objects.create(
        proposal=proposal, user=UserFactory(email="b@nauen.example"), joined_at=CHECKED_AT
    )
    staff = StaffFactory()
    before = _last_sequence()

    check = services.decide_eligibility(
        proposal, actor=staff, decision="ineligible", reason=f"  {REASON}\n", now=CHECKED_AT
    )

    proposal.refresh_from_db()
    assert proposal.state == ProposalState.INELIGIBLE
    assert (check.status, check.decision, check.reason, check.four_eyes) == (
        CheckStatus.CONFIRMED,
        EligibilityDecision.INELIGIBLE,
        REASON,
        False,
    )
    assert check.confirmed_by is None
    assert [item["code"] for item in check.findings] == [
        "lead",
        "municipalities",
        "civil_society",
        "tasks",
        "cost_estimate",
        "texts",
    ]
    assert all(item["met"] for item in check.findings)
    events = _events_since(before)
    assert [(action, target) for action, target, _ in events] == [
        ("proposal.ineligible", f"proposals.proposal:{proposal.pk}")
    ]
    assert events[0][2] == {
        "from": "submitted",
        "to": "ineligible",
        "reason": REASON,
        "check": check.pk,
        "decision": "ineligible",
        "four_eyes": False,
    }
    [mail] = _decision_mails()
    assert mail.to == ["b@nauen.example", "lead@falkensee.example"]
    assert mail.subject == f"Formale Prüfung: {proposal.reference} ist nicht förderfähig"
    assert REASON in mail.body
    assert "nicht förderfähig und nimmt nicht weiter am Verfahren teil" in mail.body
    assert list(ProposalMail.objects.filter(mail=mail).values_list("proposal_id", "kind")) == [
        (proposal.pk, ProposalMailKind.ELIGIBILITY_DECISION.value)
    ]
    assert verify_chain(chain_entries()) is None


def test_decide_eligibility_eligible_without_reason_is_allowed():
    proposal = submitted_proposal(CallFactory())
    check = services.decide_eligibility(
        proposal, actor=StaffFactory(), decision="eligible", reason="", now=CHECKED_AT
    )
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.ELIGIBLE
    assert check.reason == ""
    [mail] = _decision_mails()
    assert mail.subject == f"Formale Prüfung: {proposal.reference} ist förderfähig"
    assert "Begründung" not in mail.body


def test_decide_eligibility_ineligible_without_reason_is_refused_and_changes_nothing():
    proposal = submitted_proposal(CallFactory())
    events_before = AuditEvent.objects.count()
    with pytest.raises(InvalidContent) as refused:
        services.decide_eligibility(
            proposal, actor=StaffFactory(), decision="ineligible", reason="  ", now=CHECKED_AT
        )
    assert refused.value.errors == {
        "reason": ["Bitte begründen Sie, warum die Interessenbekundung nicht förderfähig ist."]
    }
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.SUBMITTED
    assert EligibilityCheck.objects.count() == 0
    assert AuditEvent.objects.count() == events_before
    assert _decision_mails() == []


@pytest.mark.parametrize("state", [ProposalState.DRAFT, ProposalState.ELIGIBLE, ProposalState.WITHDRAWN])
def test_decide_eligibility_outside_submitted_is_refused_and_changes_nothing(state):
    call = CallFactory()
    proposal = draft_meeting_every_rule(call)
    Proposal.objects.filter(pk=proposal.pk).update(state=state)
    events_before = AuditEvent.objects.count()
    mails_before = OutboxMail.objects.count()
    with pytest.raises(services.NotAwaitingCheck) as refused:
        services.decide_eligibility(
            proposal, actor=StaffFactory(), decision="eligible", reason="", now=CHECKED_AT
        )
    assert str(refused.value) == (
        f"Die Interessenbekundung ist im Status „{ProposalState(state).label}“. Formal geprüft werden nur "
        "eingereichte Interessenbekundungen."
    )
    proposal.refresh_from_db()
    assert proposal.state == state
    assert EligibilityCheck.objects.count() == 0
    assert AuditEvent.objects.count() == events_before
    assert OutboxMail.objects.count() == mails_before


def test_four_eyes_decision_waits_for_a_second_staff_member():
    call = CallFactory(eligibility_four_eyes=True)
    proposal = submitted_proposal(call, UserFactory(email="lead@falkensee.example"))
    first, second = StaffFactory(), StaffFactory()
    before = _last_sequence()

    check = services.decide_eligibility(
        proposal, actor=first, decision="eligible", reason="Alles da.", now=CHECKED_AT
    )

    proposal.refresh_from_db()
    assert proposal.state == ProposalState.SUBMITTED
    assert (check.status, check.four_eyes) == (CheckStatus.PROPOSED, True)
    assert _actions_since(before) == ["proposal.eligibility_proposed"]
    assert _decision_mails() == []
    assert checks.pending_check(proposal) == check

    confirmed = services.confirm_eligibility(check, actor=second, now=CONFIRMED_AT)

    proposal.refresh_from_db()
    assert proposal.state == ProposalState.ELIGIBLE
    assert (confirmed.status, confirmed.confirmed_by, confirmed.confirmed_at) == (
        CheckStatus.CONFIRMED,
        second,
        CONFIRMED_AT,
    )
    events = _events_since(before)
    assert [action for action, _, _ in events] == ["proposal.eligibility_proposed", "proposal.eligible"]
    assert events[1][2]["decided_by"] == first.pk
    [mail] = _decision_mails()
    assert mail.to == ["lead@falkensee.example"]
    assert "Alles da." in mail.body
    assert checks.pending_check(proposal) is None
    assert verify_chain(chain_entries()) is None


def test_four_eyes_confirmation_by_the_same_person_is_refused():
    proposal = submitted_proposal(CallFactory(eligibility_four_eyes=True))
    staff = StaffFactory()
    check = services.decide_eligibility(
        proposal, actor=staff, decision="ineligible", reason=REASON, now=CHECKED_AT
    )
    events_before = AuditEvent.objects.count()

    with pytest.raises(services.SecondPersonRequired) as refused:
        services.confirm_eligibility(check, actor=staff, now=CONFIRMED_AT)
    with pytest.raises(services.SecondPersonRequired):
        services.reject_eligibility_proposal(check, actor=staff, reason="Doch nicht.", now=CONFIRMED_AT)

    assert str(refused.value).startswith("Für diesen Aufruf gilt das Vier-Augen-Prinzip")
    proposal.refresh_from_db()
    check.refresh_from_db()
    assert proposal.state == ProposalState.SUBMITTED
    assert check.status == CheckStatus.PROPOSED
    assert AuditEvent.objects.count() == events_before
    assert _decision_mails() == []


def test_four_eyes_rejection_sends_the_decision_back_for_a_new_one():
    proposal = submitted_proposal(CallFactory(eligibility_four_eyes=True))
    first, second = StaffFactory(), StaffFactory()
    before = _last_sequence()
    check = services.decide_eligibility(
        proposal, actor=first, decision="ineligible", reason=REASON, now=CHECKED_AT
    )

    rejected = services.reject_eligibility_proposal(
        check, actor=second, reason="Der Träger ist eine Stadt.", now=CONFIRMED_AT
    )

    proposal.refresh_from_db()
    assert proposal.state == ProposalState.SUBMITTED
    assert (rejected.status, rejected.rejected_by, rejected.rejection_reason) == (
        CheckStatus.REJECTED,
        second,
        "Der Träger ist eine Stadt.",
    )
    assert _actions_since(before) == [
        "proposal.eligibility_proposed",
        "proposal.eligibility_rejected",
    ]
    assert _decision_mails() == []
    with pytest.raises(services.CheckNotPending):
        services.confirm_eligibility(rejected, actor=second, now=CONFIRMED_AT)

    again = services.decide_eligibility(
        proposal, actor=second, decision="eligible", reason="", now=CONFIRMED_AT
    )
    services.confirm_eligibility(again, actor=first, now=CONFIRMED_AT)
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.ELIGIBLE
    assert [check.status for check in checks.checks_of(proposal)] == [
        CheckStatus.CONFIRMED,
        CheckStatus.REJECTED,
    ]


def test_four_eyes_second_proposal_while_one_waits_is_refused():
    proposal = submitted_proposal(CallFactory(eligibility_four_eyes=True))
    services.decide_eligibility(
        proposal, actor=StaffFactory(), decision="eligible", reason="", now=CHECKED_AT
    )
    with pytest.raises(services.ConfirmationPending):
        services.decide_eligibility(
            proposal, actor=StaffFactory(), decision="ineligible", reason=REASON, now=CHECKED_AT
        )
    assert EligibilityCheck.objects.filter(proposal=proposal).count() == 1


def test_reject_eligibility_proposal_requires_a_reason():
    proposal = submitted_proposal(CallFactory(eligibility_four_eyes=True))
    check = services.decide_eligibility(
        proposal, actor=StaffFactory(), decision="eligible", reason="", now=CHECKED_AT
    )
    with pytest.raises(InvalidContent):
        services.reject_eligibility_proposal(check, actor=StaffFactory(), reason=" ", now=CONFIRMED_AT)
    check.refresh_from_db()
    assert check.status == CheckStatus.PROPOSED


def test_findings_for_reports_an_unmet_rule():
    call = CallFactory()
    proposal = submitted_proposal(call)
    proposal.partners.update(kind="science")  # as if the rows had been changed behind the service's back
    findings = {finding.code: finding for finding in checks.findings_for(proposal)}
    assert findings["civil_society"].met is False
    assert findings["civil_society"].message == (
        "Es sind 0 zivilgesellschaftliche(r) Partner angegeben; erforderlich sind mindestens 1."
    )


def test_check_queue_splits_to_decide_and_to_confirm_in_three_queries(django_assert_num_queries):
    call = CallFactory(eligibility_four_eyes=True)
    first = submitted_proposal(call, name="Falkensee")
    second = submitted_proposal(call, name="Nauen")
    third = submitted_proposal(call, name="Rathenow")
    staff = StaffFactory()
    services.decide_eligibility(second, actor=staff, decision="eligible", reason="", now=CHECKED_AT)
    services.confirm_eligibility(
        services.decide_eligibility(third, actor=staff, decision="ineligible", reason=REASON, now=CHECKED_AT),
        actor=StaffFactory(),
        now=CONFIRMED_AT,
    )
    with django_assert_num_queries(3):
        queue = checks.check_queue(call)
        assert [proposal.pk for proposal in queue.to_decide] == [first.pk]
        assert [proposal.pk for proposal in queue.to_confirm] == [second.pk]
        assert queue.to_confirm[0].pending[0].decided_by == staff
    assert (queue.eligible, queue.ineligible) == (0, 1)


def test_receipt_and_decision_are_in_the_proposals_mail_history():
    proposal = submitted_proposal(CallFactory())
    services.decide_eligibility(
        proposal, actor=StaffFactory(), decision="eligible", reason="", now=CHECKED_AT
    )
    assert [(item.kind, item.mail.kind) for item in queries.mails_of(proposal)] == [
        ("proposal:eligibility_decision", "proposal:eligibility_decision"),
        ("proposal:receipt", "proposal:receipt"),
    ]
