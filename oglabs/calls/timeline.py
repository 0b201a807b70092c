"""The call's timeline as plain data: is it open, which phase is current, what is due next.

Pure: no Django. Every function takes ``now`` (an aware datetime) as an argument.

Conventions
-----------
* A phase is a closed interval ``[starts_at, ends_at]`` of aware instants; both ends belong to
  the phase.
* Deadlines (``deadline``, ``revision_deadline``) are phases of length zero: ``starts_at ==
  ends_at`` == the *last instant at which a submission is accepted*. A deadline "31.10.2019"
  is stored as ``31.10.2019 23:59:59.999999 Europe/Berlin`` (see :func:`end_of_day`): a
  submission at 23:59:59 local time is accepted, one at 00:00:00 the next day is refused.
* The call is open for submissions from the start of the ``open`` phase up to and including
  the deadline instant. The ``open`` phase ends at the deadline.
* All comparisons are made on UTC instants. Python compares two aware datetimes that share a
  ``tzinfo`` object by their wall-clock reading and ignores ``fold`` — so 02:45 CET (the
  second, repeated 02:45 on the night clocks go back) would wrongly compare as *earlier* than
  02:50 CEST. Converting to UTC first avoids that.
* Wall-clock times are turned into instants only through :func:`local_instant`, which refuses
  ambiguous (repeated hour) and non-existent (skipped hour) local times unless told which one
  is meant.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")

OPEN = "open"
DEADLINE = "deadline"
WORKSHOP = "workshop"
REVISION_DEADLINE = "revision_deadline"
SELECTION = "selection"

#: The phase kinds in the order they happen.
PHASE_ORDER: tuple[str, ...] = (OPEN, DEADLINE, WORKSHOP, REVISION_DEADLINE, SELECTION)
#: Kinds that are a single instant (``starts_at == ends_at``).
DEADLINE_KINDS = frozenset({DEADLINE, REVISION_DEADLINE})


class AmbiguousLocalTime(ValueError):
    """The wall-clock time occurs twice (the hour repeated when clocks go back)."""


class NonexistentLocalTime(ValueError):
    """The wall-clock time does not occur (the hour skipped when clocks go forward)."""


@dataclass(frozen=True)
class PhaseSpan:
    kind: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Milestone:
    """A key instant: the start or end of a phase (deadlines have only an ``end``)."""

    kind: str
    edge: str  # "start" | "end"
    at: datetime


def as_utc(instant: datetime) -> datetime:
    """The same instant in UTC; naive datetimes are refused."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"naive datetime not allowed: {instant!r}")
    return instant.astimezone(UTC)


def local_instant(wall: datetime, zone: ZoneInfo = BERLIN, *, fold: int | None = None) -> datetime:
    """The instant (in UTC) at which clocks in ``zone`` show the naive ``wall`` time.

    In the repeated hour (e.g. 27.10.2019 02:00-03:00 Europe/Berlin) the caller must pass
    ``fold=0`` (the first pass, summer time) or ``fold=1`` (the second pass, standard time);
    otherwise :class:`AmbiguousLocalTime` is raised. Times in the skipped hour raise
    :class:`NonexistentLocalTime`.
    """
    if wall.tzinfo is not None:
        raise ValueError("local_instant expects a naive wall-clock time")
    first = wall.replace(tzinfo=zone, fold=0)
    second = wall.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first.astimezone(UTC)
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:
        raise NonexistentLocalTime(f"{wall.isoformat()} does not exist in {zone.key}")
    if fold is None:
        raise AmbiguousLocalTime(f"{wall.isoformat()} occurs twice in {zone.key}")
    return (second if fold else first).astimezone(UTC)


def start_of_day(day: date, zone: ZoneInfo = BERLIN) -> datetime:
    """The first instant of ``day`` in ``zone`` (00:00 local), in UTC."""
    return local_instant(datetime.combine(day, time.min), zone)


def end_of_day(day: date, zone: ZoneInfo = BERLIN) -> datetime:
    """The last instant of ``day`` in ``zone`` (23:59:59.999999 local), in UTC.

    This is how a deadline given as a date is stored.
    """
    return local_instant(datetime.combine(day, time.max), zone)


