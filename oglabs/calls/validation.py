"""Cleaning and validating call data for :mod:`oglabs.calls.services`.

Input values may be Python values (``date``, aware ``datetime``, ``Decimal``, ``int``,
``bool``) or strings as typed in a German form ("31.10.2019", "31.10.2019 14:00",
"3.000.000,00"). Dates given for an instant become 00:00 (starts) or 23:59:59.999999 (ends
and deadlines) Europe/Berlin, see :mod:`oglabs.calls.timeline`.

Every problem becomes a German message keyed by field; nothing here touches the database.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from oglabs.calls import timeline
from oglabs.calls.challenges import DEFAULT_CHALLENGES
from oglabs.calls.models import APPLICANT_KINDS, Currency

CALL_FIELDS: tuple[str, ...] = (
    "slug",
    "title",
    "description",
    "sponsor",
    "programme",
    "budget",
    "currency",
    "budget_reservation",
    "max_labs",
    "funding_starts_on",
    "funding_ends_on",
    "contact_email",
    "partner_organisations",
    "is_published",
)
SCHEDULE_FIELDS = timeline.SCHEDULE_FIELDS
ELIGIBILITY_FIELDS: tuple[str, ...] = (
    "applicant_kinds",
    "min_municipalities",
    "min_civil_society_partners",
    "requires_tasks",
    "requires_cost_estimate",
    "requires_own_contribution",
)
#: Fields accepted by ``update_call``; ``create_call`` also takes ``challenges``.
UPDATABLE_FIELDS: tuple[str, ...] = CALL_FIELDS + SCHEDULE_FIELDS + ELIGIBILITY_FIELDS
REQUIRED_FIELDS = frozenset(
    {
        "slug",
        "title",
        "sponsor",
        "programme",
        "budget",
        "max_labs",
        "funding_starts_on",
        "funding_ends_on",
        "contact_email",
        "opens_at",
        "deadline_at",
    }
)
DEFAULTS: dict[str, Any] = {
    "description": "",
    "currency": Currency.EUR.value,
    "budget_reservation": False,
    "partner_organisations": "",
    "is_published": False,
    "workshop_starts_at": None,
    "workshop_ends_at": None,
    "revision_deadline_at": None,
    "selection_starts_at": None,
    "selection_ends_at": None,
    "applicant_kinds": list(APPLICANT_KINDS),
    "min_municipalities": 1,
    "min_civil_society_partners": 1,
    "requires_tasks": True,
    "requires_cost_estimate": True,
    "requires_own_contribution": False,
}
_START_EDGES = frozenset({"opens_at", "workshop_starts_at", "selection_starts_at"})
_MAX_LENGTHS = {"slug": 100, "title": 300, "sponsor": 300, "programme": 300}
_BUDGET_MAX = Decimal("999999999999.99")  # max_digits=14, decimal_places=2


class _Invalid(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Cleaned:
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def add_error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)


# --- single values --------------------------------------------------------------------------


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise _Invalid(_("Bitte einen Text angeben."))
    text = value.strip()
    limit = _MAX_LENGTHS.get(name)
    if limit is not None and len(text) > limit:
        raise _Invalid(_("Höchstens %(limit)d Zeichen.") % {"limit": limit})
    return text


def _required_text(value: Any, name: str) -> str:
    text = _text(value, name)
    if not text:
        raise _Invalid(_("Dieses Feld ist erforderlich."))
    return text


def _slug(value: Any, name: str) -> str:
    text = _required_text(value, name)
    try:
        validate_slug(text)
    except ValidationError as error:
        raise _Invalid(_("Nur Kleinbuchstaben, Ziffern und Bindestriche.")) from error
    if text != text.lower():
        raise _Invalid(_("Nur Kleinbuchstaben, Ziffern und Bindestriche."))
    return text


def _email(value: Any, name: str) -> str:
    text = _required_text(value, name)
    try:
        validate_email(text)
    except ValidationError as error:
        raise _Invalid(_("Bitte eine gültige E-Mail-Adresse angeben.")) from error
    return text.lower()


def _lines(value: Any, name: str) -> str:
    if isinstance(value, list | tuple):
        if not all(isinstance(item, str) for item in value):
            raise _Invalid(_("Bitte einen Text angeben."))
        value = "\n".join(value)
    text = _text(value, name)
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


_GERMAN_AMOUNT = re.compile(r"^\d{1,3}(\.\d{3})+(,\d{1,2})?$|^\d+,\d{1,2}$")


def parse_amount(value: Any) -> Decimal:
    """A money amount: ``Decimal``, ``int`` or a string ("3000000.00", "3.000.000,00")."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise _Invalid(_("Bitte einen Betrag in Euro angeben."))
    if isinstance(value, str):
        text = value.strip().replace(" ", "").removesuffix("€").removesuffix("EUR")
        if _GERMAN_AMOUNT.match(text):
            text = text.replace(".", "").replace(",", ".")
        try:
            value = Decimal(text)
        except InvalidOperation as error:
            raise _Invalid(_("„%(value)s“ ist kein gültiger Betrag.") % {"value": value.strip()}) from error
    amount = Decimal(value)
    if not amount.is_finite():
        raise _Invalid(_("Bitte einen Betrag in Euro angeben."))
    if amount < 0:
        raise _Invalid(_("Der Betrag darf nicht negativ sein."))
    if amount != amount.quantize(Decimal("0.01")):
        raise _Invalid(_("Höchstens zwei Nachkommastellen (Cent)."))
    if amount > _BUDGET_MAX:
        raise _Invalid(_("Der Betrag ist zu groß."))
    return amount.quantize(Decimal("0.01"))


