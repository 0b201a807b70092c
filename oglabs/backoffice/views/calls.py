"""Running a call, for staff: the dashboard, the list of proposals, one proposal, its files.

Every view checks ``rules.can_run_call`` first (jurors and applicants get 403) and makes its
reads through ``oglabs.proposals.staff_queries``, so the number of queries does not grow with
the number of proposals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from oglabs.audit.queries import events_for_target
from oglabs.backoffice import rules
from oglabs.calls import queries as call_queries
from oglabs.calls import timeline
from oglabs.calls.models import Call, PhaseKind
from oglabs.places import maps
from oglabs.places.models import MunicipalityKind
from oglabs.places.queries import all_states
from oglabs.proposals import queries as proposal_queries
from oglabs.proposals import staff_queries
from oglabs.proposals.exceptions import ProposalNotFound
from oglabs.proposals.states import ProposalState
from oglabs.reviews import queries as review_queries

#: Rows per page of the proposal list.
PAGE_SIZE = 50


def _require_staff(request: HttpRequest) -> None:
    if not rules.can_run_call(request.user):
        raise PermissionDenied


def _call_or_404(slug: str) -> Call:
    try:
        return call_queries.get_call(slug)
    except Call.DoesNotExist:
        raise Http404 from None


def _svg_number(value: float) -> str:
    """A number for an SVG attribute: a dot, never the locale's comma."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _share(part: int | Decimal, whole: int | Decimal) -> str:
    """``part`` as a percentage of ``whole``, for the width of a bar (0–100)."""
    if not whole:
        return "0"
    return _svg_number(float(part) / float(whole) * 100)


# --- the call's schedule ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PhaseRow:
    label: str
    starts_at: datetime
    ends_at: datetime
    is_deadline: bool
    is_current: bool


@dataclass(frozen=True)
class NextDue:
    label: str
    at: datetime


def _milestone_label(milestone: timeline.Milestone) -> str:
    phase = PhaseKind(milestone.kind).label
    if milestone.kind in timeline.DEADLINE_KINDS:
        return str(phase)
    if milestone.edge == "start":
        return _("Beginn: %(phase)s") % {"phase": phase}
    return _("Ende: %(phase)s") % {"phase": phase}


def _schedule(call: Call, now: datetime) -> dict[str, Any]:
    spans = call.phase_spans()
    current = timeline.current_phase(spans, now)
    due = timeline.next_due(spans, now)
    order = {kind: index for index, kind in enumerate(timeline.PHASE_ORDER)}
    rows = [
        PhaseRow(
            label=str(PhaseKind(span.kind).label),
            starts_at=span.starts_at,
            ends_at=span.ends_at,
            is_deadline=span.kind in timeline.DEADLINE_KINDS,
            is_current=current is not None and span.kind == current.kind,
        )
        for span in sorted(spans, key=lambda span: (timeline.as_utc(span.starts_at), order[span.kind]))
    ]
    if current is not None:
        current_label = str(PhaseKind(current.kind).label)
    elif not spans:
        current_label = _("noch kein Zeitplan")
    elif due is None:
        current_label = _("alle Phasen abgeschlossen")
    elif all(timeline.as_utc(span.starts_at) > timeline.as_utc(now) for span in spans):
        current_label = _("noch nicht begonnen")
    else:
        current_label = _("zwischen zwei Phasen")
    return {
        "phases": rows,
        "current_label": current_label,
        "next_due": NextDue(_milestone_label(due), due.at) if due is not None else None,
    }


# --- dashboard ---------------------------------------------------------------------------------------


def _bars(items: list[Any], *, maximum: int) -> list[dict[str, Any]]:
    return [{"item": item, "width": _share(item.count, maximum)} for item in items]


def _legend(classes: list[maps.ColourClass]) -> list[dict[str, str]]:
    legend = []
    for colour_class in classes:
        if colour_class.index == 0:
            label = _("keine")
        elif colour_class.lower == colour_class.upper:
            label = str(colour_class.lower)
        else:
            label = f"{colour_class.lower}–{colour_class.upper}"
        legend.append({"label": label, "fill": colour_class.fill})
    return legend


