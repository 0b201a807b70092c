"""Back-office home: the calls a staff member runs, or a juror's assignments."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from oglabs.backoffice import rules
from oglabs.calls import timeline
from oglabs.calls.models import PhaseKind
from oglabs.proposals import staff_queries


def _call_rows() -> list[dict[str, Any]]:
    now = timezone.now()
    rows = []
    for call in staff_queries.calls_for_staff():
        current = timeline.current_phase(call.phase_spans(), now)
        rows.append({"call": call, "phase": PhaseKind(current.kind).label if current is not None else None})
    return rows


def home(request: HttpRequest) -> HttpResponse:
    if not rules.can_enter_backoffice(request.user):
        raise PermissionDenied
    can_run_call = rules.can_run_call(request.user)
    context = {"can_run_call": can_run_call, "calls": _call_rows() if can_run_call else []}
    return render(request, "backoffice/home.html", context)