def _budget(value: Any, name: str) -> Decimal:
    return parse_amount(value)


def _currency(value: Any, name: str) -> str:
    if value not in {c.value for c in Currency}:
        raise _Invalid(_("Nur Euro (EUR) wird unterstützt."))
    return str(value)


def _integer(value: Any) -> int:
    if isinstance(value, bool):
        raise _Invalid(_("Bitte eine ganze Zahl angeben."))
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int):
        raise _Invalid(_("Bitte eine ganze Zahl angeben."))
    return value


def _max_labs(value: Any, name: str) -> int:
    number = _integer(value)
    if number < 1:
        raise _Invalid(_("Es muss mindestens ein Labor gefördert werden können."))
    if number > 32767:
        raise _Invalid(_("Die Zahl ist zu groß."))
    return number


def _at_least(minimum: int) -> Callable[[Any, str], int]:
    def clean(value: Any, name: str) -> int:
        number = _integer(value)
        if number < minimum:
            raise _Invalid(_("Mindestens %(minimum)d.") % {"minimum": minimum})
        if number > 32767:
            raise _Invalid(_("Die Zahl ist zu groß."))
        return number

    return clean


_TRUE = {"1", "true", "ja", "yes", "on"}
_FALSE = {"0", "false", "nein", "no", "off", ""}