def _map(figures: staff_queries.CallFigures) -> dict[str, Any]:
    counts = {land.ars: land.count for land in figures.by_land}
    classes = maps.colour_classes(max(counts.values(), default=0))
    svg = maps.choropleth_svg(
        counts,
        title=_("Karte: Interessenbekundungen nach Land der federführenden Kommune"),
        description=_(
            "Je dunkler ein Land, desto mehr Interessenbekundungen. Die Zahlen stehen in der Tabelle unter der Karte."
        ),
        id_prefix="map-laender",
        label=lambda shape, count: _("%(land)s: %(count)s") % {"land": shape.name, "count": count},
        classes=classes,
    )
    # The SVG is built by maps.choropleth_svg, which escapes every text it writes.
    return {"svg": mark_safe(svg), "legend": _legend(classes)}  # noqa: S308  # escaped by maps.choropleth_svg


def _budget(call: Call, requested: Decimal) -> dict[str, Any]:
    scale = max(requested, call.budget)
    return {
        "requested": requested,
        "available": call.budget,
        "percent": round(requested / call.budget * 100) if call.budget else None,
        "requested_width": _share(requested, scale),
        "available_width": _share(call.budget, scale),
        "over": requested > call.budget,
    }


@require_GET
def call_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    _require_staff(request)
    call = _call_or_404(slug)
    figures = staff_queries.call_figures(call)
    list_url = reverse("backoffice:proposal_list", kwargs={"slug": call.slug})
    state_rows = [
        {
            "item": item,
            "width": _share(item.count, max((s.count for s in figures.by_state), default=0)),
            "url": f"{list_url}?{urlencode({'state': item.state.value})}",
        }
        for item in figures.by_state
    ]
    land_rows = [
        {"item": land, "url": f"{list_url}?{urlencode({'land': land.ars})}"} for land in figures.by_land
    ]
    context = {
        "call": call,
        "section": "dashboard",
        "schedule": _schedule(call, timezone.now()),
        "figures": figures,
        "state_rows": state_rows,
        "land_rows": land_rows,
        "kind_rows": _bars(figures.by_kind, maximum=max((k.count for k in figures.by_kind), default=0)),
        "challenge_rows": _bars(
            figures.by_challenge, maximum=max((c.count for c in figures.by_challenge), default=0)
        ),
        "map": _map(figures),
        "budget": _budget(call, figures.requested_total),
        "list_url": list_url,
    }
    return render(request, "backoffice/calls/dashboard.html", context)


# --- the list of proposals ---------------------------------------------------------------------------


