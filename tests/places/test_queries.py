"""Finding local authorities by name or official key, on the full reference data."""

from __future__ import annotations

import pytest
from django.db.models import Q

from oglabs.places.models import Municipality, MunicipalityKind
from oglabs.places.queries import (
    InvalidMunicipalityKey,
    UnknownMunicipality,
    get_municipality,
    search_municipalities,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loaded_places")]


def _ars(query: str, limit: int = 10) -> list[str]:
    return [m.ars for m in search_municipalities(query, limit=limit)]


def test_search_berlin_returns_berlin_first() -> None:
    results = search_municipalities("Berlin")
    assert results[0].ars == "110000000000"
    assert results[0].name == "Berlin, Stadt"
    # exact, then prefix (by population), then substring (by population)
    assert [m.name for m in results[:4]] == [
        "Berlin, Stadt",
        "Berlingerode",
        "Berlingen",
        "Bernau bei Berlin, Stadt",
    ]


def test_search_neustadt_is_ranked_by_population_then_key() -> None:
    assert _ars("Neustadt", limit=12) == [
        "09575",  # Landkreis Neustadt a.d.Aisch-Bad Windsheim, 101,014
        "09374",  # Landkreis Neustadt a.d.Waldnaab, 94,450
        "073160000000",  # Neustadt an der Weinstraße, 53,264
        "032410012012",
        "094730151151",
        "010550032032",
        "092730152152",
        "095750153153",
        "146280260260",
        "065340016016",
        "160755050073",
        "130765660105",
    ]
    assert _ars("Neustadt", limit=12) == _ars("Neustadt", limit=12)


def test_search_exact_before_prefix_before_substring() -> None:
    assert _ars("Essen", limit=5) == [
        "051130000000",  # Essen, Stadt: exact
        "092740128128",  # Essenbach: prefix
        "034530006006",  # Essen (Oldenburg): prefix
        "073395006017",  # Essenheim: prefix
        "06531",  # Landkreis Gießen: substring ("giessen")
    ]


def test_search_equal_names_are_ordered_by_population_then_key() -> None:
    results = search_municipalities("Neuenkirchen", limit=12)
    assert [m.name for m in results[:11]] == ["Neuenkirchen"] * 11
    assert [m.population for m in results[:3]] == [13887, 5634, 4599]
    assert results[11].name == "Neuenkirchen-Vörden"


def test_search_folds_the_query() -> None:
    expected = _ars("München")
    assert expected[:2] == ["091620000000", "09184"]
    assert _ars("muenchen") == expected
    assert _ars("  MÜNCHEN, Landeshauptstadt ") == expected


def test_search_by_key_prefix() -> None:
    assert _ars("01001000") == ["010010000000"]
    assert _ars("010010000000") == ["010010000000"]
    assert _ars("0105", limit=4) == ["01051", "010510011011", "010510044044", "010515163003"]
    assert _ars("01 051", limit=1) == ["01051"]


@pytest.mark.parametrize("prefix", ["0", "01", "019", "0105", "0919", "09779", "1", "16", "9", "99"])
def test_search_by_key_prefix_finds_every_key_starting_with_it(prefix: str) -> None:
    expected = Municipality.objects.filter(Q(ars__startswith=prefix) | Q(ags__startswith=prefix))
    assert sorted(_ars(prefix, limit=20000)) == sorted(expected.values_list("ars", flat=True))


def test_search_without_usable_query_is_empty() -> None:
    assert search_municipalities("") == []
    assert search_municipalities("   ") == []
    assert search_municipalities("?!.") == []
    assert search_municipalities("0123456789012") == []
    assert search_municipalities("Berlin", limit=0) == []
    assert search_municipalities("xyzzy") == []


def test_search_short_query_matches_by_prefix_only() -> None:
    results = search_municipalities("ne", limit=50)
    assert len(results) == 50
    assert all(m.search_name.startswith("ne") for m in results)
    assert [m.name for m in search_municipalities("Ulm", limit=5)] == [
        "Ulm, Universitätsstadt",
        "Ulmen, Stadt",
        "Ulmet",
        "Neu-Ulm",
        "Kulmbach",
    ]


def test_search_respects_limit() -> None:
    assert len(search_municipalities("a", limit=3)) == 3
    assert len(search_municipalities("a")) == 10


def test_search_loads_state_and_district_in_one_query(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(1):
        results = search_municipalities("Neustadt")
        names = [(m.state.name, m.district.name) for m in results]
    assert names[0] == ("Bayern", "Neustadt a.d.Aisch-Bad Windsheim")


def test_get_municipality_by_ags_ars_and_kreis_key() -> None:
    assert get_municipality("01001000").ars == "010010000000"
    assert get_municipality("010010000000").ags == "01001000"
    assert get_municipality(" 01001000 ").name == "Flensburg, Stadt"
    dithmarschen = get_municipality("01051")
    assert (dithmarschen.name, dithmarschen.kind) == ("Dithmarschen", MunicipalityKind.COUNTY)


def test_get_municipality_kreis_key_of_kreisfreie_stadt_is_the_city() -> None:
    assert get_municipality("11000").ars == "110000000000"
    assert get_municipality("01001").ars == "010010000000"
    assert get_municipality("08111").name == "Stuttgart, Landeshauptstadt"  # Stadtkreis


@pytest.mark.parametrize("key", ["99999999", "999999999999", "99999"])
def test_get_municipality_unknown_key_names_the_key(key: str) -> None:
    with pytest.raises(UnknownMunicipality) as raised:
        get_municipality(key)
    assert str(raised.value) == f"Unbekannter Gemeindeschlüssel: {key}"
    assert raised.value.key == key


def test_get_municipality_uninhabited_area_is_unknown() -> None:
    with pytest.raises(UnknownMunicipality) as raised:
        get_municipality("01053105")  # Sachsenwald, gemeindefreies Gebiet, unbewohnt
    assert str(raised.value) == "Unbekannter Gemeindeschlüssel: 01053105"


def test_get_municipality_key_of_wrong_length_is_malformed() -> None:
    with pytest.raises(InvalidMunicipalityKey) as raised:
        get_municipality("0100100")
    assert str(raised.value) == (
        "Ungültiger Gemeindeschlüssel: 0100100 hat 7 Ziffern; erwartet werden "
        "8 (AGS), 12 (Regionalschlüssel) oder 5 (Kreis)."
    )


@pytest.mark.parametrize("key", ["Flensburg", "01001-000", "０１００１０００"])
def test_get_municipality_key_with_other_characters_is_malformed(key: str) -> None:
    with pytest.raises(InvalidMunicipalityKey) as raised:
        get_municipality(key)
    assert str(raised.value) == (
        f"Ungültiger Gemeindeschlüssel: „{key}“. Ein Gemeindeschlüssel besteht nur aus Ziffern: "
        "8 (AGS), 12 (Regionalschlüssel) oder 5 (Kreis)."
    )


def test_get_municipality_empty_key_asks_for_one() -> None:
    with pytest.raises(InvalidMunicipalityKey) as raised:
        get_municipality("  ")
    assert str(raised.value) == "Bitte einen Gemeindeschlüssel angeben."