def _boolean(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise _Invalid(_("Bitte ja oder nein angeben."))


_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_GERMAN_DATETIME = re.compile(
    r"^(\d{1,2})\.(\d{1,2})\.(\d{4}),?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*Uhr)?$"
)


def parse_date(value: Any) -> date:
    """A calendar date: ``date`` or "TT.MM.JJJJ" / "JJJJ-MM-TT"."""
    if isinstance(value, datetime):
        raise _Invalid(_("Bitte ein Datum ohne Uhrzeit angeben."))
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not value.strip():
        raise _Invalid(_("Bitte ein Datum im Format TT.MM.JJJJ angeben."))
    text = value.strip()
    invalid = _Invalid(_("„%(value)s“ ist kein gültiges Datum (TT.MM.JJJJ).") % {"value": text})
    match = _GERMAN_DATE.match(text)
    try:
        if match:
            day, month, year = (int(part) for part in match.groups())
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError as error:
        raise invalid from error


def _date(value: Any, name: str) -> date:
    return parse_date(value)


def _from_wall(wall: datetime, text: str) -> datetime:
    try:
        return timeline.local_instant(wall)
    except timeline.AmbiguousLocalTime as error:
        raise _Invalid(
            _(
                "„%(value)s“ liegt in der Stunde, die bei der Zeitumstellung doppelt vorkommt. "
                "Bitte mit Zeitzone angeben (z. B. +02:00 oder +01:00)."
            )
            % {"value": text}
        ) from error
    except timeline.NonexistentLocalTime as error:
        raise _Invalid(_("„%(value)s“ gibt es wegen der Zeitumstellung nicht.") % {"value": text}) from error


def parse_instant(value: Any, *, start: bool) -> datetime:
    """An instant (UTC). A bare date is the day's first (``start``) or last instant in Berlin."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            return _from_wall(value, value.isoformat(sep=" "))
        return timeline.as_utc(value)
    if isinstance(value, date) or (isinstance(value, str) and _GERMAN_DATE.match(value.strip())):
        on = parse_date(value)
        return timeline.start_of_day(on) if start else timeline.end_of_day(on)
    if not isinstance(value, str) or not value.strip():
        raise _Invalid(_("Bitte Datum und Uhrzeit im Format TT.MM.JJJJ HH:MM angeben."))
    text = value.strip()
    invalid = _Invalid(_("„%(value)s“ ist kein gültiger Zeitpunkt (TT.MM.JJJJ HH:MM).") % {"value": text})
    match = _GERMAN_DATETIME.match(text)
    try:
        if match:
            d, mo, y, h, mi = (int(part) for part in match.groups()[:5])
            wall = datetime(y, mo, d, h, mi, int(match.group(6) or 0))  # noqa: DTZ001  # wall-clock time, localised next
            return _from_wall(wall, text)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day_value = date.fromisoformat(text)
            return timeline.start_of_day(day_value) if start else timeline.end_of_day(day_value)
        parsed = datetime.fromisoformat(text)
    except ValueError as error:
        raise invalid from error
    if parsed.tzinfo is None:
        return _from_wall(parsed, text)
    return timeline.as_utc(parsed)


def _instant(value: Any, name: str) -> datetime | None:
    if value is None or value == "":
        return None
    return parse_instant(value, start=name in _START_EDGES)


def _applicant_kinds(value: Any, name: str) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Sequence | set | frozenset):
        raise _Invalid(_("Bitte eine Liste von Arten von Kommunen angeben."))
    kinds = list(value)
    unknown = [kind for kind in kinds if kind not in APPLICANT_KINDS]
    if unknown:
        raise _Invalid(
            _("Unbekannte Art von Kommune: %(kinds)s.") % {"kinds": ", ".join(str(k) for k in unknown)}
        )
    if not kinds:
        raise _Invalid(_("Mindestens eine Art von Kommune muss teilnehmen dürfen."))
    return [kind for kind in APPLICANT_KINDS if kind in kinds]  # canonical order, no duplicates


def _challenges(value: Any, name: str) -> list[tuple[str, str]]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise _Invalid(_("Bitte eine Liste von Herausforderungen angeben."))
    result: list[tuple[str, str]] = []
    for item in value:
        if not (isinstance(item, Sequence) and len(item) == 2 and all(isinstance(x, str) for x in item)):
            raise _Invalid(_("Jede Herausforderung braucht Schlüssel und Bezeichnung."))
        key, label = item[0].strip(), item[1].strip()
        try:
            validate_slug(key)
        except ValidationError as error:
            raise _Invalid(_("Ungültiger Schlüssel „%(key)s“.") % {"key": key}) from error
        if not label or len(label) > 200:
            raise _Invalid(_("Ungültige Bezeichnung für „%(key)s“.") % {"key": key})
        result.append((key, label))
    keys = [key for key, _label in result]
    if len(set(keys)) != len(keys):
        raise _Invalid(_("Jeder Schlüssel darf nur einmal vorkommen."))
    return result


_CLEANERS: dict[str, Callable[[Any, str], Any]] = {
    "slug": _slug,
    "title": _required_text,
    "description": _text,
    "sponsor": _required_text,
    "programme": _required_text,
    "budget": _budget,
    "currency": _currency,
    "budget_reservation": _boolean,
    "max_labs": _max_labs,
    "funding_starts_on": _date,
    "funding_ends_on": _date,
    "contact_email": _email,
    "partner_organisations": _lines,
    "is_published": _boolean,
    **dict.fromkeys(SCHEDULE_FIELDS, _instant),
    "applicant_kinds": _applicant_kinds,
    "min_municipalities": _at_least(1),
    "min_civil_society_partners": _at_least(0),
    "requires_tasks": _boolean,
    "requires_cost_estimate": _boolean,
    "requires_own_contribution": _boolean,
    "challenges": _challenges,
}


# --- the whole record -----------------------------------------------------------------------

#: Nominative and dative names of the schedule fields, for the order messages.
_SUBJECT = {
    "deadline_at": gettext_noop("Die Einreichungsfrist"),
    "workshop_starts_at": gettext_noop("Der Beginn des Workshops"),
    "workshop_ends_at": gettext_noop("Das Ende des Workshops"),
    "revision_deadline_at": gettext_noop("Die Frist für überarbeitete Projektvorschläge"),
    "selection_starts_at": gettext_noop("Der Beginn der Auswahl"),
    "selection_ends_at": gettext_noop("Das Ende der Auswahl"),
}
_PREVIOUS = {
    "opens_at": gettext_noop("dem Beginn der Einreichungsphase"),
    "deadline_at": gettext_noop("der Einreichungsfrist"),
    "workshop_starts_at": gettext_noop("dem Beginn des Workshops"),
    "workshop_ends_at": gettext_noop("dem Ende des Workshops"),
    "revision_deadline_at": gettext_noop("der Frist für überarbeitete Projektvorschläge"),
    "selection_starts_at": gettext_noop("dem Beginn der Auswahl"),
}


def _order_message(violation: timeline.OrderViolation) -> str:
    names = {"subject": _(_SUBJECT[violation.field]), "previous": _(_PREVIOUS[violation.previous])}
    if violation.strict:
        return _("%(subject)s muss nach %(previous)s liegen.") % names
    return _("%(subject)s darf nicht vor %(previous)s liegen.") % names


def clean_call_data(
    data: Mapping[str, Any], *, base: Mapping[str, Any] | None, allowed: Sequence[str]
) -> Cleaned:
    """Clean ``data`` and check the whole record.

    ``base`` is the current record for an update (``None`` on create: then required fields
    must be present and the rest take :data:`DEFAULTS`). The result's ``values`` hold the full
    record (base merged with the cleaned data); ``errors`` maps fields to German messages.
    """
    result = Cleaned()
    for name in data:
        if name not in allowed:
            result.add_error(name, _("Dieses Feld kann hier nicht gesetzt werden."))
    if base is None:
        record: dict[str, Any] = dict(DEFAULTS)
        for name in sorted(REQUIRED_FIELDS - set(data)):
            result.add_error(name, _("Dieses Feld ist erforderlich."))
    else:
        record = dict(base)
    for name, raw in data.items():
        if name not in allowed:
            continue
        if raw is None and name not in SCHEDULE_FIELDS:
            result.add_error(name, _("Dieses Feld ist erforderlich."))
            continue
        try:
            record[name] = _CLEANERS[name](raw, name)
        except _Invalid as invalid:
            result.add_error(name, invalid.message)
    result.values = record
    if result.errors:
        return result  # cross-field checks only on individually valid values
    _check_record(record, result)
    return result


def _check_record(record: Mapping[str, Any], result: Cleaned) -> None:
    if record["funding_ends_on"] < record["funding_starts_on"]:
        result.add_error("funding_ends_on", _("Das Förderende darf nicht vor dem Förderbeginn liegen."))
    for name in ("opens_at", "deadline_at"):
        if record.get(name) is None:
            result.add_error(name, _("Dieses Feld ist erforderlich."))
    for kind, label in (("workshop", _("den Workshop")), ("selection", _("die Auswahl"))):
        starts, ends = record.get(f"{kind}_starts_at"), record.get(f"{kind}_ends_at")
        if (starts is None) != (ends is None):
            missing = f"{kind}_starts_at" if starts is None else f"{kind}_ends_at"
            result.add_error(missing, _("Bitte für %(phase)s Beginn und Ende angeben.") % {"phase": label})
    for violation in timeline.order_violations(record):
        result.add_error(violation.field, _order_message(violation))


def default_challenges() -> list[tuple[str, str]]:
    return list(DEFAULT_CHALLENGES)
