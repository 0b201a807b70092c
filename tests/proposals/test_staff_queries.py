"""Reads for staff: the dashboard's exact figures, the list's filters, sorting and sums."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oglabs.calls.models import Call, Challenge
from oglabs.places.models import Municipality, MunicipalityKind
from oglabs.proposals import staff_queries
from oglabs.proposals.exceptions import AttachmentNotFound, ProposalNotFound
from oglabs.proposals.models import BudgetLine, Partner, Proposal
from oglabs.proposals.staff_queries import ProposalFilter
from oglabs.proposals.states import ProposalState
from tests.factories.proposals import (
    NOW,
    CallFactory,
    DistrictFactory,
    MunicipalityFactory,
    ProposalFactory,
    StateFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def places() -> dict[str, Municipality]:
    StateFactory()  # 12 Brandenburg, the factory default
    bayern = StateFactory(
        ars="09", code="BY", name="Bayern", population=13124737, area_km2=Decimal("70541.52")
    )
    havelland = DistrictFactory()
    oberland = DistrictFactory(ars="09173", state=bayern, name="Bad Tölz-Wolfratshausen", kind="Landkreis")
    return {
        "falkensee": MunicipalityFactory(
            ars="120630080080", name="Falkensee", kind="stadt", district=havelland
        ),
        "nauen": MunicipalityFactory(ars="120630208208", name="Nauen", kind="gemeinde", district=havelland),
        "toelz": MunicipalityFactory(
            ars="09173", ags="", name="Bad Tölz-Wolfratshausen", kind="landkreis", district=oberland
        ),
    }


def _proposal(
    call: Call, municipality: Municipality | None, state: str, *, budget=(), partners=0, challenges=(), **kw
):  # type: ignore[no-untyped-def]
    proposal = ProposalFactory(call=call, lead_municipality=municipality, state=state, **kw)
    for year, amount in budget:
        BudgetLine.objects.create(proposal=proposal, year=year, category="staff", amount=Decimal(amount))
    for position in range(partners):
        Partner.objects.create(
            proposal=proposal, position=position, kind="civil_society", name=f"Verein {position}"
        )
    if challenges:
        proposal.challenges.set(Challenge.objects.filter(call=call, key__in=challenges))
    return proposal


@pytest.fixture
def call(places: dict[str, Municipality]) -> Call:
    call = CallFactory(budget=Decimal("100000.00"))
    _proposal(
        call,
        places["falkensee"],
        "submitted",
        budget=[(2020, "1000.10"), (2021, "2000.20")],
        partners=2,
        challenges=["strukturwandel", "digitalisierung"],
        title="Offenes Havelland",
        reference="OGL-A-001",
    )
    _proposal(
        call,
        places["nauen"],
        "eligible",
        budget=[(2020, "500.00")],
        partners=1,
        challenges=["digitalisierung"],
        title="Nauen gestaltet",
        reference="OGL-A-002",
    )
    _proposal(
        call,
        places["toelz"],
        "invited",
        budget=[(2020, "0.05")],
        partners=3,
        challenges=["strukturwandel"],
        title="Oberland offen",
        reference="OGL-A-003",
    )
    _proposal(
        call,
        places["falkensee"],
        "draft",
        budget=[(2020, "99999.00")],
        title="Entwurf",
        reference="OGL-A-004",
    )
    _proposal(
        call,
        places["nauen"],
        "withdrawn",
        budget=[(2020, "777.00")],
        challenges=["strukturwandel"],
        title="Zurückgezogen",
        reference="OGL-A-005",
    )
    _proposal(call, None, "submitted", title="Ohne Kommune", reference="OGL-A-006")
    # Another call's proposal never counts.
    _proposal(CallFactory(), places["toelz"], "submitted", budget=[(2020, "5.00")], reference="OGL-B-001")
    return call


def test_call_figures_count_every_state_in_lifecycle_order(call: Call) -> None:
    figures = staff_queries.call_figures(call)
    assert [item.state for item in figures.by_state] == list(ProposalState)
    counts = {item.state.value: item.count for item in figures.by_state}
    assert counts == {state.value: 0 for state in ProposalState} | {
        "draft": 1,
        "submitted": 2,
        "eligible": 1,
        "invited": 1,
        "withdrawn": 1,
    }
    assert figures.total == 6


def test_call_figures_count_handed_in_by_land_kind_and_challenge(call: Call) -> None:
    figures = staff_queries.call_figures(call)
    assert figures.counted == 4  # submitted ×2, eligible, invited; not the draft, not the withdrawn
    assert figures.without_municipality == 1
    assert [(land.ars, land.name, land.count) for land in figures.by_land] == [
        ("09", "Bayern", 1),
        ("12", "Brandenburg", 2),
    ]
    assert [(item.kind, item.count) for item in figures.by_kind] == [
        (MunicipalityKind.CITY, 1),
        (MunicipalityKind.MUNICIPALITY, 1),
        (MunicipalityKind.COUNTY, 1),
    ]
    assert [(item.key, item.count) for item in figures.by_challenge] == [
        ("strukturwandel", 2),
        ("digitalisierung", 2),
    ]


def test_call_figures_sum_budget_lines_of_handed_in_proposals_exactly(call: Call) -> None:
    figures = staff_queries.call_figures(call)
    assert figures.requested_total == Decimal("3500.35")


def test_call_figures_of_empty_call_are_zero(places: dict[str, Municipality]) -> None:
    figures = staff_queries.call_figures(CallFactory())
    assert figures.total == 0
    assert figures.counted == 0
    assert figures.requested_total == Decimal("0.00")
    assert [land.count for land in figures.by_land] == [0, 0]


def test_proposals_for_staff_annotate_sums_without_multiplying(call: Call) -> None:
    rows = {p.reference: p for p in staff_queries.proposals_for_staff(call)}
    assert sorted(rows) == [f"OGL-A-00{n}" for n in range(1, 7)]
    # Two budget lines and two partners: a join would give 6001.20 and 4.
    assert rows["OGL-A-001"].requested_total == Decimal("3000.30")
    assert rows["OGL-A-001"].partner_count == 2
    assert rows["OGL-A-003"].requested_total == Decimal("0.05")
    assert rows["OGL-A-003"].partner_count == 3
    assert rows["OGL-A-006"].requested_total == Decimal("0.00")
    assert rows["OGL-A-006"].partner_count == 0


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (ProposalFilter(state="submitted"), ["OGL-A-001", "OGL-A-006"]),
        (ProposalFilter(land="09"), ["OGL-A-003"]),
        (ProposalFilter(kind="gemeinde"), ["OGL-A-002", "OGL-A-005"]),
        (ProposalFilter(challenge="digitalisierung"), ["OGL-A-001", "OGL-A-002"]),
        (ProposalFilter(text="nauen"), ["OGL-A-002", "OGL-A-005"]),  # title and municipality
        (ProposalFilter(text="A-003"), ["OGL-A-003"]),
        (ProposalFilter(text="  Havelland "), ["OGL-A-001"]),
        (ProposalFilter(land="12", state="draft"), ["OGL-A-004"]),
        (ProposalFilter(land="12", challenge="strukturwandel"), ["OGL-A-001", "OGL-A-005"]),
    ],
)
def test_proposals_for_staff_filter(call: Call, filters: ProposalFilter, expected: list[str]) -> None:
    rows = staff_queries.proposals_for_staff(call, filters=filters)
    assert [p.reference for p in rows] == expected


@pytest.mark.parametrize(
    ("sort", "descending", "expected"),
    [
        ("reference", True, ["OGL-A-006", "OGL-A-005", "OGL-A-004", "OGL-A-003", "OGL-A-002", "OGL-A-001"]),
        ("requested", True, ["OGL-A-004", "OGL-A-001", "OGL-A-005", "OGL-A-002", "OGL-A-003", "OGL-A-006"]),
        ("requested", False, ["OGL-A-006", "OGL-A-003", "OGL-A-002", "OGL-A-005", "OGL-A-001", "OGL-A-004"]),
        ("partners", True, ["OGL-A-003", "OGL-A-001", "OGL-A-002", "OGL-A-004", "OGL-A-005", "OGL-A-006"]),
        # Lifecycle order: draft, submitted, eligible, invited, withdrawn.
        ("state", False, ["OGL-A-004", "OGL-A-001", "OGL-A-006", "OGL-A-002", "OGL-A-003", "OGL-A-005"]),
        # Without a municipality sorts last either way.
        (
            "municipality",
            False,
            ["OGL-A-003", "OGL-A-001", "OGL-A-004", "OGL-A-002", "OGL-A-005", "OGL-A-006"],
        ),
        ("land", True, ["OGL-A-001", "OGL-A-002", "OGL-A-004", "OGL-A-005", "OGL-A-003", "OGL-A-006"]),
        ("unknown", False, ["OGL-A-001", "OGL-A-002", "OGL-A-003", "OGL-A-004", "OGL-A-005", "OGL-A-006"]),
    ],
)
def test_proposals_for_staff_sort(call: Call, sort: str, descending: bool, expected: list[str]) -> None:
    rows = staff_queries.proposals_for_staff(call, sort=sort, descending=descending)
    assert [p.reference for p in rows] == expected


def test_proposals_for_staff_sort_by_submission_puts_drafts_last(call: Call) -> None:
    Proposal.objects.filter(reference="OGL-A-002").update(submitted_at=NOW)
    Proposal.objects.filter(reference="OGL-A-003").update(submitted_at=NOW.replace(day=1))
    rows = staff_queries.proposals_for_staff(call, sort="submitted", descending=True)
    assert [p.reference for p in rows][:2] == ["OGL-A-002", "OGL-A-003"]


def test_calls_for_staff_count_handed_in_and_drafts(call: Call) -> None:
    counted = {c.pk: (c.counted, c.drafts) for c in staff_queries.calls_for_staff()}  # type: ignore[attr-defined]
    assert counted[call.pk] == (4, 1)


def test_proposal_for_staff_raises_for_unknown_pk() -> None:
    with pytest.raises(ProposalNotFound):
        staff_queries.proposal_for_staff(987654)


def test_attachment_for_staff_raises_for_unknown_id() -> None:
    with pytest.raises(AttachmentNotFound):
        staff_queries.attachment_for_staff(987654)
