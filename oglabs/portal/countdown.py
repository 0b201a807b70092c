"""The visible countdown to a deadline: "Einreichung noch bis 31.10.2019, 23:59 Uhr möglich (noch
3 Tage, 4 Stunden)". Pure apart from gettext: ``now`` and the deadline are arguments.

A deadline is the last accepted instant (23:59:59.999999 Berlin time); the remaining time is
rounded down to whole minutes, so the text never promises more time than there is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oglabs.calls.timeline import BERLIN, as_utc


@dataclass(frozen=True)
class Countdown:
    deadline_at: datetime
    remaining: timedelta  # zero or negative once the deadline has passed

    @property
    def is_over(self) -> bool:
        return self.remaining < timedelta(0)

    @property
    def deadline_text(self) -> str:
        local = self.deadline_at.astimezone(BERLIN)
        return _("%(date)s, %(time)s Uhr") % {
            "date": formats.date_format(local, "SHORT_DATE_FORMAT"),
            "time": formats.time_format(local, "H:i"),
        }

    @property
    def remaining_text(self) -> str:
        return remaining_text(self.remaining)

    @property
    def text(self) -> str:
        if self.is_over:
            return _("Die Frist ist am %(deadline)s abgelaufen.") % {"deadline": self.deadline_text}
        return _("Einreichung noch bis %(deadline)s möglich (%(remaining)s)") % {
            "deadline": self.deadline_text,
            "remaining": self.remaining_text,
        }


def countdown(deadline_at: datetime, now: datetime) -> Countdown:
    return Countdown(deadline_at=deadline_at, remaining=as_utc(deadline_at) - as_utc(now))


def remaining_text(remaining: timedelta) -> str:
    """ "noch 3 Tage, 4 Stunden", "noch 2 Stunden, 5 Minuten", "noch 1 Minute",
    "noch weniger als eine Minute"; whole units, rounded down."""
    minutes_total = int(remaining.total_seconds() // 60)
    if minutes_total < 1:
        return _("noch weniger als eine Minute")
    days, rest = divmod(minutes_total, 24 * 60)
    hours, minutes = divmod(rest, 60)
    day_text = ngettext("%(count)d Tag", "%(count)d Tage", days) % {"count": days}
    hour_text = ngettext("%(count)d Stunde", "%(count)d Stunden", hours) % {"count": hours}
    minute_text = ngettext("%(count)d Minute", "%(count)d Minuten", minutes) % {"count": minutes}
    if days:
        parts = [day_text] + ([hour_text] if hours else [])
    elif hours:
        parts = [hour_text] + ([minute_text] if minutes else [])
    else:
        parts = [minute_text]
    return _("noch %(parts)s") % {"parts": ", ".join(parts)}
