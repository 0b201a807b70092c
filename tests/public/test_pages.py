"""The public pages: reachable without login, one <h1>, language, skip link, CSP, own assets only."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.template import Context, loader
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories.calls import make_call

PUBLIC_PAGES = [
    "public:home",
    "public:impressum",
    "public:datenschutz",
    "public:barrierefreiheit",
    "public:leichte_sprache",
    "account_login",
    "account_signup",
]


class _Tags(HTMLParser):
    """Collects start tags with their attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def _get(client: Client, url: str) -> tuple[int, str, str]:
    response = client.get(url)
    return (
        response.status_code,
        response.content.decode(),
        response.headers.get("Content-Security-Policy", ""),
    )


@pytest.fixture
def calls(db):  # type: ignore[no-untyped-def]
    closed = make_call()
    upcoming = make_call(
        slug="aufruf-2099",
        title="Zweite Runde",
        budget="1250000.50",
        max_labs=8,
        opens_at=dt.date(2099, 1, 1),
        deadline_at=dt.date(2099, 3, 31),
        workshop_starts_at=None,
        workshop_ends_at=None,
        selection_starts_at=None,
        selection_ends_at=None,
        funding_starts_on=dt.date(2099, 6, 1),
        funding_ends_on=dt.date(2100, 5, 31),
    )
    return closed, upcoming


@pytest.mark.django_db
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page_anonymous_has_frame(client: Client, name: str) -> None:
    status, html, csp = _get(client, reverse(name))

    assert status == 200
    assert html.count("<h1") == 1
    assert '<html lang="de"' in html
    tags = _tags(html)
    first_focusable = next(
        attrs for tag, attrs in tags if tag in {"a", "button", "input"} and attrs.get("type") != "hidden"
    )
    assert first_focusable["href"] == "#main"
    assert ("main", {"id": "main", "class": "og-main", "tabindex": "-1"}) in tags
    assert "default-src 'self'" in csp
    assert "<style" not in html
    assert not [attrs for _tag, attrs in tags if "style" in attrs]


@pytest.mark.django_db
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page_assets_come_from_static(client: Client, name: str) -> None:
    _status, html, _csp = _get(client, reverse(name))

    tags = _tags(html)
    assets = [
        attrs.get("src") or attrs.get("href") for tag, attrs in tags if tag in {"link", "script", "img"}
    ]
    assert assets
    assert all(url is not None and url.startswith("/static/") for url in assets), assets
    # no inline scripts: every <script> has a src
    assert [tag for tag, attrs in tags if tag == "script" and not attrs.get("src")] == []


@pytest.mark.django_db
def test_call_detail_anonymous_shows_call(client: Client, calls) -> None:  # type: ignore[no-untyped-def]
    status, html, csp = _get(client, reverse("public:call_detail", kwargs={"slug": "aufruf-2019"}))

    assert status == 200
    assert html.count("<h1") == 1
    assert "default-src 'self'" in csp
    assert "3.000.000 €" in html
    assert "31.10.2019, 23:59 Uhr" in html
    assert "01.01.2020 bis 31.12.2022" in html
    assert "Teilnehmen können Städte, Gemeinden und Landkreise." in html
    assert "Bewältigung des regionalen Strukturwandels" in html
    assert 'href="mailto:regionale-open-government-labore@bmi.bund.de"' in html


@pytest.mark.django_db
def test_call_detail_unpublished_is_404(client: Client) -> None:
    make_call(is_published=False)

    response = client.get(reverse("public:call_detail", kwargs={"slug": "aufruf-2019"}))

    assert response.status_code == 404


