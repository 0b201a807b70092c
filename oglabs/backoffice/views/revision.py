"""The revision window of a call (open with a deadline, status, close) and the readable diff between
two handed-in versions of a proposal.

Opening and closing: staff only. The diff: staff and jurors (jurors' conflicts of interest will
restrict which proposals they may see once the jury is built; see docs/workflows.md).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from oglabs.accounts.models import User
from oglabs.audit.models import AuditEvent
from oglabs.backoffice import rules
from oglabs.calls import queries as call_queries
from oglabs.calls.models import Call
from oglabs.calls.timeline import BERLIN, AmbiguousLocalTime, NonexistentLocalTime, local_instant
from oglabs.proposals import revision_queries, services
from oglabs.proposals.diff import CATEGORY_ORDER, AmountChange, ContentDiff, ItemChange
from oglabs.proposals.formatting import format_date, format_euro
from oglabs.proposals.models import Confirmation, CostCategory, PartnerKind, ProposalVersion, VersionKind
from oglabs.proposals.services.revision import CLOSED_ACTION
from oglabs.reviews import queries as review_queries

# --- forms ---------------------------------------------------------------------------------------


class OpenRevisionForm(forms.Form):
    deadline_on = forms.DateField(
        label=gettext_lazy("Frist: Datum"),
        help_text=gettext_lazy("Format TT.MM.JJJJ, zum Beispiel 31.01.2020."),
        input_formats=["%d.%m.%Y", "%Y-%m-%d"],
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
        error_messages={
            "required": gettext_lazy("Bitte geben Sie das Datum der Frist an."),
            "invalid": gettext_lazy("Bitte geben Sie das Datum im Format TT.MM.JJJJ an."),
        },
    )
    deadline_time = forms.TimeField(
        label=gettext_lazy("Frist: Uhrzeit (Berliner Zeit)"),
        help_text=gettext_lazy(
            "Format HH:MM. Überarbeitungen werden bis zum Ende dieser Minute angenommen; 23:59 heißt: bis "
            "zum Ende des Tages."
        ),
        input_formats=["%H:%M"],
        initial="23:59",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": gettext_lazy("Bitte geben Sie die Uhrzeit der Frist an."),
            "invalid": gettext_lazy("Bitte geben Sie die Uhrzeit im Format HH:MM an, zum Beispiel 23:59."),
        },
    )

    def __init__(self, *args: Any, now: dt.datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.now = now

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, time = cleaned.get("deadline_on"), cleaned.get("deadline_time")
        if day is None or time is None:
            return cleaned
        wall = dt.datetime.combine(day, time.replace(second=59, microsecond=999999))
        try:
            deadline_at = local_instant(wall, BERLIN)
        except AmbiguousLocalTime:
            self.add_error(
                "deadline_time",
                _("Diese Uhrzeit gibt es wegen der Zeitumstellung zweimal; bitte wählen Sie eine andere."),
            )
            return cleaned
        except NonexistentLocalTime:
            self.add_error(
                "deadline_time",
                _("Diese Uhrzeit gibt es wegen der Zeitumstellung nicht; bitte wählen Sie eine andere."),
            )
            return cleaned
        if deadline_at <= self.now:
            self.add_error("deadline_on", _("Die Frist muss in der Zukunft liegen."))
        cleaned["deadline_at"] = deadline_at
        return cleaned


class CompareForm(forms.Form):
    v1 = forms.TypedChoiceField(label=gettext_lazy("Ältere Fassung"), coerce=int)
    v2 = forms.TypedChoiceField(label=gettext_lazy("Neuere Fassung"), coerce=int)

    def __init__(self, *args: Any, versions: list[ProposalVersion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(v.number, _version_label(v)) for v in versions]
        for name in ("v1", "v2"):
            field = self.fields[name]
            assert isinstance(field, forms.TypedChoiceField)
            field.choices = choices


# --- helpers -------------------------------------------------------------------------------------


def _staff(request: HttpRequest) -> User:
    user = request.user
    if not rules.can_run_call(user):
        raise PermissionDenied
    assert isinstance(user, User)
    return user


def _call(slug: str) -> Call:
    try:
        return call_queries.get_call(slug)
    except Call.DoesNotExist:
        raise Http404 from None


def _version_label(version: ProposalVersion) -> str:
    local = version.created_at.astimezone(BERLIN)
    return _("Version %(number)s: %(kind)s am %(date)s") % {
        "number": version.number,
        "kind": VersionKind(version.kind).label,
        "date": f"{local:%d.%m.%Y, %H:%M} Uhr",
    }


def _closing_event(call: Call) -> AuditEvent | None:
    return (
        AuditEvent.objects.filter(
            action=CLOSED_ACTION, target_type=call._meta.label_lower, target_id=str(call.pk)
        )
        .order_by("-sequence")
        .first()
    )


# --- the revision window -------------------------------------------------------------------------


def _revision_page(
    request: HttpRequest, call: Call, *, form: OpenRevisionForm | None = None, status: int = 200
) -> HttpResponse:
    now = timezone.now()
    deadline_at = services.revision_deadline(call)
    closing = _closing_event(call)
    context = {
        "call": call,
        "section": "revision",
        "counts": revision_queries.revision_counts(call),
        "deadline_at": deadline_at,
        "deadline_passed": deadline_at is not None and now > deadline_at,
        "closing_reason": (closing.data.get("reason", "") if closing else ""),
        "closed_at": closing.occurred_at if closing else None,
        "form": form or OpenRevisionForm(now=now),
        "max_labs": call.max_labs,
    }
    return render(request, "backoffice/revision/window.html", context, status=status)


@require_http_methods(["GET", "POST"])
def revision(request: HttpRequest, slug: str) -> HttpResponse:
    """Open the revision window with a deadline (or move the deadline); show where the call stands."""
    staff = _staff(request)
    call = _call(slug)
    if request.method == "GET":
        return _revision_page(request, call)
    now = timezone.now()
    form = OpenRevisionForm(request.POST, now=now)
    if not form.is_valid():
        return _revision_page(request, call, form=form, status=422)
    try:
        opened = services.open_revision(
            call, actor=staff, deadline_at=form.cleaned_data["deadline_at"], now=now
        )
    except services.RevisionDeadlineInvalid as error:
        form.add_error("deadline_on", str(error))
        return _revision_page(request, call, form=form, status=422)
    messages.success(
        request,
        _(
            "Die Überarbeitungsphase ist offen. %(count)s Interessenbekundungen wurden zur Überarbeitung "
            "freigegeben; die Konsortien werden per E-Mail benachrichtigt."
        )
        % {"count": len(opened.opened)},
    )
    return redirect("backoffice:revision", slug=call.slug)


@require_POST
def revision_close(request: HttpRequest, slug: str) -> HttpResponse:
    """Close the revision phase: every remaining proposal moves to the competition or to selection."""
    staff = _staff(request)
    call = _call(slug)
    try:
        closed = services.close_revision(call, actor=staff, now=timezone.now())
    except services.RevisionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, closed.reason)
    return redirect("backoffice:revision", slug=call.slug)


# --- the diff ------------------------------------------------------------------------------------


def _signed(amount: Decimal) -> str:
    if amount > 0:
        return "+" + format_euro(amount)
    return format_euro(amount)


def _amount_row(label: str, change: AmountChange, *, total: bool = False) -> dict[str, Any]:
    return {
        "label": label,
        "old": format_euro(change.old),
        "new": format_euro(change.new),
        "delta": _signed(change.delta),
        "changed": change.delta != 0,
        "total": total,
    }


def budget_rows(diff: ContentDiff) -> list[dict[str, Any]]:
    """The budget part of the diff as table rows: each year's cells, the year total, the totals."""
    categories = {c: str(CostCategory(c).label) for c in CATEGORY_ORDER}
    rows: list[dict[str, Any]] = []
    for year, year_total in diff.budget.year_totals:
        for cell in diff.budget.cells:
            if cell.year == year:
                rows.append(
                    _amount_row(f"{year} · {categories.get(cell.category, cell.category)}", cell.amount)
                )
        rows.append(_amount_row(_("%(year)s zusammen") % {"year": year}, year_total, total=True))
    rows.append(_amount_row(_("Beantragte Mittel insgesamt"), diff.budget.total, total=True))
    rows.append(_amount_row(_("Eigenanteil"), diff.budget.own_contribution))
    rows.append(_amount_row(_("Finanzierungsbeteiligung des Landes"), diff.budget.state_contribution))
    return rows


