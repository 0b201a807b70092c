"""The demo's 2019 call goes through the whole competition to its decision, via the services."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command

from oglabs.audit.models import AuditEvent
from oglabs.calls.models import Call
from oglabs.demo import competition
from oglabs.places.models import District, Municipality, State
from oglabs.places.reference import read_reference
from oglabs.places.services import load_reference_data
from oglabs.proposals.models import Proposal
from oglabs.reviews.models import ConflictOfInterest, Criterion, Juror, Review
from oglabs.reviews.results import proposal_results
from oglabs.selection import services
from oglabs.selection.models import Decision, DecisionEntry, SelectionRun

LOAD_AT = dt.datetime(2026, 3, 20, 12, 0, tzinfo=dt.UTC)
SLUG = "regionale-open-government-labore-2019"


@pytest.fixture(scope="module")
def loaded_places(django_db_setup, django_db_blocker) -> Iterator[None]:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        load_reference_data(read_reference())
    yield
    with django_db_blocker.unblock():
        Municipality.objects.all().delete()
        District.objects.all().delete()
        State.objects.all().delete()


def load(now: dt.datetime = LOAD_AT) -> str:
    out, err = StringIO(), StringIO()
    call_command("load_demo", now=now.isoformat(), stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_demo_2019_call_is_decided_through_the_services_and_a_second_load_changes_nothing(loaded_places, db):
    out = load()
    assert f"Teilnahmewettbewerb im Aufruf {SLUG}: decided" in out
    call = Call.objects.get(slug=SLUG)
    states = Counter(Proposal.objects.filter(call=call).values_list("state", flat=True))
    assert states == {"ineligible": 3, "selected": 15, "waitlisted": 18}
    assert sorted(
        Proposal.objects.filter(call=call, state="ineligible").values_list("reference", flat=True)
    ) == sorted(competition.INELIGIBLE)
    # The jury: default criteria, five seats, the demo juror among them, one declared conflict.
    assert Criterion.objects.filter(call=call).count() == 6
    jurors = list(Juror.objects.filter(call=call).select_related("user").order_by("pk"))
    assert [(j.user.email, j.organisation) for j in jurors] == [
        (s.email, s.organisation) for s in competition.JURY
    ]
    assert all(j.user.role == "juror" and j.conflicts_declared_at is not None for j in jurors)
    conflict = ConflictOfInterest.objects.get()
    assert (conflict.juror, conflict.source, conflict.reason) == (
        jurors[2],
        "declared",
        competition.CONFLICT_REASON,
    )
    assert not Review.objects.filter(juror=conflict.juror, proposal=conflict.proposal).exists()
    # Three submitted reviews per proposal, at most 22 per juror.
    reviews = Review.objects.filter(juror__call=call)
    assert reviews.count() == 33 * 3
    assert set(reviews.values_list("state", flat=True)) == {"submitted"}
    assert max(Counter(reviews.values_list("juror_id", flat=True)).values()) <= competition.MAX_LOAD
    assert proposal_results(call, states=["selected", "waitlisted"]).complete
    # One run with the call's rules, proven optimal, recomputable; the decision on it.
    run = SelectionRun.objects.get(call=call)
    assert (run.number, run.status, run.created_at) == (1, "optimal", competition.RUN_AT)
    assert run.parameters["budget"] == "3000000.00"
    assert run.parameters["max_labs"] == 16
    assert services.recompute_run(run)
    assert run.result["total_score"] > run.greedy_result["total_score"]
    decision = Decision.objects.get(call=call)
    assert (decision.run, decision.decided_at) == (run, competition.DECIDED_AT)
    entries = DecisionEntry.objects.filter(decision=decision)
    assert entries.count() == 33
    assert all(entry.reason for entry in entries)
    assert sum(entry.granted_amount for entry in entries) <= call.budget
    assert AuditEvent.objects.filter(action="selection.decided").count() == 1
    assert AuditEvent.objects.filter(action="proposal.selected").count() == 15

    events = AuditEvent.objects.count()
    out = load()
    assert f"Teilnahmewettbewerb im Aufruf {SLUG}: unchanged" in out
    assert AuditEvent.objects.count() == events


def test_demo_points_are_deterministic_and_within_the_scale():
    criterion = Criterion(key="zusammenarbeit", scale_min=0, scale_max=10)
    seat = competition.JURY[3]
    values = [competition.demo_points(f"OGL-2019-{n:04d}", seat, criterion) for n in range(1, 37)]
    assert values == [competition.demo_points(f"OGL-2019-{n:04d}", seat, criterion) for n in range(1, 37)]
    assert all(0 <= value <= 10 for value in values)
    assert len(set(values)) >= 5


def test_load_demo_before_the_2019_decision_stops_after_the_consortia(loaded_places, db):
    out = load(dt.datetime(2020, 1, 15, 12, 0, tzinfo=dt.UTC))
    assert "Teilnahmewettbewerb im Aufruf regionale-open-government-labore-2019: skipped" in out
    assert set(Proposal.objects.values_list("state", flat=True)) == {"submitted"}
    assert SelectionRun.objects.count() == 0
