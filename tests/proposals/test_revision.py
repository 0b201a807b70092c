"""The revision window: opening, revising up to the deadline, merging with both leads' consent,
withdrawing, closing into competition or selection; one audit event per transition."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from oglabs.accounts.models import User
from oglabs.audit.chain import verify_chain
from oglabs.audit.models import AuditEvent
from oglabs.audit.queries import chain_entries
from oglabs.calls.models import Call, Phase
from oglabs.mail.models import OutboxMail
from oglabs.proposals import revision_queries, services
from oglabs.proposals.exceptions import CallClosed, ProposalNotFound
from oglabs.proposals.models import (
    BudgetLine,
    ConsortiumMember,
    MemberRole,
    MergeRequest,
    MergeStatus,
    Proposal,
    VersionKind,
)
from oglabs.proposals.services.revision import (
    PATH_COMPETITION,
    PATH_SELECTION,
    MergeNotAllowed,
    RevisionAlreadyClosed,
    RevisionDeadlineInvalid,
    RevisionNotOver,
)
from oglabs.proposals.states import ProposalState
from tests.factories.accounts import StaffFactory, UserFactory
from tests.factories.proposals import BERLIN, NOW, CallFactory, MunicipalityFactory, ProposalFactory

pytestmark = pytest.mark.django_db

S = ProposalState
CHECKED_AT = dt.datetime(2019, 11, 5, 10, 0, tzinfo=BERLIN)
OPENED_AT = dt.datetime(2019, 11, 10, 10, 0, tzinfo=BERLIN)
REVISION_DEADLINE = dt.datetime(2019, 11, 30, 23, 59, 59, 999999, tzinfo=BERLIN)
AFTER = REVISION_DEADLINE + dt.timedelta(microseconds=1)


def build_submitted(
    call: Call, user: User | None = None, *, name: str = "Falkensee"
) -> tuple[Proposal, User]:
    """A complete proposal, submitted through the services (version 1 of kind ``submitted``)."""
    user = user or UserFactory()
    lead = MunicipalityFactory(name=name)
    proposal = services.start_proposal(
        call=call, actor=user, title=f"Labor {name}", lead_municipality=lead, now=NOW
    )
    further = MunicipalityFactory(name=f"Nachbar von {name}")
    steps: list[tuple[str, Any]] = [
        (
            "general",
            {
                "title": f"Labor {name}",
                "region": "Ländlicher Raum westlich von Berlin.",
                "lab_form": "place",
                "moderation": "Eine neutrale Moderation.",
                "challenges": ["strukturwandel"],
                "own_contribution": "1000.00",
            },
        ),
        ("municipalities", {"lead": lead.ars, "further": [further.ars]}),
        (
            "partners",
            [
                {"kind": "civil_society", "name": f"Bürgerverein {name}", "role_in_lab": "Beteiligung"},
                {"kind": "science", "name": "FH Potsdam", "role_in_lab": "Evaluation"},
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
                for n in (1, 2)
            ],
        ),
        (
            "budget",
            [
                {"year": 2020, "category": "staff", "amount": "40000.00"},
                {"year": 2021, "category": "events", "amount": "10000.00"},
            ],
        ),
    ]
    for section, data in steps:
        proposal = services.save_section(
            proposal, section=section, data=data, expected_version=proposal.lock_version, actor=user, now=NOW
        )
    services.submit_proposal(proposal, actor=user, now=NOW)
    proposal.refresh_from_db()
    return proposal, user


def make_eligible(proposal: Proposal, staff: User) -> Proposal:
    return services.transition_proposal(proposal, to=S.ELIGIBLE, actor=staff, now=CHECKED_AT)


def open_window(call: Call, staff: User) -> None:
    services.open_revision(call, actor=staff, deadline_at=REVISION_DEADLINE, now=OPENED_AT)


def transitions_of(proposal: Proposal, state: str) -> int:
    return AuditEvent.objects.filter(
        target_type="proposals.proposal", target_id=str(proposal.pk), action=f"proposal.{state}"
    ).count()


def assert_audit_log_intact() -> None:
    assert verify_chain(chain_entries()) is None


# --- opening -------------------------------------------------------------------------------------


def test_open_revision_moves_eligible_and_invited_and_mails_each_consortium():
    staff = StaffFactory()
    call = CallFactory()
    first, first_lead = build_submitted(call, name="Falkensee")
    second, _ = build_submitted(call, name="Nauen")
    submitted_only, _ = build_submitted(call, name="Ketzin")
    make_eligible(first, staff)
    make_eligible(second, staff)
    services.transition_proposal(second, to=S.INVITED, actor=staff, now=CHECKED_AT)

    opened = services.open_revision(call, actor=staff, deadline_at=REVISION_DEADLINE, now=OPENED_AT)

    assert opened.opened == [first.reference, second.reference]
    for proposal in (first, second):
        proposal.refresh_from_db()
        assert proposal.state == S.IN_REVISION
        assert transitions_of(proposal, "in_revision") == 1
    submitted_only.refresh_from_db()
    assert submitted_only.state == S.SUBMITTED
    assert services.revision_deadline(Call.objects.get(pk=call.pk)) == REVISION_DEADLINE
    mails = list(OutboxMail.objects.filter(kind="proposal:revision_opened").order_by("pk"))
    assert [mail.to for mail in mails] == [[first_lead.email], [mails[1].to[0]]]
    assert (
        "bis 30.11.2019, 23:59:59 Uhr (Berliner Zeit) zu einem Projektvorschlag überarbeiten" in mails[0].body
    )
    assert revision_queries.revision_counts(call)["in_revision"] == 2
    assert_audit_log_intact()


def test_open_revision_refuses_a_deadline_in_the_past_and_changes_nothing():
    staff = StaffFactory()
    call = CallFactory()
    proposal, _ = build_submitted(call)
    make_eligible(proposal, staff)
    events = AuditEvent.objects.count()
    with pytest.raises(RevisionDeadlineInvalid) as refused:
        services.open_revision(call, actor=staff, deadline_at=OPENED_AT, now=OPENED_AT)
    assert str(refused.value) == "Die Frist für die Überarbeitung muss in der Zukunft liegen."
    proposal.refresh_from_db()
    assert proposal.state == S.ELIGIBLE
    assert AuditEvent.objects.count() == events
    assert not Phase.objects.filter(call=call, kind="revision_deadline").exists()


# --- revising ------------------------------------------------------------------------------------


def _revise(proposal: Proposal, user: User, *, now: dt.datetime) -> Proposal:
    return services.save_section(
        proposal,
        section="general",
        data={"region": "Ländlicher Raum westlich von Berlin, geschärft im Workshop."},
        expected_version=proposal.lock_version,
        actor=user,
        now=now,
    )


def test_revision_at_the_last_microsecond_is_accepted():
    staff = StaffFactory()
    call = CallFactory()
    proposal, user = build_submitted(call)
    make_eligible(proposal, staff)
    open_window(call, staff)
    proposal = _revise(proposal, user, now=OPENED_AT)

    version = services.submit_proposal(proposal, actor=user, now=REVISION_DEADLINE)

    proposal.refresh_from_db()
    assert proposal.state == S.REVISED
    assert proposal.stage == "full"
    assert (version.number, version.kind, version.stage) == (2, VersionKind.REVISED, "full")
    assert list(proposal.versions.order_by("number").values_list("kind", flat=True)) == [
        "submitted",
        "revised",
    ]
    assert transitions_of(proposal, "revised") == 1


def test_revision_one_microsecond_after_the_deadline_is_refused():
    staff = StaffFactory()
    call = CallFactory()
    proposal, user = build_submitted(call)
    make_eligible(proposal, staff)
    open_window(call, staff)
    proposal = _revise(proposal, user, now=OPENED_AT)

    with pytest.raises(CallClosed) as closed:
        services.submit_proposal(proposal, actor=user, now=AFTER)

    assert closed.value.deadline_at == REVISION_DEADLINE
    assert "30.11.2019, 23:59:59" in str(closed.value)
    proposal.refresh_from_db()
    assert proposal.state == S.IN_REVISION
    assert proposal.versions.count() == 1
    assert transitions_of(proposal, "revised") == 0


def test_withdraw_from_in_revision_and_from_revised():
    staff = StaffFactory()
    call = CallFactory()
    in_revision, first_user = build_submitted(call, name="Falkensee")
    revised, second_user = build_submitted(call, name="Nauen")
    for proposal in (in_revision, revised):
        make_eligible(proposal, staff)
    open_window(call, staff)
    services.submit_proposal(revised, actor=second_user, now=OPENED_AT)

    services.withdraw_proposal(in_revision, actor=first_user, reason="Kein Personal.", now=OPENED_AT)
    services.withdraw_proposal(revised, actor=second_user, reason="Fusion abgesagt.", now=OPENED_AT)

    assert in_revision.state == S.WITHDRAWN
    assert revised.state == S.WITHDRAWN
    assert transitions_of(in_revision, "withdrawn") == 1
    assert transitions_of(revised, "withdrawn") == 1
    assert revision_queries.revision_counts(call)["withdrawn"] == 2


# --- merging -------------------------------------------------------------------------------------


def _two_in_revision() -> tuple[Call, User, Proposal, User, Proposal, User]:
    staff = StaffFactory()
    call = CallFactory()
    source, source_lead = build_submitted(call, name="Falkensee")
    target, target_lead = build_submitted(call, name="Nauen")
    for proposal in (source, target):
        make_eligible(proposal, staff)
    open_window(call, staff)
    source.refresh_from_db()
    target.refresh_from_db()
    return call, staff, source, source_lead, target, target_lead


def test_merge_needs_the_consent_of_both_leads():
    _call, _staff, source, source_lead, target, target_lead = _two_in_revision()
    editor = UserFactory()
    ConsortiumMember.objects.create(proposal=target, user=editor, role=MemberRole.EDITOR, joined_at=NOW)
    source_partners = list(source.partners.values_list("name", flat=True))

    request = services.request_merge(source, target, actor=source_lead, now=OPENED_AT)
    # one consent alone merges nothing
    source.refresh_from_db()
    target.refresh_from_db()
    assert (source.state, target.state) == (S.IN_REVISION, S.IN_REVISION)
    assert target.partners.count() == 2
    assert OutboxMail.objects.get(kind="proposal:merge_requested").to == sorted(
        [target_lead.email, editor.email]
    )
    # a member of the target who is not its lead cannot consent
    with pytest.raises(MergeNotAllowed):
        services.consent_merge(request, actor=editor, now=OPENED_AT)
    request.refresh_from_db()
    assert request.status == MergeStatus.PENDING

    merged = services.consent_merge(request, actor=target_lead, now=OPENED_AT)

    request.refresh_from_db()
    source.refresh_from_db()
    assert (request.status, request.consented_by, request.consented_at) == (
        MergeStatus.MERGED,
        target_lead,
        OPENED_AT,
    )
    assert source.state == S.MERGED
    assert source.merged_into == merged
    assert merged.state == S.IN_REVISION
    # the target gained municipalities (the source's lead as a further one), partners, tasks, budget, members
    places = set(merged.further_municipalities.values_list("municipality__name", flat=True))
    assert places == {"Nachbar von Nauen", "Falkensee", "Nachbar von Falkensee"}
    assert list(merged.partners.order_by("position").values_list("position", "name")) == [
        (1, "Bürgerverein Nauen"),
        (2, "FH Potsdam"),
        (3, source_partners[0]),
        (4, source_partners[1]),
    ]
    assert list(merged.tasks.order_by("position").values_list("position", "title")) == [
        (1, "Aufgabe 1"),
        (2, "Aufgabe 2"),
        (3, "Aufgabe 1"),
        (4, "Aufgabe 2"),
    ]
    assert list(merged.budget_lines.order_by("year").values_list("year", "category", "amount")) == [
        (2020, "staff", Decimal("80000.00")),
        (2021, "events", Decimal("20000.00")),
    ]
    assert merged.own_contribution == Decimal("2000.00")
    assert set(merged.members.values_list("user_id", "role")) == {
        (target_lead.pk, "lead"),
        (editor.pk, "editor"),
        (source_lead.pk, "editor"),
    }
    # the source is kept as it was, with its versions
    assert source.partners.count() == 2
    assert list(source.versions.values_list("kind", flat=True)) == ["submitted"]
    assert transitions_of(source, "merged") == 1
    assert AuditEvent.objects.filter(action="proposal.merge_received", target_id=str(merged.pk)).count() == 1
    assert_audit_log_intact()


def test_merge_into_a_revised_target_returns_it_to_revision():
    _call, _staff, source, source_lead, target, target_lead = _two_in_revision()
    services.submit_proposal(target, actor=target_lead, now=OPENED_AT)
    target.refresh_from_db()
    assert target.state == S.REVISED
    request = services.request_merge(source, target, actor=source_lead, now=OPENED_AT)

    merged = services.consent_merge(request, actor=target_lead, now=OPENED_AT)

    assert merged.state == S.IN_REVISION
    assert transitions_of(merged, "in_revision") == 2  # opened, then returned after the merge
    services.submit_proposal(merged, actor=target_lead, now=OPENED_AT)  # the merged content is revisable
    merged.refresh_from_db()
    assert merged.state == S.REVISED


def test_requester_cannot_consent_to_their_own_request():
    _call, _staff, source, source_lead, target, _target_lead = _two_in_revision()
    request = services.request_merge(source, target, actor=source_lead, now=OPENED_AT)
    # even if they lead the target as well
    ConsortiumMember.objects.filter(proposal=target, role=MemberRole.LEAD).delete()
    ConsortiumMember.objects.create(proposal=target, user=source_lead, role=MemberRole.LEAD, joined_at=NOW)

    with pytest.raises(MergeNotAllowed) as refused:
        services.consent_merge(request, actor=source_lead, now=OPENED_AT)

    assert "federführende Person des anderen Konsortiums" in str(refused.value)
    source.refresh_from_db()
    request.refresh_from_db()
    assert source.state == S.IN_REVISION
    assert request.status == MergeStatus.PENDING


def test_only_the_source_lead_can_request_a_merge():
    _call, _staff, source, _source_lead, target, target_lead = _two_in_revision()
    with pytest.raises(ProposalNotFound):
        services.request_merge(source, target, actor=target_lead, now=OPENED_AT)
    assert MergeRequest.objects.count() == 0


def test_merge_refused_outside_the_revision_window():
    staff = StaffFactory()
    call = CallFactory()
    source, source_lead = build_submitted(call, name="Falkensee")
    target, _ = build_submitted(call, name="Nauen")
    make_eligible(source, staff)
    make_eligible(target, staff)
    with pytest.raises(MergeNotAllowed):
        services.request_merge(source, target, actor=source_lead, now=CHECKED_AT)
    open_window(call, staff)
    source.refresh_from_db()
    target.refresh_from_db()
    with pytest.raises(MergeNotAllowed):
        services.request_merge(source, target, actor=source_lead, now=AFTER)
    assert MergeRequest.objects.count() == 0


def test_decline_merge_by_the_target_lead():
    _call, _staff, source, source_lead, target, target_lead = _two_in_revision()
    request = services.request_merge(source, target, actor=source_lead, now=OPENED_AT)
    services.decline_merge(request, actor=target_lead, now=OPENED_AT)
    request.refresh_from_db()
    assert request.status == MergeStatus.DECLINED
    with pytest.raises(MergeNotAllowed):
        services.consent_merge(request, actor=target_lead, now=OPENED_AT)
    source.refresh_from_db()
    assert source.state == S.IN_REVISION


# --- closing -------------------------------------------------------------------------------------


def _call_with_remaining(count: int, *, amount: str = "100000.00", revised: int | None = None) -> Call:
    """A call after its revision deadline with ``count`` proposals left (built directly: the states,
    not the way there, matter here); the first ``revised`` are revised, the rest still in revision."""
    call = CallFactory()
    Phase.objects.create(
        call=call, kind="revision_deadline", starts_at=REVISION_DEADLINE, ends_at=REVISION_DEADLINE
    )
    revised = count if revised is None else revised
    for index in range(count):
        proposal = ProposalFactory(call=call, state=S.REVISED if index < revised else S.IN_REVISION)
        BudgetLine.objects.create(proposal=proposal, year=2020, category="staff", amount=Decimal(amount))
    ProposalFactory(call=call, state=S.WITHDRAWN)
    ProposalFactory(call=call, state=S.MERGED)
    return call


def test_close_revision_with_17_remaining_goes_to_competition():
    staff = StaffFactory()
    call = _call_with_remaining(17, revised=15)

    closed = services.close_revision(call, actor=staff, now=AFTER)

    assert closed.path == PATH_COMPETITION
    assert closed.remaining == 17
    assert closed.reason == (
        "Es sind 17 Vorschläge verblieben, mehr als die 16 Plätze des Aufrufs: "
        "Alle nehmen am Teilnahmewettbewerb teil."
    )
    states = list(Proposal.objects.filter(call=call).values_list("state", flat=True))
    assert sorted(states) == sorted([S.IN_COMPETITION] * 17 + [S.WITHDRAWN, S.MERGED])
    for proposal in Proposal.objects.filter(call=call, state=S.IN_COMPETITION):
        assert transitions_of(proposal, "in_competition") == 1
    assert AuditEvent.objects.filter(action="call.revision_closed", target_id=str(call.pk)).count() == 1
    assert_audit_log_intact()


def test_close_revision_with_16_within_budget_selects_all():
    staff = StaffFactory()
    call = _call_with_remaining(16, amount="187500.00", revised=10)  # 16 × 187 500 = 3 000 000 = budget

    closed = services.close_revision(call, actor=staff, now=AFTER)

    assert closed.path == PATH_SELECTION
    assert closed.requested_total == Decimal("3000000.00")
    assert closed.reason == (
        "Es sind 16 Vorschläge verblieben, nicht mehr als die 16 Plätze, und sie beantragen zusammen "
        "3.000.000,00 €, nicht mehr als das Fördervolumen von 3.000.000,00 €: Alle werden ohne "
        "Teilnahmewettbewerb ausgewählt."
    )
    assert Proposal.objects.filter(call=call, state=S.SELECTED).count() == 16
    for proposal in Proposal.objects.filter(call=call, state=S.SELECTED):
        assert transitions_of(proposal, "selected") == 1
    assert_audit_log_intact()


def test_close_revision_with_few_but_over_budget_goes_to_competition():
    staff = StaffFactory()
    call = _call_with_remaining(3, amount="1000000.01")

    closed = services.close_revision(call, actor=staff, now=AFTER)

    assert closed.path == PATH_COMPETITION
    assert closed.requested_total == Decimal("3000000.03")
    assert "Das Budget bindet" in closed.reason
    assert Proposal.objects.filter(call=call, state=S.IN_COMPETITION).count() == 3


def test_close_revision_refused_before_the_deadline_and_twice():
    staff = StaffFactory()
    call = _call_with_remaining(2)
    with pytest.raises(RevisionNotOver):
        services.close_revision(call, actor=staff, now=REVISION_DEADLINE)
    assert Proposal.objects.filter(call=call, state=S.REVISED).count() == 2
    services.close_revision(call, actor=staff, now=AFTER)
    with pytest.raises(RevisionAlreadyClosed):
        services.close_revision(call, actor=staff, now=AFTER)
    assert AuditEvent.objects.filter(action="call.revision_closed").count() == 1


def test_whole_scenario_one_event_per_transition_and_intact_log():
    """Open, revise, merge, withdraw, close: every transition leaves exactly one audit event."""
    staff = StaffFactory()
    call = CallFactory()
    built = [build_submitted(call, name=name) for name in ("Falkensee", "Nauen", "Ketzin", "Premnitz")]
    for proposal, _user in built:
        make_eligible(proposal, staff)
    open_window(call, staff)
    (a, a_lead), (b, b_lead), (c, c_lead), (d, d_lead) = [
        (Proposal.objects.get(pk=p.pk), u) for p, u in built
    ]
    services.submit_proposal(a, actor=a_lead, now=OPENED_AT)
    request = services.request_merge(b, c, actor=b_lead, now=OPENED_AT)
    services.consent_merge(request, actor=c_lead, now=OPENED_AT)
    services.withdraw_proposal(d, actor=d_lead, reason="Keine Kapazität.", now=OPENED_AT)

    closed = services.close_revision(call, actor=staff, now=AFTER)

    assert closed.path == PATH_SELECTION
    assert closed.moved == [a.reference, c.reference]
    expected = {
        a.pk: ["submitted", "eligible", "in_revision", "revised", "selected"],
        b.pk: ["submitted", "eligible", "in_revision", "merged"],
        c.pk: ["submitted", "eligible", "in_revision", "selected"],
        d.pk: ["submitted", "eligible", "in_revision", "withdrawn"],
    }
    for pk, states in expected.items():
        actions = list(
            AuditEvent.objects.filter(
                target_type="proposals.proposal", target_id=str(pk), action__in=[f"proposal.{s}" for s in S]
            )
            .order_by("sequence")
            .values_list("action", flat=True)
        )
        assert actions == [f"proposal.{s}" for s in states]
    assert_audit_log_intact()