class ProposalFilterForm(forms.Form):
    """The list's GET form: filters, sorting, page. Invalid values are ignored (shown as "all")."""

    q = forms.CharField(label=gettext_lazy("Suche"), required=False, max_length=100)
    state = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    land = forms.ChoiceField(label=gettext_lazy("Land"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Art der Kommune"), required=False)
    challenge = forms.ChoiceField(label=gettext_lazy("Herausforderung"), required=False)

    def __init__(self, data: Any, *, call: Call, lands: list[Any]) -> None:
        super().__init__(data)
        everything = [("", _("alle"))]
        self.fields["q"].help_text = _("Titel, Kennung oder Kommune")
        choices = {
            "state": list(ProposalState.choices),
            "land": [(land.ars, land.name) for land in lands],
            "kind": list(MunicipalityKind.choices),
            "challenge": [(challenge.key, challenge.label) for challenge in call.challenges.all()],
        }
        for name, options in choices.items():
            cast(forms.ChoiceField, self.fields[name]).choices = everything + options

    def filters(self) -> staff_queries.ProposalFilter:
        if not self.is_valid():
            # Drop what is invalid, keep the rest (a bookmarked link can outlive a challenge).
            data = {name: self.cleaned_data.get(name, "") for name in self.fields}
        else:
            data = self.cleaned_data
        return staff_queries.ProposalFilter(
            state=data.get("state") or "",
            land=data.get("land") or "",
            kind=data.get("kind") or "",
            challenge=data.get("challenge") or "",
            text=data.get("q") or "",
        )


#: The list's columns: sort key (None: not sortable) and header.
COLUMNS: tuple[tuple[str, Any], ...] = (
    ("reference", gettext_lazy("Kennung")),
    ("title", gettext_lazy("Titel")),
    ("municipality", gettext_lazy("Federführende Kommune")),
    ("land", gettext_lazy("Land")),
    ("kind", gettext_lazy("Art")),
    ("state", gettext_lazy("Status")),
    ("requested", gettext_lazy("Beantragt")),
    ("submitted", gettext_lazy("Eingereicht am")),
    ("partners", gettext_lazy("Partner")),
)
NUMERIC_COLUMNS = frozenset({"requested", "partners"})


def _query(params: dict[str, str], **changes: str | None) -> str:
    merged = {**params, **changes}
    return "?" + urlencode({key: value for key, value in merged.items() if value})


def _columns(params: dict[str, str], sort: str, descending: bool) -> list[dict[str, Any]]:
    columns = []
    for key, label in COLUMNS:
        active = key == sort
        next_descending = active and not descending
        columns.append(
            {
                "key": key,
                "label": label,
                "numeric": key in NUMERIC_COLUMNS,
                "aria_sort": ("descending" if descending else "ascending") if active else "",
                "url": _query(params, sort=key, dir="desc" if next_descending else "asc", page=None),
                "next": _("absteigend sortieren") if next_descending else _("aufsteigend sortieren"),
            }
        )
    return columns


def _page_number(raw: str | None) -> int:
    try:
        return max(1, int(raw or "1"))
    except ValueError:
        return 1


@require_GET
def proposal_list(request: HttpRequest, slug: str) -> HttpResponse:
    _require_staff(request)
    call = _call_or_404(slug)
    lands = all_states()
    form = ProposalFilterForm(request.GET or None, call=call, lands=lands)
    filters = form.filters() if form.is_bound else staff_queries.ProposalFilter()
    sort = request.GET.get("sort", staff_queries.DEFAULT_SORT)
    if sort not in staff_queries.SORT_FIELDS:
        sort = staff_queries.DEFAULT_SORT
    descending = request.GET.get("dir") == "desc"
    proposals = staff_queries.proposals_for_staff(call, filters=filters, sort=sort, descending=descending)
    paginator = Paginator(proposals, PAGE_SIZE)
    page: Page[Any] = paginator.get_page(_page_number(request.GET.get("page")))
    params = {
        "q": filters.text,
        "state": filters.state,
        "land": filters.land,
        "kind": filters.kind,
        "challenge": filters.challenge,
        "sort": sort if sort != staff_queries.DEFAULT_SORT else "",
        "dir": "desc" if descending else "",
    }
    page_param = str(page.number) if page.number > 1 else None
    context = {
        "call": call,
        "section": "proposals",
        "form": form,
        "filtered": any((filters.text, filters.state, filters.land, filters.kind, filters.challenge)),
        "columns": _columns(params, sort, descending),
        "page": page,
        "paginator": paginator,
        "previous_url": _query(params, page=str(page.previous_page_number()))
        if page.has_previous()
        else None,
        "next_url": _query(params, page=str(page.next_page_number())) if page.has_next() else None,
        "sort": sort,
        "descending": descending,
        "hidden_sort": {"sort": params["sort"], "dir": params["dir"]},
        "this_url": _query(params, page=page_param),
    }
    return render(request, "backoffice/calls/proposal_list.html", context)


# --- one proposal ------------------------------------------------------------------------------------

#: Audit actions on a proposal, in the staff's words (unknown ones are shown by their code).
_ACTIONS: dict[str, Any] = {
    "proposal.created": gettext_lazy("angelegt"),
    "proposal.imported": gettext_lazy("übernommen (Import)"),
    "proposal.edited": gettext_lazy("Abschnitt gespeichert"),
    "proposal.edit_conflict": gettext_lazy("gleichzeitige Änderung abgelehnt und aufbewahrt"),
    "proposal.submitted": gettext_lazy("eingereicht"),
    "proposal.revised": gettext_lazy("überarbeitet eingereicht"),
    "proposal.withdrawn": gettext_lazy("zurückgezogen"),
    "proposal.eligible": gettext_lazy("formale Prüfung: förderfähig"),
    "proposal.ineligible": gettext_lazy("formale Prüfung: nicht förderfähig"),
    "proposal.invited": gettext_lazy("zum Workshop eingeladen"),
    "proposal.in_revision": gettext_lazy("zur Überarbeitung geöffnet"),
    "proposal.in_competition": gettext_lazy("in den Teilnahmewettbewerb aufgenommen"),
    "proposal.selected": gettext_lazy("ausgewählt"),
    "proposal.waitlisted": gettext_lazy("auf die Nachrückliste gesetzt"),
    "proposal.not_selected": gettext_lazy("nicht ausgewählt"),
    "proposal.merged": gettext_lazy("zusammengelegt"),
    "proposal.member_invited": gettext_lazy("Person zur Mitarbeit eingeladen"),
    "proposal.member_joined": gettext_lazy("Person dem Konsortium beigetreten"),
    "proposal.partner_confirmation_requested": gettext_lazy("Bestätigung eines Partners angefordert"),
    "proposal.partner_confirmed": gettext_lazy("Partner hat die Teilnahme online bestätigt"),
    "proposal.attachment_added": gettext_lazy("Datei hochgeladen"),
    "proposal.attachment_removed": gettext_lazy("Datei entfernt"),
}


def _history(proposal: Any) -> list[dict[str, Any]]:
    entries = []
    for event in events_for_target(proposal):
        label = _ACTIONS.get(event.action)
        entries.append(
            {
                "event": event,
                "what": str(label) if label is not None else event.action,
                "who": event.actor_label or (_("System") if event.actor_id is None else str(event.actor_id)),
            }
        )
    return entries


def _juror_review_of(user: Any, proposal_id: int) -> int | None:
    """The id of the juror's review of the proposal if they may see it (assigned, declaration
    finished, not conflicted: ``reviews.queries`` decides), else ``None``."""
    proposal = review_queries.visible_proposals_for_juror(user).filter(pk=proposal_id).first()
    seat = review_queries.juror_seat(user, proposal.call) if proposal is not None else None
    if seat is None:
        return None
    review = review_queries.reviews_for_juror(seat).filter(proposal_id=proposal_id).order_by("pk").first()
    return review.pk if review is not None else None


@require_GET
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if rules.can_review(request.user):
        # Jurors never get the staff page: a proposal they review opens as their review, any other
        # (conflicted, not assigned, unknown) is 404.
        review_id = _juror_review_of(request.user, pk)
        if review_id is None:
            raise Http404
        return redirect("backoffice:juror_review", pk=review_id)
    _require_staff(request)
    try:
        proposal = staff_queries.proposal_for_staff(pk)
    except ProposalNotFound:
        raise Http404 from None
    attachments = proposal.attachments_for_staff  # type: ignore[attr-defined]  # Prefetch to_attr
    letters: dict[int, list[Any]] = {}
    for attachment in attachments:
        if attachment.partner_id is not None:
            letters.setdefault(attachment.partner_id, []).append(attachment)
    context = {
        "call": proposal.call,
        "section": "proposals",
        "proposal": proposal,
        "list_url": reverse("backoffice:proposal_list", kwargs={"slug": proposal.call.slug}),
        "further_municipalities": list(proposal.further_municipalities.all()),
        "partners": [
            {"partner": partner, "letters": letters.get(partner.pk, [])}
            for partner in proposal.partners.all()
        ],
        "tasks": list(proposal.tasks.all()),
        "budget": proposal_queries.budget_table(proposal),
        "challenges": list(proposal.challenges.all()),
        "versions": proposal.versions_for_staff,  # type: ignore[attr-defined]  # Prefetch to_attr
        "attachments": attachments,
        "history": _history(proposal),
        "proposal_mails": list(proposal_queries.mails_of(proposal)),
    }
    return render(request, "backoffice/calls/proposal_detail.html", context)


@require_GET
def attachment_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    """An uploaded PDF as a download, never inline: a PDF viewer in the browser is no sandbox.
    Staff get any attachment; jurors those of proposals they may see (else 404)."""
    juror = rules.can_review(request.user)
    if not juror:
        _require_staff(request)
    try:
        attachment = staff_queries.attachment_for_staff(attachment_id)
    except ProposalNotFound:
        raise Http404 from None
    if (
        juror
        and not review_queries.visible_proposals_for_juror(request.user)
        .filter(pk=attachment.proposal_id)
        .exists()
    ):
        raise Http404
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
