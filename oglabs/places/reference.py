"""Reading the shipped reference data (Destatis GV-ISys, Gebietsstand 31.12.2019). No Django here.

Turns the CSV rows of ``oglabs/places/data/`` into plain records: the 16 Länder, the 401 Kreise and
the local authorities that can apply (every inhabited Gemeinde and every Landkreis, Kreis or
Regionalverband). Keys stay zero-padded strings throughout. ``fold_name`` is the one folding used
for stored search names and for queries alike.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

#: Where the shipped copies of the reference files live (see PROVENANCE.md next to them).
DATA_DIR = Path(__file__).resolve().parent / "data"
GEMEINDEVERZEICHNIS_FILE = "destatis_gv_auszug_2019-12-31.csv"
KREISE_FILE = "kreise_2019-12-31.csv"
LAENDER_FILE = "laender_2019-12-31.csv"

#: Satzart of a Gemeinde record in the Gemeindeverzeichnis.
SATZART_GEMEINDE = "60"
#: Gemeinde types (Textkennzeichen) that are a Stadt: Kreisfreie Stadt, Stadtkreis, Stadt, Große Kreisstadt.
CITY_TYPES = frozenset({"61", "62", "63", "67"})
#: Uninhabited gemeindefreies Gebiet (forests, lakes): not a local authority.
UNINHABITED_TYPE = "66"
#: Kreis types that are a Landkreis in the sense of the call: Kreis, Landkreis, Regionalverband.
COUNTY_TYPES = frozenset({"43", "44", "45"})

KIND_CITY = "stadt"
KIND_MUNICIPALITY = "gemeinde"
KIND_COUNTY = "landkreis"

_SPELLED_OUT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss", "ł": "l", "ø": "oe"})
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_DIGITS = re.compile(r"[0-9]+")


def fold_name(name: str) -> str:
    """Fold a place name (or a query) for matching.

    Lower case; ä/ö/ü/ß spelled out (ae, oe, ue, ss); other accents dropped (Budyšin → budysin);
    everything after the first comma dropped ("Flensburg, Stadt" → "flensburg"); any other
    punctuation becomes a single space ("Neustadt a.d.Donau" → "neustadt a d donau").
    """
    text = unicodedata.normalize("NFC", name).split(",", 1)[0].lower().translate(_SPELLED_OUT)
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return _NOT_ALNUM.sub(" ", text).strip()


def is_digits(text: str, length: int) -> bool:
    """True if ``text`` is exactly ``length`` ASCII digits."""
    return len(text) == length and _DIGITS.fullmatch(text) is not None


@dataclass(frozen=True, slots=True)
class StateRecord:
    ars: str
    code: str
    name: str
    population: int
    area_km2: Decimal


@dataclass(frozen=True, slots=True)
class DistrictRecord:
    ars: str
    state_ars: str
    name: str
    type_code: str
    official_type: str
    population: int
    area_km2: Decimal


@dataclass(frozen=True, slots=True)
class MunicipalityRecord:
    """A local authority that can apply: a Gemeinde (12-digit ARS, AGS) or a Landkreis (5-digit ARS)."""

    ars: str
    ags: str
    name: str
    search_name: str
    kind: str
    official_type: str
    state_ars: str
    district_ars: str
    population: int
    area_km2: Decimal | None
    urbanisation: int | None
    postcode: str
    longitude: float | None
    latitude: float | None


@dataclass(frozen=True, slots=True)
class ReferenceData:
    states: list[StateRecord]
    districts: list[DistrictRecord]
    municipalities: list[MunicipalityRecord]


def _key(value: str, length: int, what: str) -> str:
    if not is_digits(value, length):
        raise ValueError(f"{what}: expected {length} digits, got {value!r}")
    return value


def _optional_float(value: str) -> float | None:
    return float(value) if value else None


def _optional_decimal(value: str) -> Decimal | None:
    return Decimal(value) if value else None


def parse_states(rows: Iterable[Mapping[str, str]]) -> list[StateRecord]:
    """Länder from ``laender_2019-12-31.csv``."""
    return [
        StateRecord(
            ars=_key(row["ars"], 2, "Land"),
            code=row["kurz"],
            name=row["name"],
            population=int(row["bevoelkerung"]),
            area_km2=Decimal(row["flaeche_km2"]),
        )
        for row in rows
    ]


def parse_districts(rows: Iterable[Mapping[str, str]]) -> list[DistrictRecord]:
    """Kreise from ``kreise_2019-12-31.csv`` (population and area are sums over the Gemeinden)."""
    districts = []
    for row in rows:
        ars = _key(row["ars"], 5, "Kreis")
        if ars[:2] != row["land"]:
            raise ValueError(f"Kreis {ars}: Land {row['land']!r} does not match its key")
        districts.append(
            DistrictRecord(
                ars=ars,
                state_ars=_key(row["land"], 2, "Land"),
                name=row["name"],
                type_code=row["textkennzeichen"],
                official_type=row["typ"],
                population=int(row["bevoelkerung"]),
                area_km2=Decimal(row["flaeche_km2"]),
            )
        )
    return districts


def is_local_authority(row: Mapping[str, str]) -> bool:
    """A Gemeinde record that can apply: not an uninhabited gemeindefreies Gebiet."""
    return (
        row["satzart"] == SATZART_GEMEINDE
        and row["textkennzeichen"] != UNINHABITED_TYPE
        and int(row["bevoelkerung"] or 0) > 0
    )


def parse_gemeinde(row: Mapping[str, str]) -> MunicipalityRecord:
    """One Gemeinde record (Satzart 60) of the Gemeindeverzeichnis."""
    ars = _key(row["ars"], 12, "Gemeinde ARS")
    ags = _key(row["ags"], 8, "Gemeinde AGS")
    if ags != ars[:5] + ars[9:]:
        raise ValueError(f"Gemeinde {ars}: AGS {ags} does not match the ARS")
    kind = KIND_CITY if row["textkennzeichen"] in CITY_TYPES else KIND_MUNICIPALITY
    return MunicipalityRecord(
        ars=ars,
        ags=ags,
        name=row["name"],
        search_name=fold_name(row["name"]),
        kind=kind,
        official_type=row["typ"],
        state_ars=ars[:2],
        district_ars=ars[:5],
        population=int(row["bevoelkerung"]),
        area_km2=_optional_decimal(row["flaeche_km2"]),
        urbanisation=int(row["degurba_code"]) if row["degurba_code"] else None,
        postcode=row["plz_verwaltungssitz"],
        longitude=_optional_float(row["lon"]),
        latitude=_optional_float(row["lat"]),
    )


def weighted_centre(points: Iterable[tuple[float, float, int]]) -> tuple[float, float] | None:
    """Population-weighted mean of (longitude, latitude, population); None without population.

    A plain weighted mean of degrees: exact enough at the scale of a Kreis (a few tens of km).
    Rounded to 6 decimals (about 0.1 m).
    """
    total = lon_sum = lat_sum = 0.0
    for lon, lat, weight in points:
        total += weight
        lon_sum += lon * weight
        lat_sum += lat * weight
    if total <= 0:
        return None
    return round(lon_sum / total, 6), round(lat_sum / total, 6)


def county_record(district: DistrictRecord, gemeinden: list[MunicipalityRecord]) -> MunicipalityRecord:
    """A Landkreis as a local authority; its centre is the population-weighted centre of its Gemeinden."""
    centre = weighted_centre(
        (g.longitude, g.latitude, g.population)
        for g in gemeinden
        if g.longitude is not None and g.latitude is not None
    )
    return MunicipalityRecord(
        ars=district.ars,
        ags="",
        name=district.name,
        search_name=fold_name(district.name),
        kind=KIND_COUNTY,
        official_type=district.official_type,
        state_ars=district.state_ars,
        district_ars=district.ars,
        population=district.population,
        area_km2=district.area_km2,
        urbanisation=None,
        postcode="",
        longitude=centre[0] if centre else None,
        latitude=centre[1] if centre else None,
    )


def parse_reference(
    *,
    gemeinde_rows: Iterable[Mapping[str, str]],
    kreis_rows: Iterable[Mapping[str, str]],
    land_rows: Iterable[Mapping[str, str]],
) -> ReferenceData:
    """All records, checked for consistency: every Gemeinde in a known Kreis, every Kreis in a known Land."""
    states = parse_states(land_rows)
    districts = parse_districts(kreis_rows)
    state_keys = {s.ars for s in states}
    district_keys = {d.ars for d in districts}
    if len(state_keys) != len(states) or len(district_keys) != len(districts):
        raise ValueError("duplicate Land or Kreis key in the reference data")
    for district in districts:
        if district.state_ars not in state_keys:
            raise ValueError(f"Kreis {district.ars}: unknown Land {district.state_ars}")

    gemeinden = [parse_gemeinde(row) for row in gemeinde_rows if is_local_authority(row)]
    by_district: dict[str, list[MunicipalityRecord]] = {}
    for gemeinde in gemeinden:
        if gemeinde.district_ars not in district_keys:
            raise ValueError(f"Gemeinde {gemeinde.ars}: unknown Kreis {gemeinde.district_ars}")
        by_district.setdefault(gemeinde.district_ars, []).append(gemeinde)
    if len({g.ars for g in gemeinden}) != len(gemeinden):
        raise ValueError("duplicate Gemeinde key in the reference data")

    counties = [
        county_record(d, by_district.get(d.ars, [])) for d in districts if d.type_code in COUNTY_TYPES
    ]
    return ReferenceData(states=states, districts=districts, municipalities=gemeinden + counties)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def read_reference(data_dir: Path = DATA_DIR) -> ReferenceData:
    """Parse the three shipped CSV files."""
    return parse_reference(
        gemeinde_rows=read_csv(data_dir / GEMEINDEVERZEICHNIS_FILE),
        kreis_rows=read_csv(data_dir / KREISE_FILE),
        land_rows=read_csv(data_dir / LAENDER_FILE),
    )
