"""What of a committed version of content format 2 is disclosed in the open data. Pure: no Django.

An allow-list: the fields of the public part published elsewhere in the export
(:data:`DISCLOSED`, and of each partner :data:`DISCLOSED_PARTNER`) are shown in full, every other
field (the free texts: region, moderation, the partners' roles, the tasks, and any field a later
format adds) as ``{"$sha256": node_hash(value)}`` (``proposals.hashing``).

Used when a deadline is sealed (``services.commit_deadline`` stores each leaf's disclosure) and by
the export (``opendata/committed.py``, which checks a stored disclosure with
:func:`follows_allow_list` and ``hashing.disclosed_hash`` before writing it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oglabs.core.canonical import JSONValue
from oglabs.proposals.hashing import WITHHELD, disclose

#: Top-level fields of the public part shown in full (all published elsewhere in the export).
DISCLOSED = frozenset(
    {
        "format",
        "call",
        "reference",
        "stage",
        "title",
        "lead_municipality",
        "further_municipalities",
        "challenges",
        "lab_form",
        "partners",
        "budget",
        "own_contribution",
        "state_contribution",
    }
)
#: Fields of each partner shown in full (``role_in_lab`` is free text and withheld).
DISCLOSED_PARTNER = frozenset({"kind", "name", "cooperation_exists", "confirmation"})


def withheld_paths(public: Mapping[str, Any]) -> list[tuple[str | int, ...]]:
    """Every path of ``public`` that :data:`DISCLOSED` and :data:`DISCLOSED_PARTNER` do not show."""
    paths: list[tuple[str | int, ...]] = [(key,) for key in sorted(public) if key not in DISCLOSED]
    partners = public.get("partners")
    if isinstance(partners, list):
        keys = sorted({key for partner in partners if isinstance(partner, dict) for key in partner})
        for index, partner in enumerate(partners):
            if not isinstance(partner, dict):
                paths.append(("partners", index))
                continue
            paths += [
                ("partners", index, key) for key in keys if key in partner and key not in DISCLOSED_PARTNER
            ]
    return paths


def disclosure_of(public: Mapping[str, Any]) -> JSONValue:
    """The public part as disclosed: :func:`withheld_paths` replaced by their hashes."""
    return disclose(public, withhold=withheld_paths(public))


def _is_withheld(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and WITHHELD in value


def _holds_withheld(value: Any) -> bool:
    if isinstance(value, dict):
        return WITHHELD in value or any(_holds_withheld(item) for item in value.values())
    if isinstance(value, list):
        return any(_holds_withheld(item) for item in value)
    return False


def follows_allow_list(disclosure: Any) -> bool:
    """Whether ``disclosure`` withholds exactly what :func:`disclosure_of` withholds today: every
    field off the allow-list a ``{"$sha256": …}``, every field on it shown in full (no withheld
    subtree inside). ``False`` for anything else (an allow-list changed since, a partner that is not
    an object): the caller then discloses again from the content."""
    if not isinstance(disclosure, dict):
        return False
    for key, value in disclosure.items():
        if key not in DISCLOSED:
            if not _is_withheld(value):
                return False
        elif key != "partners" and _holds_withheld(value):
            return False
    partners = disclosure.get("partners")
    if not isinstance(partners, list):
        return not _holds_withheld(partners)
    for partner in partners:
        if not isinstance(partner, dict) or WITHHELD in partner:
            return False
        for key, value in partner.items():
            if key not in DISCLOSED_PARTNER:
                if not _is_withheld(value):
                    return False
            elif _holds_withheld(value):
                return False
    return True