@pytest.mark.django_db
def test_home_lists_calls_with_status(client: Client, calls) -> None:  # type: ignore[no-untyped-def]
    _status, html, _csp = _get(client, reverse("public:home"))

    assert "3.000.000 €" in html
    assert "1.250.000,50 €" in html
    assert "bis zu 16 Labore" in html
    assert "31.10.2019, 23:59 Uhr" in html
    assert "Bewerbungsfrist abgelaufen" in html
    assert "Bewerbung möglich ab 01.01.2099, 00:00 Uhr" in html
    assert html.index("Zweite Runde") < html.index("Regionale Open Government Labore</h3>")


@pytest.mark.django_db
def test_home_open_call_shows_deadline(client: Client) -> None:
    make_call(
        opens_at=dt.date(2020, 1, 1),
        deadline_at=dt.date(2099, 10, 31),
        workshop_starts_at=None,
        workshop_ends_at=None,
        selection_starts_at=None,
        selection_ends_at=None,
    )

    _status, html, _csp = _get(client, reverse("public:home"))

    assert "Bewerbung möglich bis 31.10.2099, 23:59 Uhr" in html


@pytest.mark.django_db
def test_home_without_calls_says_so(client: Client) -> None:
    _status, html, _csp = _get(client, reverse("public:home"))

    assert "Derzeit ist kein Förderaufruf veröffentlicht." in html


@pytest.mark.django_db
def test_language_switch_to_english_sets_lang_en(client: Client) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": "/impressum/"})

    assert response.status_code == 302
    assert response["Location"] == "/en/impressum/"
    html = client.get(response["Location"]).content.decode()
    assert '<html lang="en"' in html
    assert re.search(r'<button[^>]*value="en"[^>]*aria-current="true"', html)


@pytest.mark.django_db
def test_language_switch_marks_current_language(client: Client) -> None:
    _status, html, _csp = _get(client, reverse("public:home"))

    assert re.search(r'<button[^>]*value="de"[^>]*aria-current="true"', html)
    assert not re.search(r'<button[^>]*value="en"[^>]*aria-current', html)


@pytest.mark.django_db
def test_unknown_page_renders_404_template(client: Client) -> None:
    response = client.get("/gibt-es-nicht/")

    html = response.content.decode()
    assert response.status_code == 404
    assert html.count("<h1") == 1
    assert "Seite nicht gefunden" in html
    assert '<html lang="de"' in html
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_server_error_template_renders_without_context() -> None:
    html = loader.get_template("500.html").template.render(Context())

    assert html.count("<h1") == 1
    assert "Fehler auf dem Server" in html
    assert 'href="#main"' in html


@pytest.mark.django_db
def test_legal_pages_show_operator_from_settings(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.OGLABS_OPERATOR_NAME = "Bundesamt für Beispiele"
    settings.OGLABS_OPERATOR_ACCESSIBILITY_EMAIL = "barrieren@beispiel.example"
    settings.OGLABS_OPERATOR_ACCESSIBILITY_REVIEWED_ON = "2026-11-02"

    impressum = client.get(reverse("public:impressum")).content.decode()
    statement = client.get(reverse("public:barrierefreiheit")).content.decode()

    assert "Bundesamt für Beispiele" in impressum
    assert 'href="mailto:barrieren@beispiel.example"' in statement
    assert "Diese Erklärung wurde am 02.11.2026 erstellt" in statement
    assert "Schlichtungsstelle nach § 16 BGG" in statement


@pytest.mark.django_db
def test_leichte_sprache_stays_german_in_english_interface(client: Client, calls) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/en/leichte-sprache/").content.decode()

    assert '<html lang="en"' in html
    assert '<div class="og-prose og-easy" lang="de">' in html
    assert "Für alle Labore zusammen gibt es 1.250.000,50 €." in html


@pytest.mark.django_db
def test_home_query_count_does_not_grow_with_calls(client: Client) -> None:
    make_call()
    client.get(reverse("public:home"))  # warm up session and cache tables
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("public:home"))
    make_call(slug="aufruf-b")
    make_call(slug="aufruf-c")
    with CaptureQueriesContext(connection) as three:
        client.get(reverse("public:home"))

    assert len(three) == len(one)
