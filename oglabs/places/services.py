"""Writes: load the reference data (Länder, Kreise, local authorities) into the database."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TypeVar

from django.db import transaction
from django.db.models import Model

from oglabs.places.models import District, Municipality, State
from oglabs.places.reference import ReferenceData

__all__ = ["LoadResult", "load_reference_data"]

_BATCH_SIZE = 2000
_M = TypeVar("_M", bound=Model)


@dataclass(frozen=True, slots=True)
class LoadResult:
    states: int
    districts: int
    municipalities: int
    #: Local authorities per kind (``stadt``, ``gemeinde``, ``landkreis``).
    by_kind: dict[str, int]
    #: Rows inserted or updated (0 when the data is already loaded).
    written: int
    #: Rows no longer in the reference data, deleted.
    removed: int


def _upsert(model: type[_M], rows: list[_M], fields: list[str]) -> int:
    """Insert new rows and update changed ones, keyed by the primary key; unchanged rows are skipped."""
    attname_of = {field.name: field.attname for field in model._meta.concrete_fields}
    attnames = [attname_of[name] for name in fields]
    existing = {row[0]: row[1:] for row in model._default_manager.values_list("pk", *attnames)}
    changed = [row for row in rows if existing.get(row.pk) != tuple(getattr(row, a) for a in attnames)]
    model._default_manager.bulk_create(
        changed,
        batch_size=_BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["pk"],
        update_fields=fields,
    )
    return len(changed)


def _remove_stale(model: type[Model], keep: set[str]) -> int:
    stale = set(model._default_manager.values_list("pk", flat=True)) - keep
    if not stale:
        return 0
    deleted, _ = model._default_manager.filter(pk__in=sorted(stale)).delete()
    return deleted


@transaction.atomic
def load_reference_data(data: ReferenceData) -> LoadResult:
    """Insert new and update changed records, keyed by the official key; delete rows no longer there.

    Idempotent: loading the same data twice leaves the same rows (and the second time writes none). Reference data is not a domain
    state change, so no audit event is written. A stale municipality still referenced (e.g. by a
    user) makes the whole load fail with ``ProtectedError`` and nothing changes.
    """
    written = _upsert(
        State,
        [
            State(ars=s.ars, code=s.code, name=s.name, population=s.population, area_km2=s.area_km2)
            for s in data.states
        ],
        ["code", "name", "population", "area_km2"],
    )
    written += _upsert(
        District,
        [
            District(
                ars=d.ars,
                state_id=d.state_ars,
                name=d.name,
                kind=d.official_type,
                population=d.population,
                area_km2=d.area_km2,
            )
            for d in data.districts
        ],
        ["state", "name", "kind", "population", "area_km2"],
    )
    written += _upsert(
        Municipality,
        [
            Municipality(
                ars=m.ars,
                ags=m.ags,
                name=m.name,
                search_name=m.search_name,
                kind=m.kind,
                official_type=m.official_type,
                state_id=m.state_ars,
                district_id=m.district_ars,
                population=m.population,
                area_km2=m.area_km2,
                urbanisation=m.urbanisation,
                postcode=m.postcode,
                longitude=m.longitude,
                latitude=m.latitude,
            )
            for m in data.municipalities
        ],
        [
            "ags",
            "name",
            "search_name",
            "kind",
            "official_type",
            "state",
            "district",
            "population",
            "area_km2",
            "urbanisation",
            "postcode",
            "longitude",
            "latitude",
        ],
    )
    removed = _remove_stale(Municipality, {m.ars for m in data.municipalities})
    removed += _remove_stale(District, {d.ars for d in data.districts})
    removed += _remove_stale(State, {s.ars for s in data.states})
    return LoadResult(
        states=len(data.states),
        districts=len(data.districts),
        municipalities=len(data.municipalities),
        by_kind=dict(Counter(m.kind for m in data.municipalities)),
        written=written,
        removed=removed,
    )
