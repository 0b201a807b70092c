"""What the public pages show about a call, computed once per request from the call and ``now``.

The timeline semantics (open, current phase, deadline) come from :mod:`oglabs.calls.timeline`;
this module only turns them into things a template can print.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oglabs.calls import timeline
from oglabs.calls.models import Call, EligibilityRules, Phase

_KIND_PLURALS = {
    "stadt": lambda: _("Städte"),
    "gemeinde": lambda: _("Gemeinden"),
    "landkreis": lambda: _("Landkreise"),
}


@dataclass(frozen=True)
class PhaseRow:
    label: str
    starts_at: datetime
    ends_at: datetime
    is_instant: bool
    is_current: bool


@dataclass(frozen=True)
class CallSummary:
    call: Call
    #: "open": submissions accepted now; "upcoming": not yet; "closed": deadline passed or no window.
    status: str
    opens_at: datetime | None
    deadline_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.status == "open"


def summarise(call: Call, *, now: datetime) -> CallSummary:
    spans = call.phase_spans()
    window = timeline.submission_window(spans)
    if window is None:
        return CallSummary(call=call, status="closed", opens_at=None, deadline_at=None)
    opens_at, deadline_at = window
    if timeline.is_open(spans, now):
        status = "open"
    elif timeline.as_utc(now) < opens_at:
        status = "upcoming"
    else:
        status = "closed"
    return CallSummary(call=call, status=status, opens_at=opens_at, deadline_at=deadline_at)


def phase_rows(call: Call, *, now: datetime) -> list[PhaseRow]:
    """The call's phases in time order, the current one marked."""
    phases: list[Phase] = sorted(
        call.phases.all(), key=lambda p: (p.starts_at, timeline.PHASE_ORDER.index(p.kind))
    )
    current = timeline.current_phase(call.phase_spans(), now)
    return [
        PhaseRow(
            label=phase.get_kind_display(),
            starts_at=phase.starts_at,
            ends_at=phase.ends_at,
            is_instant=phase.kind in timeline.DEADLINE_KINDS,
            is_current=current is not None and current.kind == phase.kind,
        )
        for phase in phases
    ]


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return _("%(head)s und %(last)s") % {"head": ", ".join(items[:-1]), "last": items[-1]}


def eligibility_sentences(call: Call) -> list[str]:
    """The call's eligibility rules in plain German, one sentence each."""
    try:
        rules = call.eligibility
    except EligibilityRules.DoesNotExist:
        return []
    kinds = [_KIND_PLURALS[kind]() for kind in rules.applicant_kinds if kind in _KIND_PLURALS]
    sentences = []
    if kinds:
        sentences.append(_("Teilnehmen können %(kinds)s.") % {"kinds": _join(kinds)})
    if rules.min_municipalities > 1:
        sentences.append(
            _("Mindestens %(count)d Kommunen bewerben sich gemeinsam.") % {"count": rules.min_municipalities}
        )
    else:
        sentences.append(_("Eine Kommune kann sich allein bewerben oder mit anderen Kommunen gemeinsam."))
    if rules.min_civil_society_partners:
        sentences.append(
            ngettext(
                "Mindestens ein zivilgesellschaftlicher Partner (zum Beispiel ein Verein, eine Initiative, "
                "eine Kirchengemeinde oder eine Stiftung) ist dabei.",
                "Mindestens %(count)d zivilgesellschaftliche Partner (zum Beispiel Vereine, Initiativen, "
                "Kirchengemeinden oder Stiftungen) sind dabei.",
                rules.min_civil_society_partners,
            )
            % {"count": rules.min_civil_society_partners}
        )
    if rules.requires_tasks:
        sentences.append(_("Die Bewerbung nennt konkrete Laboraufgaben, deren Ergebnis man überprüfen kann."))
    if rules.requires_cost_estimate:
        sentences.append(_("Die Bewerbung schätzt, wie viel Geld das Labor braucht."))
    if rules.requires_own_contribution:
        sentences.append(_("Die Kommunen tragen einen Eigenanteil."))
    else:
        sentences.append(
            _(
                "Ein Eigenanteil oder eine Beteiligung des Landes an der Finanzierung ist erwünscht, "
                "aber keine Bedingung."
            )
        )
    return sentences