TEXT_LABELS = {
    "title": gettext_lazy("Titel des Labors"),
    "region": gettext_lazy("Region und Ausgangslage"),
    "moderation": gettext_lazy("Moderation, Interessenausgleich und Konfliktmanagement"),
    "lab_form": gettext_lazy("Form des Labors"),
    "challenges": gettext_lazy("Herausforderungen"),
}
FIELD_LABELS = {
    "role_in_lab": gettext_lazy("Rolle im Labor"),
    "cooperation_exists": gettext_lazy("Kooperation besteht bereits"),
    "confirmation": gettext_lazy("Bestätigung"),
    "title": gettext_lazy("Titel"),
    "description": gettext_lazy("Beschreibung"),
    "indicator": gettext_lazy("Indikator"),
    "target_value": gettext_lazy("Zielwert"),
    "due_on": gettext_lazy("fällig am"),
    "verification": gettext_lazy("Wie die Erfüllung geprüft wird"),
}


def _value(field: str, value: Any) -> str:
    if isinstance(value, bool):
        return str(_("ja") if value else _("nein"))
    if value in (None, ""):
        return "–"
    if field == "confirmation":
        return str(dict(Confirmation.choices).get(value, value))
    if field == "due_on":
        return format_date(value)
    return str(value)


def item_changes(changes: tuple[ItemChange, ...]) -> list[dict[str, Any]]:
    """Changed partners or tasks with labelled fields: text fields as segments, others old → new."""
    return [
        {
            "old_label": change.old_label,
            "new_label": change.new_label,
            "fields": [
                {
                    "label": FIELD_LABELS.get(field.field, field.field),
                    "segments": field.segments if field.field != "due_on" else (),
                    "old": _value(field.field, field.old),
                    "new": _value(field.field, field.new),
                }
                for field in change.fields
            ],
        }
        for change in changes
    ]


