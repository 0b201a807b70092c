"""What the portal's overview pages show, computed once per request: state badges, the call's
dates, the history of a proposal in German (without naming other people), the mails about it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from oglabs.calls import timeline
from oglabs.calls.models import Call
from oglabs.mail.models import OutboxStatus
from oglabs.proposals.models import Attachment, ProposalMail
from oglabs.proposals.states import ProposalState

S = ProposalState

#: KERN badge variant and icon per state ("neutral" is oglabs' own badge for closed matters).
_BADGES: dict[str, tuple[str, str]] = {
    S.DRAFT: ("info", "edit"),
    S.SUBMITTED: ("success", "success"),
    S.ELIGIBLE: ("success", "success"),
    S.INELIGIBLE: ("danger", "danger"),
    S.INVITED: ("success", "success"),
    S.IN_REVISION: ("info", "edit"),
    S.REVISED: ("success", "success"),
    S.IN_COMPETITION: ("info", "info"),
    S.SELECTED: ("success", "success"),
    S.WAITLISTED: ("warning", "warning"),
    S.NOT_SELECTED: ("neutral", "info"),
    S.WITHDRAWN: ("neutral", "close"),
    S.MERGED: ("neutral", "info"),
}


@dataclass(frozen=True)
class Badge:
    label: str
    variant: str
    icon: str


def state_badge(state: str) -> Badge:
    variant, icon = _BADGES.get(state, ("neutral", "info"))
    return Badge(label=str(ProposalState(state).label), variant=variant, icon=icon)


@dataclass(frozen=True)
class CallDates:
    call: Call
    #: "open", "upcoming" or "closed" (as the public site says it).
    status: str
    opens_at: datetime | None
    deadline_at: datetime | None
    phases: list[tuple[str, datetime, datetime, bool]]

    @property
    def is_open(self) -> bool:
        return self.status == "open"


def call_dates(call: Call, *, now: datetime) -> CallDates:
    spans = call.phase_spans()
    window = timeline.submission_window(spans)
    if window is None:
        status, opens_at, deadline_at = "closed", None, None
    else:
        opens_at, deadline_at = window
        if timeline.is_open(spans, now):
            status = "open"
        elif timeline.as_utc(now) < opens_at:
            status = "upcoming"
        else:
            status = "closed"
    labels = {phase.kind: phase.get_kind_display() for phase in call.phases.all()}
    phases = [
        (str(labels[span.kind]), span.starts_at, span.ends_at, span.kind in timeline.DEADLINE_KINDS)
        for span in sorted(spans, key=lambda s: (s.starts_at, timeline.PHASE_ORDER.index(s.kind)))
    ]
    return CallDates(call=call, status=status, opens_at=opens_at, deadline_at=deadline_at, phases=phases)


# --- history --------------------------------------------------------------------------------------

_SECTIONS = {
    "general": lambda: _("Allgemeine Angaben"),
    "municipalities": lambda: _("Kommunen"),
    "partners": lambda: _("Partner"),
    "tasks": lambda: _("Laboraufgaben"),
    "budget": lambda: _("Mittelbedarf"),
}

_ACTIONS = {
    "proposal.created": lambda d: _("Interessenbekundung angelegt"),
    "proposal.imported": lambda d: _("Interessenbekundung übernommen (Import)"),
    "proposal.edited": lambda d: _("Abschnitt „%(section)s“ gespeichert") % {"section": _section(d)},
    "proposal.edit_conflict": lambda d: (
        _("Gleichzeitige Änderung am Abschnitt „%(section)s“ abgelehnt und aufbewahrt")
        % {"section": _section(d)}
    ),
    "proposal.submitted": lambda d: (
        _("Eingereicht (Version %(version)s)") % {"version": d.get("version", "–")}
    ),
    "proposal.revised": lambda d: (
        _("Überarbeitet eingereicht (Version %(version)s)") % {"version": d.get("version", "–")}
    ),
    "proposal.withdrawn": lambda d: _("Zurückgezogen"),
    "proposal.eligible": lambda d: _("Formale Prüfung: förderfähig"),
    "proposal.ineligible": lambda d: _("Formale Prüfung: nicht förderfähig"),
    "proposal.invited": lambda d: _("Zum Workshop eingeladen"),
    "proposal.in_revision": lambda d: _("Zur Überarbeitung geöffnet"),
    "proposal.in_competition": lambda d: _("In den Teilnahmewettbewerb aufgenommen"),
    "proposal.selected": lambda d: _("Ausgewählt"),
    "proposal.waitlisted": lambda d: _("Auf die Nachrückliste gesetzt"),
    "proposal.not_selected": lambda d: _("Nicht ausgewählt"),
    "proposal.merged": lambda d: _("Mit einer anderen Interessenbekundung zusammengelegt"),
    "proposal.member_invited": lambda d: _("Eine Person zur Mitarbeit eingeladen"),
    "proposal.member_joined": lambda d: _("Dem Konsortium beigetreten"),
    "proposal.partner_confirmation_requested": lambda d: _("Bestätigung eines Partners angefordert"),
    "proposal.partner_confirmed": lambda d: _("Ein Partner hat die Teilnahme online bestätigt"),
    "proposal.attachment_added": lambda d: (
        _("Absichtserklärung hochgeladen")
        if d.get("kind") == Attachment.Kind.LETTER_OF_INTENT
        else _("Anlage hochgeladen")
    ),
    "proposal.attachment_removed": lambda d: _("Anlage entfernt"),
}


def _section(data: dict[str, Any]) -> str:
    label = _SECTIONS.get(str(data.get("section", "")))
    return label() if label else str(data.get("section", ""))


@dataclass(frozen=True)
class HistoryEntry:
    occurred_at: datetime
    what: str
    who: str


def _actor(event: Any, *, viewer_id: int | None, member_ids: set[int]) -> str:
    if event.actor_id is None:
        return (
            _("Partner (über den Bestätigungslink)")
            if event.action == "proposal.partner_confirmed"
            else _("System")
        )
    if event.actor_id == viewer_id:
        return _("Sie")
    if event.actor_id in member_ids:
        return _("ein Mitglied des Konsortiums")
    if event.actor is not None and event.actor.role in {"staff", "admin"}:
        return _("Programmteam")
    return _("ein Mitglied des Konsortiums")


def history(events: Iterable[Any], *, viewer_id: int | None, member_ids: set[int]) -> list[HistoryEntry]:
    """The proposal's audit events, newest first, in German; people other than the viewer are
    named only by their part ("ein Mitglied des Konsortiums", "Programmteam")."""
    entries = []
    for event in events:
        phrase = _ACTIONS.get(event.action)
        what = phrase(event.data or {}) if phrase else event.action
        entries.append(
            HistoryEntry(
                occurred_at=event.occurred_at,
                what=what,
                who=_actor(event, viewer_id=viewer_id, member_ids=member_ids),
            )
        )
    entries.reverse()
    return entries


@dataclass(frozen=True)
class MailEntry:
    queued_at: datetime
    kind: str
    subject: str
    #: "wartet", "gesendet" or "fehlgeschlagen" (in the active language).
    status: str
    failed: bool
    sent_at: datetime | None


def mail_status(status: str) -> str:
    """The delivery of a mail in the applicant's words: a mail a sender is handling still waits."""
    if status == OutboxStatus.SENT:
        return _("gesendet")
    if status == OutboxStatus.FAILED:
        return _("fehlgeschlagen")
    return _("wartet")


def mails(proposal_mails: Iterable[ProposalMail]) -> list[MailEntry]:
    """The mails about a proposal (``proposals.queries.mails_of``: the outbox rows already joined)."""
    return [
        MailEntry(
            queued_at=item.created_at,
            kind=str(item.get_kind_display()),
            subject=item.mail.subject,
            status=mail_status(item.mail.status),
            failed=item.mail.status == OutboxStatus.FAILED,
            sent_at=item.mail.sent_at,
        )
        for item in proposal_mails
    ]
