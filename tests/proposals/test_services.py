"""The applicant's write path: start, edit by section, concurrent edits, submit, withdraw."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from oglabs.audit.models import AuditEvent
from oglabs.proposals import queries, services
from oglabs.proposals.exceptions import (
    CallClosed,
    EditConflict,
    InvalidContent,
    NotEditable,
    ProposalNotFound,
    SubmissionRefused,
    TransitionNotAllowed,
)
from oglabs.proposals.hashing import version_hash
from oglabs.proposals.models import Proposal, ProposalVersion
from oglabs.proposals.states import ProposalState
from tests.factories.accounts import UserFactory
from tests.factories.proposals import DEADLINE, NOW, CallFactory, MunicipalityFactory

pytestmark = pytest.mark.django_db


def _complete(proposal: Proposal, user) -> Proposal:  # type: ignore[no-untyped-def]
    partner_town = MunicipalityFactory(name="Nauen")
    steps = [
        (
            "general",
            {
                "title": "Offenes Havelland",
                "region": "Ländlicher Raum westlich von Berlin.",
                "lab_form": "both",
                "moderation": "Eine neutrale Moderation, ein Beirat, ein Schlichtungsverfahren.",
                "challenges": ["strukturwandel", "digitalisierung"],
                "own_contribution": "10000.00",
                "state_contribution": "5000.50",
            },
        ),
        ("municipalities", {"lead": proposal.lead_municipality.ars, "further": [partner_town.ars]}),
        (
            "partners",
            [
                {
                    "kind": "civil_society",
                    "name": "Bürgerverein Havelland e. V.",
                    "role_in_lab": "Beteiligung",
                },
                {"kind": "science", "name": "Fachhochschule Potsdam", "role_in_lab": "Evaluation"},
            ],
        ),
        (
            "tasks",
            [
                {
                    "title": f"Aufgabe {n}",
                    "indicator": "Beteiligte Personen",
                    "target_value": "100",
                    "due_on": dt.date(2021, 6, 30),
                    "verification": "Teilnahmelisten",
                }
                for n in (1, 2, 3)
            ],
        ),
        (
            "budget",
            [
                {"year": 2020, "category": "staff", "amount": "40000.00"},
                {"year": 2021, "category": "staff", "amount": "40000.00"},
                {"year": 2021, "category": "events", "amount": "12500.25"},
            ],
        ),
    ]
    for section, data in steps:
        proposal = services.save_section(
            proposal, section=section, data=data, expected_version=proposal.lock_version, actor=user, now=NOW
        )
    return proposal


def _start(user=None, call=None):  # type: ignore[no-untyped-def]
    user = user or UserFactory()
    call = call or CallFactory()
    return services.start_proposal(
        call=call, actor=user, title="Offenes Havelland", lead_municipality=MunicipalityFactory(), now=NOW
    ), user


def test_start_proposal_makes_actor_lead_and_audits():
    proposal, user = _start()
    assert proposal.state == ProposalState.DRAFT
    assert proposal.reference == "OGL-2019-0001"
    assert list(proposal.members.values_list("user_id", "role")) == [(user.pk, "lead")]
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["proposal.created"]


def test_start_proposal_refused_after_deadline():
    call = CallFactory()
    with pytest.raises(CallClosed) as refused:
        services.start_proposal(
            call=call,
            actor=UserFactory(),
            title="Zu spät",
            lead_municipality=None,
            now=DEADLINE + dt.timedelta(microseconds=1),
        )
    assert str(refused.value) == (
        "Die Frist ist abgelaufen: Interessenbekundungen wurden bis 31.10.2019, 23:59:59 Uhr "
        "(Berliner Zeit) angenommen."
    )
    assert Proposal.objects.count() == 0


def test_save_section_computes_budget_totals_with_cents():
    proposal, user = _start()
    proposal = _complete(proposal, user)
    table = queries.budget_table(queries.get_proposal_for_member(user, proposal.pk))
    assert table["years"] == [2020, 2021, 2022]
    assert table["total"] == Decimal("92500.25")
    assert table["year_totals"] == [Decimal("40000.00"), Decimal("52500.25"), Decimal("0.00")]
    assert table["project_total"] == Decimal("107500.75")
    assert proposal.lock_version == 5


def test_save_section_refuses_stale_version_and_keeps_both():
    proposal, user = _start()
    colleague = UserFactory()
    first = services.save_section(
        proposal, section="general", data={"region": "Fassung A"}, expected_version=0, actor=user, now=NOW
    )
    with pytest.raises(EditConflict) as conflict:
        services.save_section(
            proposal,
            section="general",
            data={"region": "Fassung B"},
            expected_version=0,
            actor=colleague,
            now=NOW,
        )
    first.refresh_from_db()
    assert first.region == "Fassung A"
    assert first.lock_version == 1
    kept = ProposalVersion.objects.get(kind="conflict")
    assert kept == conflict.value.kept
    assert kept.content == {"section": "general", "data": {"region": "Fassung B"}, "based_on": 0}
    assert "als Version 1 aufbewahrt" in str(conflict.value)


def test_save_section_invalid_content_changes_nothing():
    proposal, user = _start()
    with pytest.raises(InvalidContent) as invalid:
        services.save_section(
            proposal,
            section="budget",
            data=[
                {"year": 2020, "category": "staff", "amount": "100.001"},
                {"year": 2030, "category": "staff", "amount": "5"},
            ],
            expected_version=0,
            actor=user,
            now=NOW,
        )
    assert invalid.value.errors == {
        "budget.2020.staff": ["Beträge werden auf den Cent genau angegeben."],
        "budget.2030.staff": ["Das Jahr muss im Förderzeitraum liegen (2020–2022)."],
    }
    proposal.refresh_from_db()
    assert proposal.lock_version == 0
    assert proposal.budget_lines.count() == 0


def test_save_section_names_unknown_municipality_key():
    proposal, user = _start()
    with pytest.raises(InvalidContent) as invalid:
        services.save_section(
            proposal,
            section="municipalities",
            data={"lead": proposal.lead_municipality.ars, "further": ["999999999999"]},
            expected_version=0,
            actor=user,
            now=NOW,
        )
    assert invalid.value.errors == {"municipalities": ["Unbekannter Gemeindeschlüssel: 999999999999"]}


def test_submit_refuses_incomplete_proposal_with_each_finding():
    proposal, user = _start()
    with pytest.raises(SubmissionRefused) as refused:
        services.submit_proposal(proposal, actor=user, now=NOW)
    assert [finding.code for finding in refused.value.findings] == [
        "civil_society",
        "tasks",
        "cost_estimate",
        "texts",
    ]
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.DRAFT
    assert proposal.versions.count() == 0


def test_submit_freezes_version_with_hash_at_last_instant():
    proposal, user = _start()
    proposal = _complete(proposal, user)
    version = services.submit_proposal(proposal, actor=user, now=DEADLINE)
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.SUBMITTED
    assert proposal.submitted_at == DEADLINE
    assert version.number == 1
    assert version.kind == "submitted"
    assert version.sha256 == version_hash(version.content)
    assert version.content["public"]["budget"][1] == {
        "year": 2021,
        "category": "events",
        "amount": "12500.25",
    }
    assert AuditEvent.objects.filter(action="proposal.submitted").count() == 1


def test_submit_refused_one_microsecond_after_deadline():
    proposal, user = _start()
    proposal = _complete(proposal, user)
    with pytest.raises(CallClosed):
        services.submit_proposal(proposal, actor=user, now=DEADLINE + dt.timedelta(microseconds=1))
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.DRAFT
    assert proposal.versions.count() == 0


def test_submitted_proposal_is_read_only():
    proposal, user = _start()
    proposal = _complete(proposal, user)
    services.submit_proposal(proposal, actor=user, now=NOW)
    with pytest.raises(NotEditable):
        services.save_section(
            proposal,
            section="general",
            data={"region": "später"},
            expected_version=proposal.lock_version,
            actor=user,
            now=NOW,
        )


def test_withdraw_requires_reason_and_audits():
    proposal, user = _start()
    with pytest.raises(InvalidContent):
        services.withdraw_proposal(proposal, actor=user, reason=" ", now=NOW)
    services.withdraw_proposal(proposal, actor=user, reason="Kein Personal verfügbar.", now=NOW)
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.WITHDRAWN
    assert proposal.withdrawn_reason == "Kein Personal verfügbar."
    event = AuditEvent.objects.get(action="proposal.withdrawn")
    assert event.data == {"from": "draft", "to": "withdrawn", "reason": "Kein Personal verfügbar."}


def test_forbidden_transition_raises_and_changes_nothing():
    proposal, user = _start()
    before = AuditEvent.objects.count()
    with pytest.raises(TransitionNotAllowed) as refused:
        services.transition_proposal(proposal, to=ProposalState.SELECTED, actor=user, now=NOW)
    assert str(refused.value) == "Ein Wechsel von „Entwurf“ zu „ausgewählt“ ist nicht möglich."
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.DRAFT
    assert AuditEvent.objects.count() == before


def test_invited_colleague_becomes_member_once():
    proposal, user = _start()
    colleague = UserFactory()
    _, token = services.invite_member(proposal, email="Kollegin@Example.org", actor=user, now=NOW)
    services.accept_invitation(token=token, actor=colleague, now=NOW)
    assert set(proposal.members.values_list("user_id", "role")) == {
        (user.pk, "lead"),
        (colleague.pk, "editor"),
    }
    with pytest.raises(Exception, match="ungültig oder wurde bereits verwendet"):
        services.accept_invitation(token=token, actor=colleague, now=NOW)


def test_non_member_cannot_read_proposal():
    proposal, _ = _start()
    with pytest.raises(ProposalNotFound):
        queries.get_proposal_for_member(UserFactory(), proposal.pk)
