"""Parsing and folding of the reference data (pure, no database)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oglabs.places.reference import (
    fold_name,
    is_local_authority,
    parse_gemeinde,
    parse_reference,
    read_reference,
    weighted_centre,
)


def _gemeinde_row(**overrides: str) -> dict[str, str]:
    row = {
        "ebene": "gemeinde",
        "satzart": "60",
        "textkennzeichen": "64",
        "typ": "Kreisangehörige Gemeinde",
        "ars": "010515163003",
        "ags": "01051003",
        "name": "Averlak",
        "flaeche_km2": "7.5",
        "bevoelkerung": "554",
        "plz_verwaltungssitz": "25715",
        "lon": "9.2",
        "lat": "54.0",
        "degurba_code": "3",
    }
    return row | overrides


def _kreis_row(**overrides: str) -> dict[str, str]:
    row = {
        "ars": "01051",
        "land": "01",
        "name": "Dithmarschen",
        "textkennzeichen": "43",
        "typ": "Kreis",
        "flaeche_km2": "1428.18",
        "bevoelkerung": "1554",
    }
    return row | overrides


_LAND_ROWS = [
    {"ars": "01", "kurz": "SH", "name": "Schleswig-Holstein", "flaeche_km2": "1.5", "bevoelkerung": "9"}
]


@pytest.mark.parametrize(
    ("name", "folded"),
    [
        ("Öhringen", "oehringen"),
        ("Großräschen", "grossraeschen"),
        ("Düsseldorf, Stadt", "duesseldorf"),
        ("MÜNCHEN", "muenchen"),
        ("Flensburg, Stadt", "flensburg"),
        ("Neustadt a.d.Donau, St", "neustadt a d donau"),
        ("Barbarossastadt Gelnhausen, Barbarossast., Krst.", "barbarossastadt gelnhausen"),
        ("Halle (Saale), Stadt", "halle saale"),
        ("Neustadt/ Westerwald", "neustadt westerwald"),
        ("Rendsburg-Eckernförde", "rendsburg eckernfoerde"),
        ("Bautzen / Budyšin, Stadt", "bautzen budysin"),
        ("Łęknica", "leknica"),
        ("  St. Ingbert  ", "st ingbert"),
    ],
)
def test_fold_name_spells_out_and_drops_suffix(name: str, folded: str) -> None:
    assert fold_name(name) == folded


def test_fold_name_of_punctuation_only_is_empty() -> None:
    assert fold_name(" .-/() ") == ""
    assert fold_name(", Stadt") == ""


@pytest.mark.parametrize(
    ("type_code", "kind"),
    [
        ("61", "stadt"),
        ("62", "stadt"),
        ("63", "stadt"),
        ("67", "stadt"),
        ("60", "gemeinde"),
        ("64", "gemeinde"),
        ("65", "gemeinde"),
    ],
)
def test_parse_gemeinde_kind_follows_official_type(type_code: str, kind: str) -> None:
    assert parse_gemeinde(_gemeinde_row(textkennzeichen=type_code)).kind == kind


def test_parse_gemeinde_keeps_keys_and_values() -> None:
    record = parse_gemeinde(_gemeinde_row())
    assert record.ars == "010515163003"
    assert record.ags == "01051003"
    assert record.state_ars == "01"
    assert record.district_ars == "01051"
    assert record.search_name == "averlak"
    assert record.population == 554
    assert record.area_km2 == Decimal("7.5")
    assert record.urbanisation == 3
    assert record.postcode == "25715"
    assert (record.longitude, record.latitude) == (9.2, 54.0)


def test_parse_gemeinde_rejects_unpadded_key() -> None:
    with pytest.raises(ValueError, match="expected 12 digits"):
        parse_gemeinde(_gemeinde_row(ars="10515163003"))


def test_parse_gemeinde_rejects_ags_not_matching_ars() -> None:
    with pytest.raises(ValueError, match="does not match the ARS"):
        parse_gemeinde(_gemeinde_row(ags="01051004"))


def test_is_local_authority_skips_uninhabited_and_other_levels() -> None:
    assert is_local_authority(_gemeinde_row()) is True
    assert is_local_authority(_gemeinde_row(textkennzeichen="65")) is True
    assert is_local_authority(_gemeinde_row(textkennzeichen="66", bevoelkerung="0")) is False
    assert is_local_authority(_gemeinde_row(textkennzeichen="66", bevoelkerung="12")) is False
    assert is_local_authority(_gemeinde_row(bevoelkerung="0")) is False
    assert is_local_authority(_gemeinde_row(satzart="50", textkennzeichen="51")) is False


def test_weighted_centre_weights_by_population() -> None:
    assert weighted_centre([(9.0, 54.0, 1), (10.0, 55.0, 3)]) == (9.75, 54.75)


def test_weighted_centre_without_population_is_none() -> None:
    assert weighted_centre([(9.0, 54.0, 0)]) is None
    assert weighted_centre([]) is None


def test_parse_reference_adds_counties_only_for_landkreise() -> None:
    data = parse_reference(
        gemeinde_rows=[
            _gemeinde_row(),
            _gemeinde_row(
                ars="010515163016", ags="01051016", name="Burg", bevoelkerung="1000", lon="9.5", lat="54.5"
            ),
            _gemeinde_row(ars="010539105105", ags="01053105", textkennzeichen="66", bevoelkerung="0"),
            _gemeinde_row(ars="010010000000", ags="01001000", textkennzeichen="61", name="Flensburg, Stadt"),
        ],
        kreis_rows=[
            _kreis_row(),
            _kreis_row(ars="01001", name="Flensburg, Stadt", textkennzeichen="41", typ="Kreisfreie Stadt"),
            _kreis_row(ars="01053", name="Herzogtum Lauenburg", textkennzeichen="44", typ="Landkreis"),
        ],
        land_rows=_LAND_ROWS,
    )
    assert [s.ars for s in data.states] == ["01"]
    assert [d.ars for d in data.districts] == ["01051", "01001", "01053"]
    assert [(m.ars, m.kind) for m in data.municipalities] == [
        ("010515163003", "gemeinde"),
        ("010515163016", "gemeinde"),
        ("010010000000", "stadt"),
        ("01051", "landkreis"),
        ("01053", "landkreis"),
    ]
    dithmarschen = data.municipalities[3]
    assert dithmarschen.ags == ""
    assert dithmarschen.population == 1554
    assert dithmarschen.area_km2 == Decimal("1428.18")
    # (9.2 * 554 + 9.5 * 1000) / 1554 and (54.0 * 554 + 54.5 * 1000) / 1554, rounded to 6 places
    assert (dithmarschen.longitude, dithmarschen.latitude) == (9.39305, 54.32175)
    lauenburg = data.municipalities[4]
    assert (lauenburg.longitude, lauenburg.latitude) == (None, None)


def test_parse_reference_rejects_gemeinde_in_unknown_kreis() -> None:
    with pytest.raises(ValueError, match="unknown Kreis 01051"):
        parse_reference(gemeinde_rows=[_gemeinde_row()], kreis_rows=[], land_rows=_LAND_ROWS)


def test_read_reference_counts_shipped_files() -> None:
    data = read_reference()
    assert len(data.states) == 16
    assert len(data.districts) == 401
    assert len(data.municipalities) == 11093
    kinds = [m.kind for m in data.municipalities]
    assert (kinds.count("stadt"), kinds.count("gemeinde"), kinds.count("landkreis")) == (2054, 8745, 294)
    assert sum(s.population for s in data.states) == 83_166_711
