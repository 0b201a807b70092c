"""The public statistics page of a call: aggregate numbers only, cacheable, constant queries."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from oglabs.proposals.models import BudgetLine, Proposal
from oglabs.proposals.states import ProposalState
from oglabs.public import presenters_decision
from oglabs.transparency import public_queries
from tests.factories.opendata import decided_call
from tests.factories.proposals import (
    CallFactory,
    DistrictFactory,
    MunicipalityFactory,
    ProposalFactory,
    StateFactory,
)

pytestmark = pytest.mark.django_db

S = ProposalState


def statistics_url(slug: str) -> str:
    return reverse("public:call_statistics", kwargs={"slug": slug})


def _row(html: str, label: str) -> str:
    start = html.index(f">{label}</th>")
    return html[start : html.index("</tr>", start)]


def _count(html: str, label: str) -> int:
    match = re.search(r'og-chart-cell__value">(\d+)<', _row(html, label))
    assert match, label
    return int(match.group(1))


@pytest.fixture
def call_with_proposals():  # type: ignore[no-untyped-def]
    call = CallFactory(budget=Decimal("1000000.00"))
    brandenburg = MunicipalityFactory(kind="gemeinde")
    saxony = MunicipalityFactory(
        ars="145210000001",
        kind="stadt",
        district=DistrictFactory(
            ars="14521", name="Erzgebirgskreis", state=StateFactory(ars="14", code="SN", name="Sachsen")
        ),
    )
    states = [
        S.DRAFT,
        S.SUBMITTED,
        S.SUBMITTED,
        S.ELIGIBLE,
        S.INELIGIBLE,
        S.IN_COMPETITION,
        S.WITHDRAWN,
        S.MERGED,
    ]
    proposals = []
    for index, state in enumerate(states):
        proposal = ProposalFactory(
            call=call, state=state, lead_municipality=saxony if index % 2 else brandenburg
        )
        BudgetLine.objects.create(proposal=proposal, year=2020, category="staff", amount=Decimal("100000.00"))
        proposals.append(proposal)
    proposals[1].challenges.add(call.challenges.get(key="digitalisierung"))
    return call, proposals


def test_statistics_page_counts_by_stage_without_drafts_and_merged(
    client: Client, call_with_proposals
) -> None:  # type: ignore[no-untyped-def]
    call, _ = call_with_proposals

    response = client.get(statistics_url(call.slug))

    assert response.status_code == 200
    html = response.content.decode()
    assert _count(html, "eingereicht, Prüfung läuft") == 2
    assert _count(html, "förderfähig") == 1
    assert _count(html, "nicht förderfähig") == 1
    assert _count(html, "im Teilnahmewettbewerb") == 1
    assert _count(html, "entschieden") == 0
    assert _count(html, "zurückgezogen") == 1
    assert _count(html, "Eingereicht insgesamt") == 6


def test_statistics_page_counts_by_land_kind_and_challenge(client: Client, call_with_proposals) -> None:  # type: ignore[no-untyped-def]
    call, _ = call_with_proposals

    html = client.get(statistics_url(call.slug)).content.decode()

    # Counted: handed in, not withdrawn, not merged. Brandenburg (even positions): submitted and
    # ineligible; Sachsen (odd): submitted, eligible and in the competition.
    land_table = html[html.index('id="land-table-caption"') :]
    assert re.search(r">Brandenburg</th>\s*<td[^>]*>2</td>", land_table)
    assert re.search(r">Sachsen</th>\s*<td[^>]*>3</td>", land_table)
    assert _count(html, "Gemeinde") == 2
    assert _count(html, "Stadt") == 3
    assert _count(html, "Landkreis") == 0
    assert _count(html, "Digitalisierung") == 1
    assert _count(html, "Strukturwandel") == 0


def test_statistics_page_shows_requested_against_available_as_chart_and_table(
    client: Client, call_with_proposals
) -> None:  # type: ignore[no-untyped-def]
    call, _ = call_with_proposals

    html = client.get(statistics_url(call.slug)).content.decode()

    assert '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 108" class="og-chart" role="img"' in html
    assert "Fördervolumen: 1.000.000 €</text>" in html
    assert "Beantragt (alle eingereichten): 500.000 €</text>" in html
    assert re.search(r">Fördervolumen</th>\s*<td[^>]*>1.000.000 €</td>", html)
    assert re.search(r">Beantragt \(alle eingereichten\)</th>\s*<td[^>]*>500.000 €</td>", html)
    assert "Beantragt sind 50 % des Fördervolumens." in html
    assert "Bewilligt" not in html  # no decision published


def test_statistics_page_with_published_decision_shows_outcomes_and_granted(client: Client) -> None:
    built = decided_call(proposals=6)
    statistics = public_queries.call_statistics(built.call)
    assert statistics.outcomes is not None

    html = client.get(statistics_url(built.call.slug)).content.decode()

    selected = statistics.outcomes[0]
    assert re.search(rf">ausgewählt</th>\s*<td[^>]*>{selected.count}</td>", html)
    assert "Bewilligt (ausgewählte Labore)" in html
    assert reverse("public:call_decision", kwargs={"slug": built.call.slug}) in html


def test_statistics_page_before_publication_shows_no_outcomes(client: Client) -> None:
    built = decided_call(proposals=4, published=False)

    html = client.get(statistics_url(built.call.slug)).content.decode()

    assert "Ergebnis der veröffentlichten Auswahlentscheidung" not in html
    assert "Bewilligt" not in html
    assert _count(html, "entschieden") == 4  # the aggregate stage, no outcome


def test_statistics_page_in_english_has_english_language(client: Client, call_with_proposals) -> None:  # type: ignore[no-untyped-def]
    call, _ = call_with_proposals

    response = client.get("/en" + statistics_url(call.slug))

    assert response.status_code == 200
    assert '<html lang="en"' in response.content.decode()


def test_statistics_page_is_cacheable_and_answers_304(client: Client, call_with_proposals) -> None:  # type: ignore[no-untyped-def]
    call, _ = call_with_proposals
    url = statistics_url(call.slug)

    response = client.get(url)
    conditional = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])

    assert response["Cache-Control"] == "public, max-age=300"
    assert conditional.status_code == 304
    assert "Set-Cookie" not in response.headers


def test_statistics_of_unknown_or_unpublished_call_is_not_found(client: Client) -> None:
    hidden = CallFactory(is_published=False)

    assert client.get(statistics_url("gibt-es-nicht")).status_code == 404
    assert client.get(statistics_url(hidden.slug)).status_code == 404


def test_statistics_page_runs_a_constant_number_of_queries(client: Client) -> None:
    small, large = CallFactory(), CallFactory()
    municipality = MunicipalityFactory()
    for call, count in ((small, 2), (large, 40)):
        for _ in range(count):
            ProposalFactory(call=call, state=S.SUBMITTED, lead_municipality=municipality)

    with CaptureQueriesContext(connection) as few:
        client.get(statistics_url(small.slug))
    with CaptureQueriesContext(connection) as many:
        client.get(statistics_url(large.slug))

    assert len(few.captured_queries) == len(many.captured_queries)
    assert Proposal.objects.filter(call=large).count() == 40


def test_bar_chart_svg_scales_to_the_largest_amount_and_escapes_labels() -> None:
    bars = [
        presenters_decision.Bar("a", "<Volumen>", Decimal("100"), "#fff"),
        presenters_decision.Bar("b", "Antrag & Co", Decimal("250"), "#000"),
    ]

    svg = presenters_decision.bar_chart_svg(bars, title="T", description="D", currency="EUR", id_prefix="x")

    widths = [float(w) for w in re.findall(r'<rect x="1" y="\d+" width="([\d.]+)"', svg)]
    assert widths == [159.2, 398.0]
    assert "&lt;Volumen&gt;: 100 €" in svg and "Antrag &amp; Co: 250 €" in svg
    assert 'aria-labelledby="x-title x-desc"' in svg