def _partners(items: tuple[Any, ...]) -> list[str]:
    kinds = {str(k): str(v) for k, v in PartnerKind.choices}
    return [
        f"{item.get('name', '')} ({kinds.get(str(item.get('kind')), item.get('kind'))})" for item in items
    ]


def _pick(
    versions: list[ProposalVersion], request: HttpRequest
) -> tuple[ProposalVersion | None, ProposalVersion | None, CompareForm]:
    by_number = {v.number: v for v in versions}
    sketch, revision_version = revision_queries.sketch_and_revision(versions)
    if revision_version is None and len(versions) > 1:
        revision_version = versions[-1]
    if "v1" in request.GET or "v2" in request.GET:
        form = CompareForm(request.GET, versions=versions)
        if not form.is_valid():
            raise Http404
        old, new = by_number[form.cleaned_data["v1"]], by_number[form.cleaned_data["v2"]]
        return old, new, form
    initial = {
        "v1": sketch.number if sketch else None,
        "v2": revision_version.number if revision_version else None,
    }
    return sketch, revision_version, CompareForm(initial=initial, versions=versions)


@require_GET
def proposal_diff(request: HttpRequest, pk: int) -> HttpResponse:
    """The readable diff between the sketch and the latest revision, or any two handed-in versions."""
    if not rules.can_see_revision_diff(request.user):
        raise PermissionDenied
    proposal = revision_queries.proposal_for_staff(pk)
    if proposal is None:
        raise Http404
    if not rules.can_run_call(request.user) and not (
        review_queries.visible_proposals_for_juror(request.user).filter(pk=proposal.pk).exists()
    ):
        # A juror sees the diff of a proposal they review, never one they are conflicted on.
        raise Http404
    versions = revision_queries.handed_in_versions(proposal)
    old, new, form = _pick(versions, request)
    diff = revision_queries.version_diff(old, new, call=proposal.call) if old and new else None
    context: dict[str, Any] = {
        "proposal": proposal,
        "versions": versions,
        "form": form,
        "old": old,
        "new": new,
        "old_label": _version_label(old) if old else "",
        "new_label": _version_label(new) if new else "",
        "diff": diff,
        "texts": [{"label": TEXT_LABELS[t.field], "diff": t} for t in diff.texts] if diff else [],
        "unchanged_texts": [str(TEXT_LABELS[t.field]) for t in diff.texts if not t.changed] if diff else [],
        "budget_rows": budget_rows(diff) if diff else [],
        "partner_changes": item_changes(diff.partners.changed) if diff else [],
        "task_changes": item_changes(diff.tasks.changed) if diff else [],
        "partners_added": _partners(diff.partners.added) if diff else [],
        "partners_removed": _partners(diff.partners.removed) if diff else [],
        "tasks_added": [str(t.get("title", "")) for t in diff.tasks.added] if diff else [],
        "tasks_removed": [str(t.get("title", "")) for t in diff.tasks.removed] if diff else [],
        "is_staff": rules.can_run_call(request.user),
    }
    if context["is_staff"]:
        context.update({"call": proposal.call, "section": "revision"})
    return render(request, "backoffice/revision/diff.html", context)
