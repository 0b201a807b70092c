"""Staff screens of a call: dashboard, list of proposals, one proposal, attachment downloads.

Only staff get in (jurors and applicants: 403, and nothing changes); the dashboard and the list
run the same small number of queries for 10 and for 1,000 proposals.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from oglabs.audit.models import AuditEvent
from oglabs.calls.models import Call, Challenge
from oglabs.places.models import Municipality
from oglabs.proposals import services
from oglabs.proposals.models import BudgetLine, Partner, Proposal
from tests.backoffice.conftest import login_with_second_factor
from tests.factories.accounts import JurorFactory, UserFactory
from tests.factories.proposals import (
    NOW,
    CallFactory,
    DistrictFactory,
    MunicipalityFactory,
    ProposalFactory,
    StateFactory,
)
from tests.proposals.conftest import complete_draft

pytestmark = pytest.mark.django_db

#: The most queries the dashboard and the list may run (session, user, authenticator, call with
#: phases and challenges, the figures or the page): the same for 10 and 1,000 proposals.
MAX_QUERIES = 12

PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


@pytest.fixture
def private_media(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "private-media"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


@pytest.fixture
def towns() -> list[Municipality]:
    bayern = StateFactory(
        ars="09", code="BY", name="Bayern", population=13124737, area_km2=Decimal("70541.52")
    )
    oberland = DistrictFactory(ars="09173", state=bayern, name="Bad Tölz-Wolfratshausen")
    return [
        MunicipalityFactory(ars="120630080080", name="Falkensee", kind="stadt"),
        MunicipalityFactory(ars="120630208208", name="Nauen", kind="gemeinde"),
        MunicipalityFactory(
            ars="09173", ags="", name="Bad Tölz-Wolfratshausen", kind="landkreis", district=oberland
        ),
    ]


def add_proposals(call: Call, towns: list[Municipality], count: int, *, start: int = 0) -> None:
    """``count`` handed-in proposals with two budget lines, two partners and a challenge each,
    written in bulk (a handful of INSERTs, whatever ``count``)."""
    states = ["submitted", "eligible", "invited", "draft"]
    proposals = Proposal.objects.bulk_create(
        Proposal(
            call=call,
            reference=f"OGL-L-{start + n:05d}",
            title=f"Labor {start + n}",
            state=states[n % len(states)],
            lead_municipality=towns[n % len(towns)],
            created_at=NOW,
            updated_at=NOW,
            submitted_at=None if states[n % len(states)] == "draft" else NOW,
        )
        for n in range(count)
    )
    BudgetLine.objects.bulk_create(
        BudgetLine(proposal=proposal, year=year, category="staff", amount=Decimal("1000.50"))
        for proposal in proposals
        for year in (2020, 2021)
    )
    Partner.objects.bulk_create(
        Partner(proposal=proposal, position=position, kind="civil_society", name=f"Verein {position}")
        for proposal in proposals
        for position in (0, 1)
    )
    challenges = list(Challenge.objects.filter(call=call).order_by("position"))
    through = Proposal.challenges.through
    through.objects.bulk_create(
        through(proposal_id=proposal.pk, challenge_id=challenges[n % len(challenges)].pk)
        for n, proposal in enumerate(proposals)
    )


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


# --- access ------------------------------------------------------------------------------------------


def _urls(proposal: Proposal, attachment_id: int) -> list[str]:
    slug = proposal.call.slug
    return [
        reverse("backoffice:call_dashboard", kwargs={"slug": slug}),
        reverse("backoffice:proposal_list", kwargs={"slug": slug}),
        reverse("backoffice:proposal_detail", kwargs={"pk": proposal.pk}),
        reverse("backoffice:attachment_download", kwargs={"attachment_id": attachment_id}),
    ]


@pytest.mark.parametrize("role", ["juror", "applicant"])
def test_call_screens_refuse_jurors_and_applicants_and_change_nothing(
    client: Client, private_media: Path, role: str
) -> None:
    proposal, member = complete_draft()
    attachment = services.add_attachment(
        proposal, actor=member, kind="other", uploaded_file=SimpleUploadedFile("Anlage.pdf", PDF), now=NOW
    )
    if role == "juror":
        login_with_second_factor(client, JurorFactory())
    else:
        client.force_login(member)  # even a member of the consortium
    events, state = AuditEvent.objects.count(), proposal.state
    urls = _urls(proposal, attachment.pk)
    for url in urls[:2]:
        assert client.get(url).status_code == 403, url
    # A juror may open a proposal and its files only when they review it (reviews.queries decides;
    # see test_conflict_routes.py); for any other proposal both answer 404, revealing nothing.
    for url in urls[2:]:
        assert client.get(url).status_code == (404 if role == "juror" else 403), url
    assert AuditEvent.objects.count() == events
    proposal.refresh_from_db()
    assert proposal.state == state


def test_call_screens_send_anonymous_to_login(client: Client) -> None:
    proposal = ProposalFactory()
    for url in _urls(proposal, 1):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_unknown_call_or_proposal_is_404_for_staff(staff_client: Client) -> None:
    assert (
        staff_client.get(reverse("backoffice:call_dashboard", kwargs={"slug": "gibt-es-nicht"})).status_code
        == 404
    )
    assert (
        staff_client.get(reverse("backoffice:proposal_list", kwargs={"slug": "gibt-es-nicht"})).status_code
        == 404
    )
    assert staff_client.get(reverse("backoffice:proposal_detail", kwargs={"pk": 99999})).status_code == 404
    url = reverse("backoffice:attachment_download", kwargs={"attachment_id": 99999})
    assert staff_client.get(url).status_code == 404


def test_call_screens_accept_only_get(staff_client: Client) -> None:
    call = CallFactory()
    response = staff_client.post(reverse("backoffice:call_dashboard", kwargs={"slug": call.slug}))
    assert response.status_code == 405


# --- home ----------------------------------------------------------------------------------------------


def test_home_lists_calls_with_links_to_their_dashboards(
    staff_client: Client, towns: list[Municipality]
) -> None:
    call = CallFactory(title="Regionale Open Government Labore 2019")
    add_proposals(call, towns, 8)
    response = staff_client.get(reverse("backoffice:home"))
    html = response.content.decode()
    assert reverse("backoffice:call_dashboard", kwargs={"slug": call.slug}) in html
    assert "Regionale Open Government Labore 2019" in html
    assert re.search(r"Eingereicht</dt>\s*<dd[^>]*>\s*6\s*</dd>", html)
    assert re.search(r"Entwürfe</dt>\s*<dd[^>]*>\s*2\s*</dd>", html)


def test_home_shows_jurors_their_reviews_placeholder(client: Client) -> None:
    CallFactory()
    login_with_second_factor(client, JurorFactory())
    html = client.get(reverse("backoffice:home")).content.decode()
    assert "Ihre Bewertungen" in html
    assert "/verwaltung/aufrufe/" not in html


# --- dashboard -----------------------------------------------------------------------------------------


def test_dashboard_shows_phase_next_due_counts_map_and_budget(
    staff_client: Client, towns: list[Municipality]
) -> None:
    call = CallFactory(budget=Decimal("3000.00"))
    add_proposals(call, towns, 8)  # 6 handed in and 2 drafts; 2 budget lines of 1000.50 each
    response = staff_client.get(reverse("backoffice:call_dashboard", kwargs={"slug": call.slug}))
    assert response.status_code == 200
    html = response.content.decode()
    # Timeline: the factory call's deadline is 31.10.2019 23:59; today is long after it.
    assert "Einreichungsfrist" in html
    # Budget: 6 × 2001.00 = 12006.00 against 3000.00 → 400 %.
    assert "12.006,00 € beantragt</strong>" in html
    assert "3.000,00 € verfügbar" in html
    assert "(400 %)" in html
    # Map: 16 Länder with a hover title each, and the table with the same numbers.
    assert html.count('class="og-map__land') == 16
    assert "<title>Brandenburg: 4</title>" in html  # Falkensee ×2, Nauen ×2 (drafts not counted)
    assert "<title>Bayern: 2</title>" in html
    assert "<title>Berlin: 0</title>" in html
    assert "© GeoBasis-DE / BKG 2021 (Daten verändert)" in html
    states = response.context["figures"].by_state
    assert {s.state.value: s.count for s in states if s.count} == {
        "draft": 2,
        "submitted": 2,
        "eligible": 2,
        "invited": 2,
    }
    list_url = reverse("backoffice:proposal_list", kwargs={"slug": call.slug})
    assert f'href="{list_url}?state=eligible"' in html
    assert f'href="{list_url}?land=09"' in html
    assert [
        (row["item"].key, row["item"].count, row["width"]) for row in response.context["challenge_rows"]
    ] == [
        ("strukturwandel", 4, "100"),
        ("digitalisierung", 2, "50"),
    ]


def test_dashboard_of_call_without_proposals_renders_zeroes(staff_client: Client) -> None:
    call = CallFactory()
    response = staff_client.get(reverse("backoffice:call_dashboard", kwargs={"slug": call.slug}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "0,00 € beantragt</strong>" in html
    assert "(0 %)" in html


# --- list ------------------------------------------------------------------------------------------


def test_list_filters_by_state_land_kind_challenge_and_text(
    staff_client: Client, towns: list[Municipality]
) -> None:
    call = CallFactory()
    add_proposals(call, towns, 24)
    url = reverse("backoffice:proposal_list", kwargs={"slug": call.slug})

    def references(**params: str) -> list[str]:
        response = staff_client.get(url, params)
        assert response.status_code == 200
        return [p.reference for p in response.context["page"].object_list]

    assert len(references()) == 24
    assert references(state="eligible") == [f"OGL-L-{n:05d}" for n in range(1, 24, 4)]
    assert references(land="09") == [f"OGL-L-{n:05d}" for n in range(2, 24, 3)]
    assert references(kind="stadt", state="submitted") == ["OGL-L-00000", "OGL-L-00012"]
    assert references(challenge="digitalisierung", land="09") == [
        "OGL-L-00005",
        "OGL-L-00011",
        "OGL-L-00017",
        "OGL-L-00023",
    ]
    assert references(q="Labor 17") == ["OGL-L-00017"]
    assert references(q="nauen", state="draft") == ["OGL-L-00007", "OGL-L-00019"]
    # An unknown value is ignored rather than refused.
    assert len(references(state="erfunden", land="99")) == 24


def test_list_sorts_by_column_with_aria_sort(staff_client: Client, towns: list[Municipality]) -> None:
    call = CallFactory()
    add_proposals(call, towns, 3)
    BudgetLine.objects.filter(proposal__reference="OGL-L-00001").update(amount=Decimal("5000.00"))
    url = reverse("backoffice:proposal_list", kwargs={"slug": call.slug})
    response = staff_client.get(url, {"sort": "requested", "dir": "desc"})
    assert [p.reference for p in response.context["page"].object_list] == [
        "OGL-L-00001",
        "OGL-L-00000",
        "OGL-L-00002",
    ]
    html = response.content.decode()
    assert html.count("aria-sort=") == 1
    assert re.search(
        r'aria-sort="descending">\s*<a class="og-sort-link" href="\?sort=requested&amp;dir=asc"', html
    )
    assert "10.000,00 €" in html
    response = staff_client.get(url, {"sort": "title"})
    assert 'aria-sort="ascending"' in response.content.decode()


def test_list_pages_by_fifty_and_keeps_filters_in_links(
    staff_client: Client, towns: list[Municipality]
) -> None:
    call = CallFactory()
    add_proposals(call, towns, 120)
    url = reverse("backoffice:proposal_list", kwargs={"slug": call.slug})
    response = staff_client.get(url, {"state": "submitted", "sort": "title", "page": "2"})
    page = response.context["page"]
    assert page.paginator.count == 30
    assert page.number == 1  # only one page of submitted ones: page 2 falls back to the last
    response = staff_client.get(url, {"page": "3"})
    assert [p.reference for p in response.context["page"].object_list][:1] == ["OGL-L-00100"]
    assert len(response.context["page"].object_list) == 20
    assert response.context["previous_url"] == "?page=2"
    assert response.context["next_url"] is None
    response = staff_client.get(url, {"kind": "stadt", "page": "x"})
    assert response.context["page"].number == 1
    assert response.context["next_url"] is None
    response = staff_client.get(url, {"land": "12"})
    assert response.context["next_url"] == "?land=12&page=2"


def test_dashboard_and_list_run_constant_queries_for_10_and_1000_proposals(
    staff_client: Client, towns: list[Municipality]
) -> None:
    call = CallFactory()
    dashboard = reverse("backoffice:call_dashboard", kwargs={"slug": call.slug})
    listing = reverse("backoffice:proposal_list", kwargs={"slug": call.slug})
    filtered = f"{listing}?state=submitted&land=12&sort=requested&dir=desc&page=2"
    add_proposals(call, towns, 10)
    staff_client.get(dashboard)  # warm the session and the map geometry
    small = {url: _queries(staff_client, url) for url in (dashboard, listing, filtered)}
    add_proposals(call, towns, 990, start=10)
    large = {url: _queries(staff_client, url) for url in (dashboard, listing, filtered)}
    assert large == small
    assert max(large.values()) <= MAX_QUERIES, large
    response = staff_client.get(listing)
    assert response.context["paginator"].count == 1000


# --- one proposal ----------------------------------------------------------------------------------


def test_detail_shows_content_versions_attachments_and_history(
    staff_client: Client, private_media: Path
) -> None:
    proposal, member = complete_draft()
    partner = proposal.partners.order_by("position").first()
    letter = services.add_attachment(
        proposal,
        actor=member,
        kind="letter_of_intent",
        partner=partner,
        uploaded_file=SimpleUploadedFile("Absichtserklärung Verein.pdf", PDF),
        now=NOW,
    )
    version = services.submit_proposal(proposal, actor=member, now=NOW)
    response = staff_client.get(reverse("backoffice:proposal_detail", kwargs={"pk": proposal.pk}))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        proposal.reference,
        "Offenes Havelland",
        "Falkensee",
        "Nauen",
        "Bürgerverein Havelland e. V.",
        "Fachhochschule Potsdam",
        "Absichtserklärung",  # the letter marks the partner
        "Bestätigung ausstehend",  # the other partner
        "Aufgabe 3",
        "92.500,25 €",  # requested total
        version.sha256,
        "Absichtserklärung Verein.pdf",
        "eingereicht",
        member.email,  # staff see who acted
    ):
        assert text in html, text
    assert reverse("backoffice:attachment_download", kwargs={"attachment_id": letter.pk}) in html
    assert [entry["event"].action for entry in response.context["history"]][-1] == "proposal.submitted"


def test_attachment_download_is_a_nosniff_attachment_for_staff(
    staff_client: Client, private_media: Path
) -> None:
    proposal, member = complete_draft()
    attachment = services.add_attachment(
        proposal, actor=member, kind="other", uploaded_file=SimpleUploadedFile("Anlage 1.pdf", PDF), now=NOW
    )
    response = staff_client.get(
        reverse("backoffice:attachment_download", kwargs={"attachment_id": attachment.pk})
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Anlage 1.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_staff_member_of_no_consortium_may_still_open_any_proposal(staff_client: Client) -> None:
    proposal = ProposalFactory(lead_municipality=None, title="")
    response = staff_client.get(reverse("backoffice:proposal_detail", kwargs={"pk": proposal.pk}))
    assert response.status_code == 200
    assert "(noch ohne Titel)" in response.content.decode()


def test_applicant_gets_403_not_a_file(client: Client, private_media: Path) -> None:
    proposal, member = complete_draft()
    attachment = services.add_attachment(
        proposal, actor=member, kind="other", uploaded_file=SimpleUploadedFile("Anlage.pdf", PDF), now=NOW
    )
    client.force_login(UserFactory())
    response = client.get(reverse("backoffice:attachment_download", kwargs={"attachment_id": attachment.pk}))
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
