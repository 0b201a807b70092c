"""The 36 synthetic consortia of the historical 2019 call (load_demo with the reference data)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from oglabs.audit.models import AuditEvent
from oglabs.calls.models import Call
from oglabs.core.canonical import normalise
from oglabs.demo.consortia import generate_consortia, requested_total
from oglabs.demo.loading import demo_places
from oglabs.places.models import District, Municipality, State
from oglabs.places.reference import read_reference
from oglabs.places.services import load_reference_data
from oglabs.proposals import queries
from oglabs.proposals.eligibility import check_eligibility, is_eligible
from oglabs.proposals.hashing import version_hash
from oglabs.proposals.models import Proposal

BERLIN = ZoneInfo("Europe/Berlin")
LOAD_AT = dt.datetime(2026, 3, 20, 12, 0, tzinfo=dt.UTC)
SLUG = "regionale-open-government-labore-2019"
DEADLINE = dt.datetime(2019, 10, 31, 23, 59, 59, 999999, tzinfo=BERLIN)


@pytest.fixture(scope="module")
def loaded_places(django_db_setup, django_db_blocker) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Commit the shipped reference data for this module's tests; removed again afterwards."""
    with django_db_blocker.unblock():
        load_reference_data(read_reference())
    yield
    with django_db_blocker.unblock():
        Municipality.objects.all().delete()
        District.objects.all().delete()
        State.objects.all().delete()


def load(now: dt.datetime = LOAD_AT) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("load_demo", now=now.isoformat(), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def proposals_2019() -> list[Proposal]:
    return list(queries.proposals_of_call(Call.objects.get(slug=SLUG)).prefetch_related("versions"))


@pytest.fixture
def demo(loaded_places, db) -> list[Proposal]:  # type: ignore[no-untyped-def]
    load()
    return proposals_2019()


def test_demo_consortia_are_36_submitted_in_october_2019(demo):
    assert len(demo) == 36
    # The demo takes the call on to its decision (oglabs/demo/competition.py).
    assert {p.state for p in demo} == {"ineligible", "selected", "waitlisted"}
    assert [p.reference for p in demo] == [f"OGL-2019-{n:04d}" for n in range(1, 37)]
    instants = [p.submitted_at for p in demo]
    assert all(dt.datetime(2019, 10, 1, tzinfo=BERLIN) <= at <= DEADLINE for at in instants)
    assert instants == sorted(instants)  # references follow the order of arrival
    last_hours = [at for at in instants if at >= dt.datetime(2019, 10, 31, 20, 0, tzinfo=BERLIN)]
    assert len(last_hours) == 4


def test_demo_consortia_have_a_frozen_version_that_verifies(demo):
    for proposal in demo:
        versions = list(proposal.versions.all())
        assert [(v.number, v.kind) for v in versions] == [(1, "submitted")]
        version = versions[0]
        assert version.sha256 == version_hash(version.content)
        assert version.created_at == proposal.submitted_at
        # The frozen content is the proposal as it is stored now.
        assert version.content == normalise(queries.proposal_content(proposal))


def test_demo_consortia_pass_every_eligibility_rule(demo):
    for proposal in demo:
        findings = check_eligibility(*queries.eligibility_inputs(proposal))
        assert is_eligible(findings), (proposal.reference, [f.message for f in findings if not f.met])


def test_demo_consortia_spread_over_thirteen_laender_with_mostly_rural_leads(demo):
    leads = [p.lead_municipality for p in demo]
    assert all(lead is not None for lead in leads)
    assert len({lead.state_id for lead in leads if lead is not None}) == 13
    assert len({lead.district_id for lead in leads if lead is not None}) == 36
    profile = Counter(
        "landkreis" if lead.kind == "landkreis" else f"degurba {lead.urbanisation}"
        for lead in leads
        if lead is not None
    )
    assert profile["landkreis"] == 13
    assert profile["degurba 1"] == 0
    assert profile["landkreis"] + profile["degurba 3"] >= 24


def test_demo_consortia_have_realistic_partners_tasks_and_budgets(demo):
    call = Call.objects.get(slug=SLUG)
    totals = [queries.budget_total(p) for p in demo]
    assert sum(totals, Decimal("0")) > call.budget
    assert all(Decimal("120000") <= total <= Decimal("320000") for total in totals)
    for proposal in demo:
        further = list(proposal.further_municipalities.all())
        assert 1 <= len(further) <= 4
        partners = list(proposal.partners.all())
        assert 2 <= len(partners) <= 5
        assert partners[0].kind == "civil_society"
        assert len({p.name for p in partners}) == len(partners)
        tasks = list(proposal.tasks.all())
        assert 3 <= len(tasks) <= 6
        assert all(dt.date(2020, 1, 1) <= t.due_on <= dt.date(2022, 12, 31) for t in tasks if t.due_on)
        assert {line.year for line in proposal.budget_lines.all()} == {2020, 2021, 2022}
        assert 2 <= proposal.challenges.count() <= 4
        sentences = proposal.region.replace("St. ", "Sankt ").count(". ") + 1
        assert 3 <= sentences <= 4
    assert sum(1 for p in demo if p.own_contribution > 0) > 0
    assert sum(1 for p in demo if p.state_contribution > 0) > 0
    kinds = Counter(partner.kind for p in demo for partner in p.partners.all())
    assert kinds.most_common(1)[0][0] == "civil_society"
    assert {"science", "arts", "business"} <= set(kinds)


def test_demo_consortia_first_six_have_a_demo_account_as_lead(demo):
    leads = {p.reference: [(m.user.email, m.role) for m in p.members.select_related("user")] for p in demo}
    for number in range(1, 7):
        assert leads[f"OGL-2019-{number:04d}"] == [(f"kommune{number:02d}@demo.oglabs.de", "lead")]
    assert all(leads[f"OGL-2019-{number:04d}"] == [] for number in range(7, 37))
    applicant = demo[0].members.get().user
    assert applicant.municipality_id == demo[0].lead_municipality_id


def test_demo_consortia_second_load_changes_nothing(demo):
    events = AuditEvent.objects.count()
    out, _err = load()
    assert "regionale-open-government-labore-2019: unchanged" in out
    assert len(proposals_2019()) == 36
    assert AuditEvent.objects.count() == events
    assert AuditEvent.objects.filter(action="proposal.imported").count() == 36


def test_demo_consortia_leave_the_open_demo_call_empty(demo):
    assert Proposal.objects.filter(call__slug="regionale-open-government-labore-demo").count() == 0


def test_load_demo_before_the_2019_deadline_skips_the_consortia(loaded_places, db):
    _out, err = load(dt.datetime(2019, 10, 15, 12, 0, tzinfo=BERLIN))
    assert "skipped" in err
    assert Proposal.objects.count() == 0


def test_generate_consortia_is_reproducible_and_ignores_input_order(loaded_places, db):
    places = demo_places()
    first = generate_consortia(places)
    assert generate_consortia(list(reversed(places))) == first
    assert sum((requested_total(r) for r in first), Decimal("0")) > Decimal("6000000")
