"""The pure timeline: exact deadline boundaries, DST changes, current and next phase."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from oglabs.calls import timeline
from oglabs.calls.timeline import (
    AmbiguousLocalTime,
    Milestone,
    NonexistentLocalTime,
    OrderViolation,
    PhaseSpan,
    current_phase,
    end_of_day,
    is_open,
    local_instant,
    next_due,
    order_violations,
    start_of_day,
)

BERLIN = ZoneInfo("Europe/Berlin")
OPENS = start_of_day(date(2019, 9, 1))
DEADLINE = end_of_day(date(2019, 10, 31))
WORKSHOP = (start_of_day(date(2019, 11, 15)), end_of_day(date(2019, 11, 16)))
SELECTION = (start_of_day(date(2019, 12, 1)), end_of_day(date(2020, 2, 29)))


def phases_2019() -> list[PhaseSpan]:
    return [
        PhaseSpan("open", OPENS, DEADLINE),
        PhaseSpan("deadline", DEADLINE, DEADLINE),
        PhaseSpan("workshop", *WORKSHOP),
        PhaseSpan("selection", *SELECTION),
    ]


def berlin(*args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=BERLIN, fold=fold)  # type: ignore[misc]  # positional date parts


# --- the deadline instant -----------------------------------------------------------------


def test_end_of_day_is_last_microsecond_in_berlin_standard_time_after_dst_change():
    # 31.10.2019 is after the switch on 27.10.2019: CET, UTC+1.
    assert datetime(2019, 10, 31, 22, 59, 59, 999999, tzinfo=UTC) == DEADLINE
    assert DEADLINE.astimezone(BERLIN).isoformat() == "2019-10-31T23:59:59.999999+01:00"


def test_end_of_day_before_dst_change_is_in_summer_time():
    assert end_of_day(date(2019, 10, 26)) == datetime(2019, 10, 26, 21, 59, 59, 999999, tzinfo=UTC)


def test_is_open_at_deadline_last_second_in_berlin_accepts():
    assert is_open(phases_2019(), berlin(2019, 10, 31, 23, 59, 59)) is True


def test_is_open_at_deadline_last_microsecond_accepts():
    assert is_open(phases_2019(), berlin(2019, 10, 31, 23, 59, 59, 999999)) is True


def test_is_open_at_midnight_after_deadline_refuses():
    assert is_open(phases_2019(), berlin(2019, 11, 1, 0, 0, 0)) is False


def test_is_open_same_instant_in_other_zone_gives_same_answer():
    last_second_utc = datetime(2019, 10, 31, 22, 59, 59, tzinfo=UTC)
    midnight_utc = datetime(2019, 10, 31, 23, 0, 0, tzinfo=UTC)
    assert is_open(phases_2019(), last_second_utc) is True
    assert is_open(phases_2019(), midnight_utc) is False


def test_is_open_at_opening_instant_accepts_and_just_before_refuses():
    assert is_open(phases_2019(), OPENS) is True
    assert is_open(phases_2019(), OPENS - timedelta(microseconds=1)) is False


def test_is_open_on_both_sides_of_october_dst_change():
    before_switch = berlin(2019, 10, 26, 12, 0)  # CEST, UTC+2
    after_switch = berlin(2019, 10, 28, 12, 0)  # CET, UTC+1
    assert before_switch.utcoffset() == timedelta(hours=2)
    assert after_switch.utcoffset() == timedelta(hours=1)
    assert is_open(phases_2019(), before_switch) is True
    assert is_open(phases_2019(), after_switch) is True


def test_is_open_without_open_phase_is_false():
    assert is_open([PhaseSpan("deadline", DEADLINE, DEADLINE)], berlin(2019, 10, 1, 12, 0)) is False


def test_is_open_without_deadline_row_uses_end_of_open_phase():
    only_open = [PhaseSpan("open", OPENS, DEADLINE)]
    assert is_open(only_open, DEADLINE) is True
    assert is_open(only_open, DEADLINE + timedelta(microseconds=1)) is False


def test_is_open_refuses_naive_now():
    with pytest.raises(ValueError, match="naive"):
        is_open(phases_2019(), datetime(2019, 10, 1, 12, 0))  # the point of the test


# --- the repeated hour on 27.10.2019 ------------------------------------------------------


def test_local_instant_in_repeated_hour_without_fold_is_refused():
    with pytest.raises(AmbiguousLocalTime):
        local_instant(datetime(2019, 10, 27, 2, 30))  # a wall-clock time


def test_local_instant_in_repeated_hour_with_fold_is_unambiguous():
    first = local_instant(datetime(2019, 10, 27, 2, 30), fold=0)  # a wall-clock time
    second = local_instant(datetime(2019, 10, 27, 2, 30), fold=1)  # a wall-clock time
    assert first == datetime(2019, 10, 27, 0, 30, tzinfo=UTC)  # 02:30 CEST
    assert second == datetime(2019, 10, 27, 1, 30, tzinfo=UTC)  # 02:30 CET


def test_local_instant_in_skipped_hour_is_refused():
    with pytest.raises(NonexistentLocalTime):
        local_instant(datetime(2019, 3, 31, 2, 30), fold=0)  # a wall-clock time


def test_deadline_in_first_pass_of_repeated_hour_refuses_later_instant_with_earlier_wall_clock():
    deadline = local_instant(datetime(2019, 10, 27, 2, 30), fold=0)  # 00:30 UTC
    phases = [PhaseSpan("open", OPENS, deadline), PhaseSpan("deadline", deadline, deadline)]
    second_pass_0215 = berlin(2019, 10, 27, 2, 15, fold=1)  # 01:15 UTC: after the deadline
    deadline_berlin = deadline.astimezone(BERLIN)
    # The trap: Python compares datetimes sharing a tzinfo by wall clock and ignores fold.
    assert second_pass_0215 < deadline_berlin
    assert is_open(phases, second_pass_0215) is False
    assert is_open(phases, berlin(2019, 10, 27, 2, 15, fold=0)) is True  # 00:15 UTC


def test_deadline_in_second_pass_of_repeated_hour_accepts_earlier_instant_with_later_wall_clock():
    deadline = local_instant(datetime(2019, 10, 27, 2, 30), fold=1)  # 01:30 UTC
    phases = [PhaseSpan("open", OPENS, deadline), PhaseSpan("deadline", deadline, deadline)]
    assert is_open(phases, berlin(2019, 10, 27, 2, 45, fold=0)) is True  # 00:45 UTC
    assert is_open(phases, berlin(2019, 10, 27, 2, 30, fold=1)) is True  # the deadline itself
    assert is_open(phases, berlin(2019, 10, 27, 2, 45, fold=1)) is False  # 01:45 UTC


def test_shift_local_days_keeps_wall_clock_across_dst_change():
    shifted = timeline.shift_local_days(end_of_day(date(2019, 10, 26)), 5)
    assert shifted == DEADLINE
    assert end_of_day(date(2019, 10, 26)) + timedelta(days=5) != DEADLINE  # plain addition drifts by 1 h


# --- current phase and next due -----------------------------------------------------------


def test_current_phase_during_submission_is_open():
    phase = current_phase(phases_2019(), berlin(2019, 10, 15, 10, 0))
    assert phase is not None
    assert phase.kind == "open"


def test_current_phase_at_deadline_instant_is_deadline():
    phase = current_phase(phases_2019(), DEADLINE)
    assert phase is not None
    assert phase.kind == "deadline"


def test_current_phase_between_deadline_and_workshop_is_none():
    assert current_phase(phases_2019(), berlin(2019, 11, 5, 12, 0)) is None


def test_current_phase_before_opening_and_after_selection_is_none():
    assert current_phase(phases_2019(), berlin(2019, 8, 31, 23, 59)) is None
    assert current_phase(phases_2019(), berlin(2020, 3, 1, 0, 0)) is None


def test_current_phase_at_workshop_start_is_workshop():
    phase = current_phase(phases_2019(), berlin(2019, 11, 15, 0, 0))
    assert phase is not None
    assert phase.kind == "workshop"


def test_next_due_during_submission_is_deadline():
    assert next_due(phases_2019(), berlin(2019, 10, 15, 10, 0)) == Milestone("deadline", "end", DEADLINE)


def test_next_due_at_deadline_instant_is_still_deadline():
    assert next_due(phases_2019(), DEADLINE) == Milestone("deadline", "end", DEADLINE)


def test_next_due_after_deadline_is_workshop_start():
    after = berlin(2019, 11, 1, 0, 0)
    assert next_due(phases_2019(), after) == Milestone("workshop", "start", WORKSHOP[0])


def test_next_due_before_opening_is_opening():
    assert next_due(phases_2019(), berlin(2019, 8, 1, 0, 0)) == Milestone("open", "start", OPENS)


def test_next_due_after_everything_is_none():
    assert next_due(phases_2019(), berlin(2020, 3, 1, 0, 0)) is None


def test_milestones_list_open_end_once_when_deadline_row_exists():
    kinds = [(m.kind, m.edge) for m in timeline.milestones(phases_2019())]
    assert kinds == [
        ("open", "start"),
        ("deadline", "end"),
        ("workshop", "start"),
        ("workshop", "end"),
        ("selection", "start"),
        ("selection", "end"),
    ]


def test_phases_with_duplicate_kind_are_refused():
    with pytest.raises(ValueError, match="more than one"):
        is_open([*phases_2019(), PhaseSpan("open", OPENS, DEADLINE)], OPENS)


def test_phase_ending_before_start_is_refused():
    with pytest.raises(ValueError, match="ends before"):
        current_phase([PhaseSpan("workshop", WORKSHOP[1], WORKSHOP[0])], OPENS)


# --- schedule order -----------------------------------------------------------------------


def schedule(**overrides: datetime | None) -> dict[str, datetime | None]:
    values: dict[str, datetime | None] = {
        "opens_at": OPENS,
        "deadline_at": DEADLINE,
        "workshop_starts_at": WORKSHOP[0],
        "workshop_ends_at": WORKSHOP[1],
        "revision_deadline_at": end_of_day(date(2019, 11, 30)),
        "selection_starts_at": SELECTION[0],
        "selection_ends_at": SELECTION[1],
    }
    values.update(overrides)
    return values


def test_order_violations_of_ordered_schedule_is_empty():
    assert order_violations(schedule()) == []


def test_order_violations_deadline_before_opening():
    assert order_violations(schedule(deadline_at=OPENS - timedelta(days=1))) == [
        OrderViolation("deadline_at", "opens_at", strict=True)
    ]


def test_order_violations_deadline_equal_to_opening_is_strict():
    assert order_violations(schedule(deadline_at=OPENS)) == [
        OrderViolation("deadline_at", "opens_at", strict=True)
    ]


def test_order_violations_workshop_may_start_at_deadline():
    assert order_violations(schedule(workshop_starts_at=DEADLINE)) == []


def test_order_violations_revision_deadline_at_workshop_end_is_refused():
    assert order_violations(schedule(revision_deadline_at=WORKSHOP[1])) == [
        OrderViolation("revision_deadline_at", "workshop_ends_at", strict=True)
    ]


def test_order_violations_skip_absent_phases():
    values = schedule(
        workshop_starts_at=None,
        workshop_ends_at=None,
        revision_deadline_at=None,
        selection_starts_at=OPENS + timedelta(days=1),
    )
    assert order_violations(values) == [OrderViolation("selection_starts_at", "deadline_at", strict=False)]


def test_phase_spans_and_schedule_of_are_inverse():
    values = schedule()
    assert timeline.schedule_of(timeline.phase_spans(values)) == values


def test_timeline_imports_no_django():
    code = (
        "import sys, oglabs.calls.timeline; sys.exit(any(m.split('.')[0] == 'django' for m in sys.modules))"
    )
    repository = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code], cwd=repository, check=False)  # noqa: S603  # fixed argv
    assert result.returncode == 0
