"""Reads: find local authorities by name or official key."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from oglabs.places.models import DISTRICT_FREE_TYPES, Municipality, MunicipalityKind, State
from oglabs.places.reference import fold_name

__all__ = [
    "InvalidMunicipalityKey",
    "MunicipalityLookupError",
    "UnknownMunicipality",
    "all_states",
    "get_municipality",
    "search_municipalities",
]

#: Longest official key (ARS of a Gemeinde).
MAX_KEY_LENGTH = 12
#: Shorter name queries match by prefix only.
MIN_SUBSTRING_LENGTH = 3


class MunicipalityLookupError(Exception):
    """A key that does not lead to a municipality; the message is for people (German source string)."""

    def __init__(self, message: str, *, key: str) -> None:
        super().__init__(message)
        self.key = key


class InvalidMunicipalityKey(MunicipalityLookupError):
    """The key is not an AGS (8 digits), ARS (12 digits) or Kreis key (5 digits)."""


class UnknownMunicipality(MunicipalityLookupError):
    """The key is well-formed but names no local authority in the reference data."""


def _with_relations() -> QuerySet[Municipality]:
    return Municipality.objects.select_related("state", "district")


def _is_key_query(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _key_prefix(field: str, prefix: str) -> Q:
    """``field`` starts with the digits ``prefix``, as a range an index serves on any database.

    "0105" → 0105 <= field < 0106; "0199" → 0199 <= field < 02. (``startswith`` is a LIKE, which
    SQLite cannot answer from an index.) Only digits, so every collation orders them the same way.
    """
    stem = prefix.rstrip("9")
    condition = Q(**{f"{field}__gte": prefix})
    if stem:
        condition &= Q(**{f"{field}__lt": stem[:-1] + str(int(stem[-1]) + 1)})
    return condition


def search_municipalities(query: str, *, limit: int = 10) -> list[Municipality]:
    """Local authorities matching ``query``, best first, with ``state`` and ``district`` loaded.

    Digits (spaces ignored) search the official keys: ARS or AGS starting with them, an exact key
    first, then by ARS. Anything else searches the folded name (see ``reference.fold_name``):
    exact name before prefix before substring (substrings from 3 characters on), then larger
    population first, then ARS.
    """
    compact = "".join(query.split())
    if limit <= 0 or not compact:
        return []
    if _is_key_query(compact):
        if len(compact) > MAX_KEY_LENGTH:
            return []
        key_rank = Case(
            When(Q(ars=compact) | Q(ags=compact), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        by_key = (
            _with_relations()
            .filter(_key_prefix("ars", compact) | _key_prefix("ags", compact))
            .annotate(rank=key_rank)
            .order_by("rank", "ars")
        )
        return list(by_key[:limit])

    folded = fold_name(query)
    if not folded:
        return []
    name_rank = Case(
        When(search_name=folded, then=Value(0)),
        When(search_name__startswith=folded, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    # One or two letters occur in nearly every name: match those by prefix only.
    matches = (
        Q(search_name__contains=folded)
        if len(folded) >= MIN_SUBSTRING_LENGTH
        else Q(search_name__startswith=folded)
    )
    by_name = (
        _with_relations().filter(matches).annotate(rank=name_rank).order_by("rank", "-population", "ars")
    )
    return list(by_name[:limit])


def get_municipality(key: str) -> Municipality:
    """The local authority with this official key, with ``state`` and ``district`` loaded.

    Accepts an 8-digit AGS, a 12-digit ARS or a 5-digit Kreis key (a Landkreis, or the one Gemeinde
    of a kreisfreie Stadt / Stadtkreis). Surrounding spaces are ignored; the key stays a string.

    Raises ``InvalidMunicipalityKey`` for a malformed key and ``UnknownMunicipality`` if no
    local authority has it.
    """
    key = key.strip()
    if not key:
        raise InvalidMunicipalityKey(_("Bitte einen Gemeindeschlüssel angeben."), key=key)
    if not _is_key_query(key):
        raise InvalidMunicipalityKey(
            _(
                "Ungültiger Gemeindeschlüssel: „%(key)s“. Ein Gemeindeschlüssel besteht nur aus "
                "Ziffern: 8 (AGS), 12 (Regionalschlüssel) oder 5 (Kreis)."
            )
            % {"key": key[:40]},
            key=key,
        )
    if len(key) == 8:
        condition = Q(ags=key)
    elif len(key) == 12:
        condition = Q(ars=key)
    elif len(key) == 5:
        condition = Q(ars=key, kind=MunicipalityKind.COUNTY) | Q(
            district_id=key, official_type__in=DISTRICT_FREE_TYPES
        )
    else:
        raise InvalidMunicipalityKey(
            _(
                "Ungültiger Gemeindeschlüssel: %(key)s hat %(count)s Ziffern; erwartet werden "
                "8 (AGS), 12 (Regionalschlüssel) oder 5 (Kreis)."
            )
            % {"key": key[:40], "count": len(key)},
            key=key,
        )
    matches = list(_with_relations().filter(condition).order_by("ars")[:2])
    if len(matches) != 1:
        # Zero matches, or (never in the shipped data) a Kreis key that is not one authority.
        raise UnknownMunicipality(_("Unbekannter Gemeindeschlüssel: %(key)s") % {"key": key}, key=key)
    return matches[0]


def all_states() -> list[State]:
    """The 16 Länder by Regionalschlüssel (01 Schleswig-Holstein … 16 Thüringen)."""
    return list(State.objects.order_by("ars"))
