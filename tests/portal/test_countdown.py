"""The countdown to the deadline: text at the boundaries, rounded down to whole minutes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from oglabs.portal.countdown import countdown, remaining_text

BERLIN = ZoneInfo("Europe/Berlin")
DEADLINE = dt.datetime(2019, 10, 31, 23, 59, 59, 999999, tzinfo=BERLIN)


@pytest.fixture(autouse=True)
def _german(settings):  # type: ignore[no-untyped-def]
    settings.LANGUAGE_CODE = "de"


def test_countdown_days_and_hours() -> None:
    now = dt.datetime(2019, 10, 28, 19, 59, 59, 999999, tzinfo=BERLIN)
    assert countdown(DEADLINE, now).text == (
        "Einreichung noch bis 31.10.2019, 23:59 Uhr möglich (noch 3 Tage, 4 Stunden)"
    )


def test_countdown_whole_days_leave_out_hours() -> None:
    now = dt.datetime(2019, 10, 30, 23, 59, 59, 999999, tzinfo=BERLIN)
    assert countdown(DEADLINE, now).remaining_text == "noch 1 Tag"


def test_countdown_hours_and_minutes_on_the_last_day() -> None:
    now = dt.datetime(2019, 10, 31, 21, 54, 0, tzinfo=BERLIN)
    assert countdown(DEADLINE, now).remaining_text == "noch 2 Stunden, 5 Minuten"


def test_countdown_rounds_down_to_the_minute() -> None:
    now = dt.datetime(2019, 10, 31, 23, 58, 0, tzinfo=BERLIN)  # 1 min 59.999999 s left
    assert countdown(DEADLINE, now).remaining_text == "noch 1 Minute"


def test_countdown_last_minute() -> None:
    now = dt.datetime(2019, 10, 31, 23, 59, 0, tzinfo=BERLIN)
    result = countdown(DEADLINE, now)
    assert result.remaining_text == "noch weniger als eine Minute"
    assert not result.is_over


def test_countdown_at_the_deadline_instant_is_not_over() -> None:
    result = countdown(DEADLINE, DEADLINE)
    assert not result.is_over
    assert result.text == "Einreichung noch bis 31.10.2019, 23:59 Uhr möglich (noch weniger als eine Minute)"


def test_countdown_one_microsecond_later_is_over() -> None:
    result = countdown(DEADLINE, DEADLINE + dt.timedelta(microseconds=1))
    assert result.is_over
    assert result.text == "Die Frist ist am 31.10.2019, 23:59 Uhr abgelaufen."


def test_countdown_across_the_dst_change_counts_real_hours() -> None:
    # Clocks went back on 27.10.2019 at 03:00 CEST: that day had 25 hours.
    now = dt.datetime(2019, 10, 26, 23, 59, 59, 999999, tzinfo=BERLIN)
    assert countdown(DEADLINE, now).remaining_text == "noch 5 Tage, 1 Stunde"


def test_countdown_now_in_utc_gives_same_text() -> None:
    now = dt.datetime(2019, 10, 28, 18, 59, 59, 999999, tzinfo=dt.UTC)
    assert countdown(DEADLINE, now).remaining_text == "noch 3 Tage, 4 Stunden"


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (1, "noch 1 Minute"),
        (59, "noch 59 Minuten"),
        (60, "noch 1 Stunde"),
        (61, "noch 1 Stunde, 1 Minute"),
        (24 * 60, "noch 1 Tag"),
        (2 * 24 * 60 + 120, "noch 2 Tage, 2 Stunden"),
    ],
)
def test_remaining_text_units(minutes: int, text: str) -> None:
    assert remaining_text(dt.timedelta(minutes=minutes)) == text
