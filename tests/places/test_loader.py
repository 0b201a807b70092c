"""``manage.py load_places`` and ``services.load_reference_data`` on the shipped files."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from oglabs.places.models import District, Municipality, MunicipalityKind, State
from oglabs.places.services import LoadResult
from tests.factories.accounts import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loaded_places")]

_COUNTS = "Länder: 16, Kreise: 401, Kommunen: 11093 (Städte: 2054, Gemeinden: 8745, Landkreise: 294); "


def _snapshot() -> list[tuple[object, ...]]:
    return (
        list(Municipality.objects.order_by("ars").values_list())
        + [tuple(row) for row in District.objects.order_by("ars").values_list()]
        + [tuple(row) for row in State.objects.order_by("ars").values_list()]
    )


def test_loaded_places_counts(loaded_places: LoadResult) -> None:
    assert loaded_places.by_kind == {"gemeinde": 8745, "stadt": 2054, "landkreis": 294}
    assert State.objects.count() == 16
    assert District.objects.count() == 401
    assert Municipality.objects.count() == 11093
    assert Municipality.objects.filter(kind=MunicipalityKind.CITY).count() == 2054
    assert Municipality.objects.filter(kind=MunicipalityKind.MUNICIPALITY).count() == 8745
    assert Municipality.objects.filter(kind=MunicipalityKind.COUNTY).count() == 294


def test_load_places_twice_keeps_the_same_rows() -> None:
    before = _snapshot()
    out = StringIO()
    call_command("load_places", stdout=out)
    call_command("load_places", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert all(line.startswith(_COUNTS + "geschrieben: 0, entfernt: 0; ") for line in lines)
    assert _snapshot() == before
    assert Municipality.objects.count() == 11093


def test_load_places_into_empty_tables() -> None:
    Municipality.objects.all().delete()
    District.objects.all().delete()
    State.objects.all().delete()
    out = StringIO()
    call_command("load_places", stdout=out)
    # 16 Länder + 401 Kreise + 11,093 Kommunen
    assert out.getvalue().startswith(_COUNTS + "geschrieben: 11510, entfernt: 0; ")
    assert (State.objects.count(), District.objects.count(), Municipality.objects.count()) == (16, 401, 11093)


def test_load_places_restores_a_changed_row() -> None:
    Municipality.objects.filter(ars="010010000000").update(population=1, search_name="x")
    out = StringIO()
    call_command("load_places", stdout=out)
    assert out.getvalue().startswith(_COUNTS + "geschrieben: 1, entfernt: 0; ")
    flensburg = Municipality.objects.get(ars="010010000000")
    assert (flensburg.population, flensburg.search_name) == (90164, "flensburg")


def test_flensburg_is_a_dense_city() -> None:
    flensburg = Municipality.objects.get(ags="01001000")
    assert flensburg.ars == "010010000000"
    assert flensburg.name == "Flensburg, Stadt"
    assert flensburg.search_name == "flensburg"
    assert flensburg.kind == MunicipalityKind.CITY
    assert flensburg.official_type == "Kreisfreie Stadt"
    assert flensburg.is_district_free is True
    assert flensburg.urbanisation == 1
    assert flensburg.population == 90164
    assert flensburg.area_km2 == Decimal("53.02")
    assert flensburg.postcode == "24937"
    assert (flensburg.longitude, flensburg.latitude) == (9.43751, 54.78252)
    assert (flensburg.state_id, flensburg.district_id) == ("01", "01001")


def test_landkreis_has_kreis_figures_and_weighted_centre() -> None:
    dithmarschen = Municipality.objects.get(ars="01051")
    assert dithmarschen.kind == MunicipalityKind.COUNTY
    assert dithmarschen.ags == ""
    assert dithmarschen.official_type == "Kreis"
    assert dithmarschen.is_district_free is False
    assert dithmarschen.population == 133193
    assert dithmarschen.area_km2 == Decimal("1428.18")
    assert dithmarschen.urbanisation is None
    assert (dithmarschen.longitude, dithmarschen.latitude) == (9.102107, 54.113064)
    assert dithmarschen.district_id == "01051"


def test_kreisfreie_staedte_are_not_loaded_as_landkreis() -> None:
    assert not Municipality.objects.filter(ars="01001").exists()
    assert District.objects.get(ars="01001").kind == "Kreisfreie Stadt"


def test_keys_stay_zero_padded_strings() -> None:
    states = list(State.objects.values_list("ars", flat=True))
    assert all(isinstance(key, str) and len(key) == 2 and key.isdigit() for key in states)
    assert State.objects.get(ars="01").code == "SH"
    for ars, ags, kind in Municipality.objects.values_list("ars", "ags", "kind"):
        if kind == MunicipalityKind.COUNTY:
            assert len(ars) == 5 and ags == "", ars
        else:
            assert len(ars) == 12 and len(ags) == 8 and ars[:5] + ars[9:] == ags, ars
    # Länder 01 to 09 keep their leading zero: 8,332 Gemeinden and 230 Landkreise.
    assert Municipality.objects.filter(ags__startswith="0").count() == 8332
    assert Municipality.objects.filter(ars__startswith="0").count() == 8562


def test_uninhabited_areas_are_skipped_and_inhabited_kept() -> None:
    assert not Municipality.objects.filter(ars="010539105105").exists()  # Sachsenwald, unbewohnt
    lohheide = Municipality.objects.get(ars="033519501501")
    assert lohheide.official_type == "Gemeindefreies Gebiet, bewohnt"
    assert lohheide.kind == MunicipalityKind.MUNICIPALITY


def test_load_places_removes_rows_no_longer_in_the_data() -> None:
    Municipality.objects.create(
        ars="010019999999",
        ags="01001999",
        name="Gibt es nicht",
        search_name="gibt es nicht",
        kind=MunicipalityKind.MUNICIPALITY,
        official_type="Kreisangehörige Gemeinde",
        state_id="01",
        district_id="01001",
        population=1,
    )
    out = StringIO()
    call_command("load_places", stdout=out)
    assert out.getvalue().startswith(_COUNTS + "geschrieben: 0, entfernt: 1; ")
    assert not Municipality.objects.filter(ars="010019999999").exists()


def test_load_places_fails_when_a_stale_row_is_in_use() -> None:
    stale = Municipality.objects.create(
        ars="010019999999",
        ags="01001999",
        name="Gibt es nicht",
        search_name="gibt es nicht",
        kind=MunicipalityKind.MUNICIPALITY,
        official_type="Kreisangehörige Gemeinde",
        state_id="01",
        district_id="01001",
        population=1,
    )
    UserFactory(municipality=stale)
    Municipality.objects.filter(ars="010010000000").update(population=1)
    with pytest.raises(CommandError, match="Eine nicht mehr vorhandene Kommune wird noch verwendet"):
        call_command("load_places", stdout=StringIO())
    assert Municipality.objects.filter(ars="010019999999").exists()
    assert Municipality.objects.get(ars="010010000000").population == 1