def shift_local_days(instant: datetime, days: int, zone: ZoneInfo = BERLIN) -> datetime:
    """Move ``instant`` by whole calendar days in ``zone``, keeping its wall-clock time.

    Across a DST change this differs from adding ``timedelta(days=...)``: 23:59:59 local stays
    23:59:59 local. A result in the repeated hour keeps the original ``fold``; a result in the
    skipped hour raises :class:`NonexistentLocalTime`.
    """
    local = as_utc(instant).astimezone(zone)
    wall = local.replace(tzinfo=None, fold=0) + timedelta(days=days)
    return local_instant(wall, zone, fold=local.fold)


def _by_kind(phases: Iterable[PhaseSpan]) -> dict[str, PhaseSpan]:
    found: dict[str, PhaseSpan] = {}
    for phase in phases:
        if phase.kind not in PHASE_ORDER:
            raise ValueError(f"unknown phase kind: {phase.kind!r}")
        if phase.kind in found:
            raise ValueError(f"more than one phase of kind {phase.kind!r}")
        if as_utc(phase.ends_at) < as_utc(phase.starts_at):
            raise ValueError(f"phase {phase.kind!r} ends before it starts")
        found[phase.kind] = phase
    return found


def submission_window(phases: Iterable[PhaseSpan]) -> tuple[datetime, datetime] | None:
    """``(first, last)`` instant at which submissions are accepted, both inclusive, in UTC.

    The window starts with the ``open`` phase and ends at the ``deadline`` (or, without a
    deadline row, at the end of the ``open`` phase). ``None`` if there is no ``open`` phase.
    """
    found = _by_kind(phases)
    opening = found.get(OPEN)
    if opening is None:
        return None
    deadline = found.get(DEADLINE)
    last = deadline.ends_at if deadline is not None else opening.ends_at
    return as_utc(opening.starts_at), as_utc(last)


def is_open(phases: Iterable[PhaseSpan], now: datetime) -> bool:
    """Whether a submission made at ``now`` is accepted."""
    window = submission_window(phases)
    if window is None:
        return False
    first, last = window
    return first <= as_utc(now) <= last


def current_phase(phases: Iterable[PhaseSpan], now: datetime) -> PhaseSpan | None:
    """The phase that contains ``now``; ``None`` between phases, before the first and after
    the last. If several contain ``now`` (the ``open`` phase and the ``deadline`` at the
    deadline instant), the later one in :data:`PHASE_ORDER` wins."""
    moment = as_utc(now)
    found = _by_kind(phases)
    current: PhaseSpan | None = None
    for kind in PHASE_ORDER:
        phase = found.get(kind)
        if phase is not None and as_utc(phase.starts_at) <= moment <= as_utc(phase.ends_at):
            current = phase
    return current


def milestones(phases: Iterable[PhaseSpan]) -> list[Milestone]:
    """All key instants in time order (ties in :data:`PHASE_ORDER`, starts before ends).

    A deadline contributes one ``end``; an interval its ``start`` and ``end``. The end of the
    ``open`` phase is the deadline and is not listed twice when a deadline row exists.
    """
    found = _by_kind(phases)
    result: list[Milestone] = []
    for kind in PHASE_ORDER:
        phase = found.get(kind)
        if phase is None:
            continue
        if kind in DEADLINE_KINDS:
            result.append(Milestone(kind, "end", as_utc(phase.ends_at)))
            continue
        result.append(Milestone(kind, "start", as_utc(phase.starts_at)))
        if not (kind == OPEN and DEADLINE in found):
            result.append(Milestone(kind, "end", as_utc(phase.ends_at)))
    rank = {kind: index for index, kind in enumerate(PHASE_ORDER)}
    result.sort(key=lambda m: (m.at, rank[m.kind], 0 if m.edge == "start" else 1))
    return result


