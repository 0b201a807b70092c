"""The read API at /api/v1/: the OpenAPI schema, exactly the fields of the public pages, nothing
personal, pagination, caching and clean errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from oglabs.accounts.models import User
from oglabs.selection.models import DecisionEntry, Outcome
from oglabs.transparency import public_queries
from tests.factories.opendata import PARTNER_CONTACT, decided_call
from tests.factories.proposals import CallFactory

pytestmark = pytest.mark.django_db

SUMMARY = {
    "slug", "title", "sponsor", "programme", "budget", "currency", "budget_reservation", "max_labs",
    "funding_starts_on", "funding_ends_on", "status", "opens_at", "deadline_at", "decision_published", "url",
}  # fmt: skip
DETAIL = SUMMARY | {
    "description",
    "phases",
    "eligibility",
    "challenges",
    "partner_organisations",
    "commitments",
}
STATISTICS = {
    "call", "stages", "handed_in", "counted", "without_municipality", "by_land", "by_kind", "by_challenge",
    "requested_total", "budget", "outcomes", "granted_total",
}  # fmt: skip
DECISION = {
    "call", "decided_at", "published_at", "criteria", "rules", "parameters", "aggregation", "run", "jury",
    "jurors", "conflicts_declared", "conflicts_detected", "outcomes", "lands", "selected", "entry_count",
    "granted_total",
}  # fmt: skip
ENTRY = {
    "reference", "rank", "outcome", "waitlist_position", "score", "requested", "granted", "municipality",
    "municipality_kind", "land_ars", "land", "partners", "per_criterion", "reason",
}  # fmt: skip
ENTRY_DETAIL = ENTRY | {
    "further_municipalities", "challenges", "version_number", "version_sha256", "version_submitted_at",
    "inclusion_proofs",
}  # fmt: skip


def get_json(client: Client, url: str, status: int = 200) -> Any:
    response = client.get(url)
    assert response.status_code == status, (url, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def all_keys(data: Any) -> set[str]:
    if isinstance(data, dict):
        return set(data) | {key for value in data.values() for key in all_keys(value)}
    if isinstance(data, list):
        return {key for item in data for key in all_keys(item)}
    return set()


def test_openapi_schema_loads_and_lists_every_endpoint(client: Client) -> None:
    schema = get_json(client, "/api/v1/openapi.json")

    assert schema["openapi"].startswith("3.")
    assert sorted(schema["paths"]) == [
        "/api/v1/calls",
        "/api/v1/calls/{slug}",
        "/api/v1/calls/{slug}/decision",
        "/api/v1/calls/{slug}/proposals",
        "/api/v1/calls/{slug}/proposals/{reference}",
        "/api/v1/calls/{slug}/statistics",
    ]
    assert all(set(item) == {"get"} for item in schema["paths"].values())


def test_health_still_answers_at_its_url(client: Client) -> None:
    assert get_json(client, "/api/v1/health") == {"status": "ok"}


def test_api_root_lists_schema_and_calls(client: Client) -> None:
    assert get_json(client, "/api/v1/") == {
        "openapi": "/api/v1/openapi.json",
        "calls": "/api/v1/calls",
        "health": "/api/v1/health",
    }


def test_every_endpoint_returns_exactly_the_public_fields_and_nothing_personal(client: Client) -> None:
    built = decided_call(proposals=6)
    slug = built.call.slug
    reference = built.proposals[0].reference

    calls = get_json(client, "/api/v1/calls")
    detail = get_json(client, f"/api/v1/calls/{slug}")
    statistics = get_json(client, f"/api/v1/calls/{slug}/statistics")
    decision = get_json(client, f"/api/v1/calls/{slug}/decision")
    page = get_json(client, f"/api/v1/calls/{slug}/proposals")
    entry = get_json(client, f"/api/v1/calls/{slug}/proposals/{reference}")

    assert [set(item) for item in calls] == [SUMMARY]
    assert set(detail) == DETAIL
    assert set(statistics) == STATISTICS
    assert set(decision) == DECISION
    assert set(page) == {"items", "count", "page", "pages", "per_page"}
    assert all(set(item) == ENTRY for item in page["items"])
    assert set(entry) == ENTRY_DETAIL
    assert set(decision["jury"][0]) == {"organisation", "members"}
    assert set(page["items"][0]["partners"][0]) == {"name", "kind"}
    everything = json.dumps([calls, detail, statistics, decision, page, entry], ensure_ascii=False)
    keys = all_keys([calls, detail, statistics, decision, page, entry])
    assert not keys & {"email", "user", "user_id", "first_name", "last_name", "contact_email", "title_of_lab"}
    for email in [
        *User.objects.values_list("email", flat=True),
        *(PARTNER_CONTACT.format(n=n) for n in range(1, 7)),
    ]:
        assert email not in everything
    assert "Erika" not in everything and "Musterfrau" not in everything
    assert "Interner Kommentar" not in everything
    assert built.proposals[0].title not in everything


def test_decision_endpoint_matches_the_page_data(client: Client) -> None:
    built = decided_call(proposals=6)
    expected = public_queries.published_decision(built.call)
    assert expected is not None

    decision = get_json(client, f"/api/v1/calls/{built.call.slug}/decision")

    assert decision["entry_count"] == expected.entry_count == 6
    assert [c["key"] for c in decision["criteria"]] == [c.key for c in expected.criteria]
    assert decision["parameters"]["max_labs"] == 3
    assert decision["parameters"]["budget"] == "450000.00"
    assert decision["jury"] == [
        {"organisation": "Bertelsmann Stiftung", "members": 1},
        {"organisation": "Deutscher Landkreistag", "members": 2},
        {"organisation": "Deutscher Städtetag", "members": 1},
    ]
    assert decision["conflicts_declared"] == 1
    assert [lab["reference"] for lab in decision["selected"]] == [lab.reference for lab in expected.selected]
    assert "Ausgewählt werden höchstens 3 Labore." in decision["rules"]


def test_proposals_endpoint_paginates_filters_and_sorts_like_the_page(client: Client) -> None:
    built = decided_call(proposals=9)
    entries = list(DecisionEntry.objects.filter(decision=built.decision).select_related("proposal"))

    everything = get_json(client, f"/api/v1/calls/{built.call.slug}/proposals?sort=rank")
    not_selected = get_json(client, f"/api/v1/calls/{built.call.slug}/proposals?outcome=not_selected&land=13")
    empty = get_json(client, f"/api/v1/calls/{built.call.slug}/proposals?land=01")

    assert everything["count"] == 9 and everything["pages"] == 1 and everything["per_page"] == 30
    assert [item["reference"] for item in everything["items"]] == [
        e.proposal.reference for e in sorted(entries, key=lambda e: (e.rank, e.pk))
    ]
    assert {item["reference"] for item in not_selected["items"]} == {
        e.proposal.reference
        for e in entries
        if e.outcome == Outcome.NOT_SELECTED and e.proposal.lead_municipality_id.startswith("13")  # type: ignore[union-attr]
    }
    assert empty == {"items": [], "count": 0, "page": 1, "pages": 1, "per_page": 30}


def test_decision_endpoints_before_publication_are_not_found(client: Client) -> None:
    built = decided_call(proposals=3, published=False)
    slug = built.call.slug

    for url in (
        f"/api/v1/calls/{slug}/decision",
        f"/api/v1/calls/{slug}/proposals",
        f"/api/v1/calls/{slug}/proposals/{built.proposals[0].reference}",
    ):
        assert get_json(client, url, status=404) == {
            "detail": "Die Auswahlentscheidung ist noch nicht veröffentlicht."
        }
    assert get_json(client, f"/api/v1/calls/{slug}/statistics")["outcomes"] is None


def test_unpublished_and_unknown_calls_are_not_found(client: Client) -> None:
    hidden = CallFactory(is_published=False)

    assert get_json(client, f"/api/v1/calls/{hidden.slug}", status=404) == {
        "detail": "Diesen Förderaufruf gibt es nicht."
    }
    assert get_json(client, "/api/v1/calls") == []


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/calls/%00",
        "/api/v1/calls/x/proposals?page=0",
        "/api/v1/calls/x/proposals?land=Bayern",
        "/api/v1/calls/x/proposals?outcome=gewonnen",
        "/api/v1/calls/x/proposals/%C3%A4%00",
    ],
)
def test_invalid_parameters_are_refused_with_422(client: Client, url: str) -> None:
    assert client.get(url).status_code == 422


def test_answers_are_cacheable_and_revalidate_with_their_etag(client: Client) -> None:
    built = decided_call(proposals=3)
    url = f"/api/v1/calls/{built.call.slug}/decision"

    response = client.get(url)
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])

    assert response["Cache-Control"] == "public, max-age=60"
    assert again.status_code == 304
