"""The public decision page, one proposal's page and the map of the selected labs."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from oglabs.accounts.models import User
from oglabs.proposals.models import Partner, ProposalVersion
from oglabs.public import presenters_decision
from oglabs.reviews.models import Juror
from oglabs.selection.models import DecisionEntry, Outcome
from oglabs.transparency import merkle, public_queries
from oglabs.transparency.models import DeadlineCommitment, PublicText, TextStatus
from tests.factories.opendata import PARTNER_CONTACT, PUBLISHED_AT, decided_call
from tests.factories.proposals import CallFactory, MunicipalityFactory, ProposalFactory
from tests.factories.selection import DecisionEntryFactory, DecisionFactory

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def decision_url(slug: str, **params: str) -> str:
    url = reverse("public:call_decision", kwargs={"slug": slug})
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


def table_references(html: str) -> list[str]:
    body = html[html.index("<tbody>", html.index('id="entries-caption"')) :]
    body = body[: body.index("</tbody>")]
    return re.findall(r'<span class="og-ref">([^<]+)</span>', body)


# --- before publication ----------------------------------------------------------------------------


def test_decision_page_before_publication_says_so_and_shows_no_entry(client: Client) -> None:
    built = decided_call(proposals=4, published=False)

    response = client.get(decision_url(built.call.slug))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Die Auswahlentscheidung ist noch nicht veröffentlicht." in html
    for proposal in built.proposals:
        assert proposal.reference not in html
        assert proposal.lead_municipality is not None
        assert proposal.lead_municipality.name not in html


def test_decision_page_of_a_call_without_decision_says_not_published(client: Client) -> None:
    call = CallFactory()

    response = client.get(decision_url(call.slug))

    assert response.status_code == 200
    assert "Die Auswahlentscheidung ist noch nicht veröffentlicht." in response.content.decode()


@pytest.mark.parametrize("name", ["decision_map"])
def test_decision_files_before_publication_are_not_found(client: Client, name: str) -> None:
    built = decided_call(proposals=3, published=False)

    response = client.get(reverse(f"public:{name}", kwargs={"slug": built.call.slug}))

    assert response.status_code == 404


def test_proposal_page_before_publication_is_not_found(client: Client) -> None:
    built = decided_call(proposals=3, published=False)
    url = reverse(
        "public:decision_proposal",
        kwargs={"slug": built.call.slug, "reference": built.proposals[0].reference},
    )

    assert client.get(url).status_code == 404


def test_decision_page_of_unpublished_call_is_not_found(client: Client) -> None:
    call = CallFactory(is_published=False)

    assert client.get(decision_url(call.slug)).status_code == 404


# --- the published decision ------------------------------------------------------------------------


def test_decision_page_shows_criteria_rules_jury_and_every_entry(client: Client) -> None:
    built = decided_call(proposals=8)

    response = client.get(decision_url(built.call.slug))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Regionale Relevanz" in html and "Beteiligung der Zivilgesellschaft" in html
    assert "Ausgewählt werden höchstens 3 Labore." in html
    assert "Zusammen erhalten die ausgewählten Labore höchstens 450.000 €." in html
    assert "Aus einem Land werden höchstens 2 Labore ausgewählt" in html
    assert "Mindestens 50 % der ausgewählten Labore liegen im ländlichen Raum" in html
    assert "Im Kriterium „Regionale Relevanz“ sind mindestens 3 Punkte nötig" in html
    # The jury by organisation and count, never by person.
    assert "4 Mitglieder, nach Organisation:" in html
    assert "<li>Deutscher Landkreistag: 2</li>" in html
    assert "<li>Bertelsmann Stiftung: 1</li>" in html
    assert "Jurymitglieder haben 1 Befangenheit erklärt." in html
    archive = reverse("public:open_data_file", kwargs={"slug": built.call.slug, "filename": "open-data.zip"})
    assert f'href="{archive}"' in html
    assert f'href="{archive.replace("open-data.zip", "verify_decision.py")}"' in html
    entries = DecisionEntry.objects.filter(decision=built.decision)
    assert sorted(table_references(html)) == sorted(entries.values_list("proposal__reference", flat=True))
    assert len(built.proposals) == entries.count() == 8


def test_decision_page_lists_selected_labs_first_then_by_rank(client: Client) -> None:
    built = decided_call(proposals=8)
    entries = list(DecisionEntry.objects.filter(decision=built.decision).select_related("proposal"))
    expected = [
        e.proposal.reference
        for e in sorted(entries, key=lambda e: (e.outcome != Outcome.SELECTED, e.rank, e.pk))
    ]

    html = client.get(decision_url(built.call.slug)).content.decode()

    assert table_references(html) == expected
    assert any(e.outcome == Outcome.SELECTED for e in entries)


def test_decision_page_shows_only_the_confirmed_redacted_reason(client: Client) -> None:
    built = decided_call(proposals=4)
    first, second = built.proposals[0], built.proposals[1]
    # The second reason loses its confirmation: it must disappear from the page.
    text = PublicText.objects.get(decision=built.decision, proposal=second)
    text.status, text.confirmed_by, text.confirmed_at = TextStatus.MARKED, None, None
    text.save()

    html = client.get(decision_url(built.call.slug)).content.decode()

    assert f"Begründung für {first.reference}: Ansprechpartnerin [geschwärzt]." in html
    assert f"Begründung für {second.reference}" not in html
    assert "Erika" not in html and "Musterfrau" not in html


def test_decision_pages_and_map_show_no_personal_data(client: Client) -> None:
    built = decided_call(proposals=6)
    Juror.objects.filter(call=built.call).update(expertise="Expertin Hildegard Geheimname")
    urls = [
        decision_url(built.call.slug),
        "/en" + decision_url(built.call.slug),
        reverse("public:decision_map", kwargs={"slug": built.call.slug}),
        reverse("public:call_statistics", kwargs={"slug": built.call.slug}),
        *(
            reverse("public:decision_proposal", kwargs={"slug": built.call.slug, "reference": p.reference})
            for p in built.proposals
        ),
    ]
    emails = list(User.objects.values_list("email", flat=True)) + [
        PARTNER_CONTACT.format(n=n) for n in range(1, 7)
    ]
    assert emails

    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        content = response.content.decode()
        assert "@" not in content.replace("regionale-open-government-labore@bmi.bund.de", ""), url
        for email in emails:
            assert email not in content, (url, email)
        for secret in ("Erika", "Musterfrau", "Geheimname", "Interner Kommentar", "Nicht öffentlich"):
            assert secret not in content, (url, secret)


def test_decision_page_shows_per_criterion_means_and_amounts_of_an_entry(client: Client) -> None:
    built = decided_call(proposals=5)
    entry = DecisionEntry.objects.filter(decision=built.decision).order_by("rank").first()
    assert entry is not None

    html = client.get(decision_url(built.call.slug, sort="rank")).content.decode()

    row = html[html.index(f'<span class="og-ref">{entry.proposal.reference}</span>') :]
    row = row[: row.index("</tr>")]
    assert re.search(r"<td>[0-9.]+ €</td><td>[0-9.]+ €</td>", row)
    cells = re.findall(r"<td>([^<]*)</td>", row)
    # Land, partners, three criterion means, score, requested, granted, outcome, reason.
    assert len(cells) == 10
    assert (
        cells[1]
        == f"Bürgerverein {built.proposals.index(entry.proposal) + 1} e. V.; Hochschule Beispielstadt"
    )
    assert cells[5] == str(entry.score.normalize()).replace(".", ",")


def test_decision_page_filters_by_outcome_and_land(client: Client) -> None:
    built = decided_call(proposals=9)
    expected = sorted(
        DecisionEntry.objects.filter(
            decision=built.decision,
            outcome=Outcome.NOT_SELECTED,
            proposal__lead_municipality__state_id="13",
        ).values_list("proposal__reference", flat=True)
    )

    html = client.get(decision_url(built.call.slug, outcome="not_selected", land="13")).content.decode()

    assert sorted(table_references(html)) == expected


def test_decision_page_ignores_invalid_filter_values(client: Client) -> None:
    built = decided_call(proposals=4)

    response = client.get(decision_url(built.call.slug, outcome="gewonnen", land="99", sort="x", page="y"))

    assert response.status_code == 200
    assert len(table_references(response.content.decode())) == 4


def test_decision_page_sorts_by_requested_amount(client: Client) -> None:
    built = decided_call(proposals=6)
    entries = DecisionEntry.objects.filter(decision=built.decision).select_related("proposal")
    expected = [
        e.proposal.reference for e in sorted(entries, key=lambda e: (-e.requested_amount, e.rank, e.pk))
    ]

    html = client.get(decision_url(built.call.slug, sort="requested")).content.decode()

    assert table_references(html) == expected


def _many_entries(count: int, prefix: str = "OGL-X") -> tuple[str, list[str]]:
    """A published decision with ``count`` plain entries; returns the slug and the references
    in the default order (selected first, then rank)."""
    decision = DecisionFactory(published_at=PUBLISHED_AT)
    municipality = MunicipalityFactory()
    references = []
    selected = []
    for rank in range(1, count + 1):
        outcome = Outcome.SELECTED if rank % 10 == 0 else Outcome.NOT_SELECTED
        entry = DecisionEntryFactory(
            decision=decision,
            rank=rank,
            outcome=outcome,
            proposal=ProposalFactory(
                call=decision.call, lead_municipality=municipality, reference=f"{prefix}-{rank:04d}"
            ),
        )
        (selected if outcome == Outcome.SELECTED else references).append(entry.proposal.reference)
    return decision.call.slug, selected + references


def test_decision_page_shows_30_rows_per_page_and_links_the_next(client: Client) -> None:
    slug, order = _many_entries(40)

    first = client.get(decision_url(slug)).content.decode()
    second = client.get(decision_url(slug, page="2")).content.decode()
    beyond = client.get(decision_url(slug, page="9")).content.decode()

    assert table_references(first) == order[:30]
    assert table_references(second) == order[30:]
    assert table_references(beyond) == order[30:]
    assert 'href="?page=2#entries-heading" rel="next"' in first
    assert "Seite 1 von 2 (Nr. 1–30)." in first


def test_decision_page_runs_a_constant_number_of_queries(client: Client) -> None:
    slug_small, _ = _many_entries(5)
    slug_large, _ = _many_entries(120, prefix="OGL-Y")
    client.get(decision_url(slug_small))  # figures cached after the first view
    client.get(decision_url(slug_large))

    with CaptureQueriesContext(connection) as small:
        client.get(decision_url(slug_small))
    with CaptureQueriesContext(connection) as large:
        client.get(decision_url(slug_large, page="2", land="12", sort="land"))

    assert len(small.captured_queries) == len(large.captured_queries)


def test_decision_page_is_cacheable_and_answers_304_to_its_etag(client: Client) -> None:
    built = decided_call(proposals=3)
    url = decision_url(built.call.slug)

    response = client.get(url)
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])

    assert response["Cache-Control"] == "public, max-age=60"
    assert "Cookie" in response["Vary"]
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert again.status_code == 304
    assert again.content == b""


def test_decision_page_signed_in_is_private(client: Client) -> None:
    built = decided_call(proposals=3)
    client.force_login(User.objects.order_by("pk").first())

    response = client.get(decision_url(built.call.slug))

    assert response["Cache-Control"] == "private, max-age=0"


def test_decision_page_in_english(client: Client) -> None:
    built = decided_call(proposals=3)

    response = client.get("/en" + decision_url(built.call.slug))

    html = response.content.decode()
    assert '<html lang="en"' in html
    assert 'href="' + decision_url(built.call.slug) + '"' in html  # the link to the German page


# --- the map ------------------------------------------------------------------------------------------


def test_decision_map_draws_a_point_per_selected_lab(client: Client) -> None:
    built = decided_call(proposals=8)
    selected = DecisionEntry.objects.filter(decision=built.decision, outcome=Outcome.SELECTED).select_related(
        "proposal__lead_municipality"
    )

    response = client.get(reverse("public:decision_map", kwargs={"slug": built.call.slug}))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    root = ET.fromstring(response.content)  # noqa: S314  # our own SVG
    titles = sorted(c.find(f"{SVG}title").text or "" for c in root.iter(f"{SVG}circle"))  # type: ignore[union-attr]
    assert titles == sorted(
        f"{e.proposal.lead_municipality.name} ({e.proposal.reference})"  # type: ignore[union-attr]
        for e in selected
    )
    assert titles


# --- one proposal -------------------------------------------------------------------------------------


def test_proposal_page_shows_the_published_data_with_version_hash(client: Client) -> None:
    built = decided_call(proposals=4)
    proposal = built.proposals[1]
    version = ProposalVersion.objects.create(
        proposal=proposal,
        number=1,
        kind="submitted",
        stage="sketch",
        content={},
        sha256="ab" * 32,
        created_at=dt.datetime(2019, 10, 30, 12, 0, tzinfo=dt.UTC),
    )
    entry = DecisionEntry.objects.get(decision=built.decision, proposal=proposal)

    response = client.get(
        reverse("public:decision_proposal", kwargs={"slug": built.call.slug, "reference": proposal.reference})
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert version.sha256 in html
    assert "Fassung Nr. 1, eingereicht am 30.10.2019, 13:00 Uhr" in html
    assert f"Begründung für {proposal.reference}: Ansprechpartnerin [geschwärzt]." in html
    assert "Nachbargemeinde 2" in html
    assert "Bürgerverein 2 e. V." in html and "(Zivilgesellschaft)" in html
    assert f"{entry.rank} von 4" in html
    assert str(Outcome(entry.outcome).label) in html
    assert proposal.title not in html  # free text outside the redaction: not published


def test_proposal_page_shows_the_inclusion_proof_of_the_deadline_commitment(client: Client) -> None:
    built = decided_call(proposals=3)
    items = [(p.reference, f"{i:064x}") for i, p in enumerate(built.proposals, start=1)]
    leaves = merkle.build_leaves(items)
    root = merkle.root([leaf.hash for leaf in leaves])
    deadline_at = dt.datetime(2019, 10, 31, 22, 59, 59, tzinfo=dt.UTC)
    DeadlineCommitment.objects.create(
        call=built.call,
        kind="deadline",
        deadline_at=deadline_at,
        root=root,
        leaf_count=len(leaves),
        leaves=[leaf.as_dict() for leaf in leaves],
        tree_format=merkle.FORMAT,
        created_at=deadline_at + dt.timedelta(minutes=1),
    )
    proposal = built.proposals[0]

    html = client.get(
        reverse("public:decision_proposal", kwargs={"slug": built.call.slug, "reference": proposal.reference})
    ).content.decode()

    assert root in html
    leaf = next(leaf for leaf in leaves if leaf.reference == proposal.reference)
    assert leaf.hash in html


@pytest.mark.parametrize("reference", ["OGL-0000-9999", "nicht%00da"])
def test_proposal_page_of_an_unknown_reference_is_not_found(client: Client, reference: str) -> None:
    built = decided_call(proposals=3)

    response = client.get(f"{decision_url(built.call.slug)}{reference}/")

    assert response.status_code == 404


def test_proposal_page_lists_no_partner_contact(client: Client) -> None:
    built = decided_call(proposals=3)
    proposal = built.proposals[0]
    Partner.objects.filter(proposal=proposal).update(contact_email="vorstand.privat@example.org")

    html = client.get(f"{decision_url(built.call.slug)}{proposal.reference}/").content.decode()

    assert "vorstand.privat" not in html
    assert Decimal(0) <= DecisionEntry.objects.get(proposal=proposal).score


def test_table_cuts_a_long_reason_at_a_word_and_links_the_whole() -> None:
    reason = "Wort " * 100 + "Ende."
    row = public_queries.EntryRow(
        proposal_id=1,
        reference="OGL-1",
        rank=1,
        outcome=Outcome.NOT_SELECTED,
        waitlist_position=None,
        score=Decimal("1.5000"),
        requested=Decimal("1000.00"),
        granted=Decimal("0.00"),
        municipality="Falkensee <Stadt>",
        municipality_kind="stadt",
        land_ars="12",
        land="Brandenburg",
        partners=(),
        per_criterion={},
        reason=reason,
    )

    html = str(presenters_decision.entry_rows_html([row], [], currency="EUR", data_lang=""))

    cell = html[html.rindex("<td>") : html.rindex("</td>")]
    assert cell.endswith('Wort … <a href="OGL-1/">ganze Begründung</a>')
    assert len(cell) < presenters_decision.REASON_IN_TABLE + 60
    assert "Ende." not in html
    assert "Falkensee &lt;Stadt&gt;" in html