def next_due(phases: Iterable[PhaseSpan], now: datetime) -> Milestone | None:
    """The first key instant at or after ``now`` (a deadline is still due at its own instant)."""
    moment = as_utc(now)
    for milestone in milestones(phases):
        if milestone.at >= moment:
            return milestone
    return None


@dataclass(frozen=True)
class OrderViolation:
    """``field`` must lie after ``previous`` (strictly if ``strict``)."""

    field: str
    previous: str
    strict: bool


#: The schedule as flat fields, in time order. Each field names the phase and the edge.
SCHEDULE_FIELDS: tuple[str, ...] = (
    "opens_at",
    "deadline_at",
    "workshop_starts_at",
    "workshop_ends_at",
    "revision_deadline_at",
    "selection_starts_at",
    "selection_ends_at",
)
#: Fields that must lie *strictly* after the nearest earlier field that is present.
_STRICTLY_AFTER = frozenset({"deadline_at", "revision_deadline_at"})


def order_violations(schedule: Mapping[str, datetime | None]) -> list[OrderViolation]:
    """Check that the schedule's instants are in order, skipping absent ones.

    open < deadline <= workshop start <= workshop end < revision deadline <= selection start
    <= selection end. Each present field is compared with the nearest present field before it.
    """
    violations: list[OrderViolation] = []
    previous: tuple[str, datetime] | None = None
    for field in SCHEDULE_FIELDS:
        value = schedule.get(field)
        if value is None:
            continue
        moment = as_utc(value)
        if previous is not None:
            strict = field in _STRICTLY_AFTER
            before = previous[1]
            if moment < before or (strict and moment == before):
                violations.append(OrderViolation(field, previous[0], strict))
                continue  # compare the next field with the last one that was in order
        previous = (field, moment)
    return violations


def phase_spans(schedule: Mapping[str, datetime | None]) -> list[PhaseSpan]:
    """The phases described by a flat schedule (fields as in :data:`SCHEDULE_FIELDS`).

    The ``open`` phase runs from ``opens_at`` to ``deadline_at``; deadlines are instants;
    intervals need both edges. Missing edges leave the phase out.
    """
    spans: list[PhaseSpan] = []
    opens_at, deadline_at = schedule.get("opens_at"), schedule.get("deadline_at")
    if opens_at is not None and deadline_at is not None:
        spans.append(PhaseSpan(OPEN, as_utc(opens_at), as_utc(deadline_at)))
    if deadline_at is not None:
        spans.append(PhaseSpan(DEADLINE, as_utc(deadline_at), as_utc(deadline_at)))
    for kind in (WORKSHOP, SELECTION):
        starts_at, ends_at = schedule.get(f"{kind}_starts_at"), schedule.get(f"{kind}_ends_at")
        if starts_at is not None and ends_at is not None:
            spans.append(PhaseSpan(kind, as_utc(starts_at), as_utc(ends_at)))
    revision_at = schedule.get("revision_deadline_at")
    if revision_at is not None:
        spans.append(PhaseSpan(REVISION_DEADLINE, as_utc(revision_at), as_utc(revision_at)))
    return spans


def schedule_of(phases: Iterable[PhaseSpan]) -> dict[str, datetime | None]:
    """The flat schedule of a set of phases (inverse of :func:`phase_spans`), in UTC."""
    found = _by_kind(phases)
    schedule: dict[str, datetime | None] = dict.fromkeys(SCHEDULE_FIELDS)
    if OPEN in found:
        schedule["opens_at"] = as_utc(found[OPEN].starts_at)
        schedule["deadline_at"] = as_utc(found[OPEN].ends_at)
    if DEADLINE in found:
        schedule["deadline_at"] = as_utc(found[DEADLINE].ends_at)
    if REVISION_DEADLINE in found:
        schedule["revision_deadline_at"] = as_utc(found[REVISION_DEADLINE].ends_at)
    for kind in (WORKSHOP, SELECTION):
        if kind in found:
            schedule[f"{kind}_starts_at"] = as_utc(found[kind].starts_at)
            schedule[f"{kind}_ends_at"] = as_utc(found[kind].ends_at)
    return schedule
