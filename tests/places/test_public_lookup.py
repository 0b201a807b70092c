"""The public look-up fragment ``public:municipality_search`` (no login)."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loaded_places")]

URL = reverse("public:municipality_search")


def test_municipality_search_url() -> None:
    assert URL == "/orte/suche/"


def test_municipality_search_lists_matches_for_anonymous(client, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(1):
        response = client.get(URL, {"q": "Flensburg"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    assert html.count("<li ") == 2
    assert html.index('<li data-ars="010010000000">') < html.index('<li data-ars="01059">')
    assert "<strong>Flensburg, Stadt</strong>" in html
    assert "(Stadt)" in html
    assert "kreisfrei" in html
    assert "Land: Schleswig-Holstein" in html
    assert "01001000" in html
    assert "<strong>Schleswig-Flensburg</strong>" in html
    assert "2 Treffer für „Flensburg“" in html
    assert "Quelle: Statistisches Bundesamt (Destatis), Gemeindeverzeichnis GV-ISys" in html
    assert "dl-de/by-2-0" in html
    assert "GeoBasis-DE" not in html  # no map here


def test_municipality_search_shows_kreis_and_landkreis(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get(URL, {"q": "Dithmarschen"}).content.decode()
    assert "<strong>Dithmarschen</strong>" in html
    assert "(Landkreis)" in html
    assert "Kreisschlüssel 01051" in html
    assert "<strong>Burg (Dithmarschen)</strong>" in html
    assert "Kreis: Dithmarschen" in html


def test_municipality_search_lists_at_most_ten(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get(URL, {"q": "Neustadt"}).content.decode()
    assert html.count("<li ") == 10
    assert "10 Treffer für „Neustadt“" in html


def test_municipality_search_without_query_asks_for_one(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(URL)
    assert response.status_code == 200
    assert "Bitte Namen oder Gemeindeschlüssel (AGS) eingeben." in response.content.decode()
    assert "<li" not in response.content.decode()


def test_municipality_search_without_match_says_so(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get(URL, {"q": "<b>xyzzy</b>"}).content.decode()
    assert "Keine Kommune gefunden für „&lt;b&gt;xyzzy&lt;/b&gt;“." in html
    assert "<b>" not in html


def test_municipality_search_refuses_post(client) -> None:  # type: ignore[no-untyped-def]
    assert client.post(URL, {"q": "Berlin"}).status_code == 405


def test_attribution_names_destatis_licence_and_for_maps_bkg() -> None:
    without_map = render_to_string("places/_attribution.html")
    assert (
        "Quelle: Statistisches Bundesamt (Destatis), Gemeindeverzeichnis GV-ISys, Gebietsstand 31.12.2019;"
        in (" ".join(without_map.split()))
    )
    assert '<a href="https://www.govdata.de/dl-de/by-2-0"' in without_map
    assert "GeoBasis-DE" not in without_map
    with_map = render_to_string("places/_attribution.html", {"maps": True})
    assert '<a href="https://www.bkg.bund.de/">© GeoBasis-DE / BKG 2021 (Daten verändert)</a>' in with_map
