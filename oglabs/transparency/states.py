"""The lifecycle of a text to be published (``PublicText.status``) on one screen.

``services`` writes the status only through ``services._move``, which checks this table. The
diagram is in ``docs/workflows.md`` (Publication).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TextStatus(models.TextChoices):
    #: Pre-marked by the detector and possibly adjusted by staff; waits for a second person.
    MARKED = "marked", _("geschwärzt, wartet auf Bestätigung")
    #: A second staff member confirmed the marks: the redacted text may be published.
    CONFIRMED = "confirmed", _("bestätigt")
    #: The second staff member sent it back; the marks must be adjusted again.
    RETURNED = "returned", _("zurückgegeben")


S = TextStatus

#: Allowed transitions: from-status → the statuses it may move to. Preparing again after the
#: reason changed, or adjusting the marks, always leads back to *marked*.
TRANSITIONS: dict[TextStatus, frozenset[TextStatus]] = {
    S.MARKED: frozenset({S.MARKED, S.CONFIRMED, S.RETURNED}),
    S.RETURNED: frozenset({S.MARKED}),
    S.CONFIRMED: frozenset({S.MARKED}),
}


def can_transition(source: str, target: str) -> bool:
    return TextStatus(target) in TRANSITIONS[TextStatus(source)]
