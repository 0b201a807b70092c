"""The selection of a call (staff only): runs with different rules (what-if), one run in detail
beside CONSUL's greedy result, two runs side by side, the decision with a reason per proposal, and
recording the withdrawal of a selected lab (the waitlist moves up).

Each view makes one domain call and turns its refusal into a German message; nothing here
computes a selection itself.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from oglabs.accounts.models import User
from oglabs.backoffice import rules
from oglabs.backoffice.selection_forms import CompareForm, DecideForm, RunForm, WithdrawLabForm
from oglabs.calls import queries as call_queries
from oglabs.calls.models import Call
from oglabs.proposals.models import Proposal
from oglabs.proposals.states import ProposalState
from oglabs.selection import queries, run_queries, services
from oglabs.selection.exceptions import InvalidParameters, ReasonsMissing, SelectionRefused
from oglabs.selection.models import Decision, DecisionEntry, SelectionRun

SECTION = "selection"

STATUS_LABELS = {
    "optimal": gettext_lazy("optimal bewiesen"),
    "not_proven": gettext_lazy("nicht als optimal bewiesen (Zeitgrenze erreicht)"),
    "no_eligible": gettext_lazy("keine berechtigte Interessenbekundung"),
    "rural_share_unattainable": gettext_lazy("Mindestanteil ländlicher Labore nicht erreichbar"),
    "heuristic": gettext_lazy("Näherung"),
}


def _staff(request: HttpRequest) -> User:
    user = request.user
    if not rules.can_select_labs(user):
        raise PermissionDenied
    assert isinstance(user, User)
    return user


def _call(slug: str) -> Call:
    try:
        return call_queries.get_call(slug)
    except Call.DoesNotExist:
        raise Http404 from None


def _run(call: Call, number: int) -> SelectionRun:
    try:
        return queries.get_run(call, number)
    except SelectionRun.DoesNotExist:
        raise Http404 from None


# --- runs -----------------------------------------------------------------------------------------


def _runs_page(
    request: HttpRequest, call: Call, form: RunForm | None = None, *, status: int = 200
) -> HttpResponse:
    decision = queries.decision_of(call)
    context: dict[str, Any] = {
        "call": call,
        "section": SECTION,
        "decision": decision,
        "runs": [
            (summary, STATUS_LABELS.get(summary.status, summary.status))
            for summary in queries.run_summaries(call)
        ],
        "form": None if decision is not None else (form or RunForm.for_call(call)),
        "tie_break": queries.TIE_BREAK_RULE,
    }
    return render(request, "backoffice/selection/runs.html", context, status=status)


@require_http_methods(["GET", "POST"])
def selection_runs(request: HttpRequest, slug: str) -> HttpResponse:
    actor = _staff(request)
    call = _call(slug)
    if request.method != "POST":
        return _runs_page(request, call)
    form = RunForm.for_call(call, request.POST)
    if not form.is_valid():
        return _runs_page(request, call, form, status=400)
    try:
        run = services.run_selection(call, actor=actor, now=timezone.now(), **form.parameters())
    except InvalidParameters as error:
        for field, message in error.errors.items():
            form.add_error(field if field in form.fields else None, message)
        return _runs_page(request, call, form, status=400)
    except SelectionRefused as error:
        messages.error(request, str(error))
        return redirect("backoffice:selection_runs", slug=call.slug)
    messages.success(request, _("Lauf %(number)s ist berechnet und gespeichert.") % {"number": run.number})
    return redirect("backoffice:selection_run", slug=call.slug, number=run.number)


@require_GET
def selection_run(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    _staff(request)
    call = _call(slug)
    run = _run(call, number)
    view = run_queries.view_of(run)
    decision = queries.decision_of(call)
    context = {
        "call": call,
        "section": SECTION,
        "run": run,
        "view": view,
        "status_label": STATUS_LABELS.get(run.status, run.status),
        "rules": view.shown_rules,
        "decision": decision,
        "may_decide": decision is None and run.status == "optimal",
        "tie_break": run.inputs.get("tie_break", queries.TIE_BREAK_RULE),
    }
    return render(request, "backoffice/selection/run.html", context)


@require_GET
def selection_compare(request: HttpRequest, slug: str) -> HttpResponse:
    _staff(request)
    call = _call(slug)
    runs = queries.run_choices(call)
    form = CompareForm(request.GET or None, runs=runs)
    comparison = None
    status = 200
    if form.is_bound:
        if form.is_valid():
            comparison = run_queries.compare_runs(
                _run(call, form.cleaned_data["a"]), _run(call, form.cleaned_data["b"])
            )
        else:
            status = 400
    context = {
        "call": call,
        "section": SECTION,
        "form": form,
        "comparison": comparison,
        "enough": len(runs) >= 2,
    }
    return render(request, "backoffice/selection/compare.html", context, status=status)


# --- the decision ---------------------------------------------------------------------------------


def _decide_page(
    request: HttpRequest, call: Call, run: SelectionRun, form: DecideForm | None = None, *, status: int = 200
) -> HttpResponse:
    view = run_queries.view_of(run)
    proposals = [(row.proposal_id, f"{row.reference}: {row.title}") for row in view.rows]
    if form is None:
        initial = {
            DecideForm.field_name(row.proposal_id): run_queries.suggested_reason(row) for row in view.rows
        }
        form = DecideForm(initial=initial, proposals=proposals)
    context = {
        "call": call,
        "section": SECTION,
        "run": run,
        "view": view,
        "form": form,
        "rows": [(row, form.reason_field(row.proposal_id)) for row in view.rows],
        "decision": queries.decision_of(call),
    }
    return render(request, "backoffice/selection/decide.html", context, status=status)


@require_http_methods(["GET", "POST"])
def selection_decide(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    actor = _staff(request)
    call = _call(slug)
    run = _run(call, number)
    if request.method != "POST":
        return _decide_page(request, call, run)
    view = run_queries.view_of(run)
    form = DecideForm(
        request.POST, proposals=[(row.proposal_id, f"{row.reference}: {row.title}") for row in view.rows]
    )
    if not form.is_valid():
        return _decide_page(request, call, run, form, status=400)
    try:
        services.decide(run, reasons=form.reasons(), actor=actor, now=timezone.now())
    except ReasonsMissing as error:
        for pid in error.missing:
            form.add_error(DecideForm.field_name(pid), _("Bitte geben Sie eine Begründung an."))
        return _decide_page(request, call, run, form, status=400)
    except SelectionRefused as error:
        messages.error(request, str(error))
        return redirect("backoffice:selection_run", slug=call.slug, number=run.number)
    messages.success(
        request,
        _("Die Förderentscheidung ist getroffen; alle Konsortien werden per E-Mail benachrichtigt."),
    )
    return redirect("backoffice:selection_decision", slug=call.slug)


def _decision(call: Call) -> Decision:
    decision = queries.decision_of(call)
    if decision is None:
        raise Http404
    return decision


@require_GET
def selection_decision(request: HttpRequest, slug: str) -> HttpResponse:
    _staff(request)
    call = _call(slug)
    decision = _decision(call)
    context = {
        "call": call,
        "section": SECTION,
        "decision": decision,
        "overview": queries.decision_overview(decision),
    }
    return render(request, "backoffice/selection/decision.html", context)


def _entry(decision: Decision, pk: int) -> DecisionEntry:
    try:
        return queries.decision_entries(decision).get(proposal_id=pk)
    except DecisionEntry.DoesNotExist:
        raise Http404 from None


@require_http_methods(["GET", "POST"])
def selection_withdraw(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    actor = _staff(request)
    call = _call(slug)
    decision = _decision(call)
    entry = _entry(decision, pk)
    proposal: Proposal = entry.proposal
    form = WithdrawLabForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            move_up = services.withdraw_selected_lab(
                proposal, reason=form.cleaned_data["reason"], actor=actor, now=timezone.now()
            )
        except SelectionRefused as error:
            messages.error(request, str(error))
            return redirect("backoffice:selection_decision", slug=call.slug)
        if move_up.moved_up is not None:
            messages.success(
                request,
                _("Der Rückzug ist erfasst. Nachgerückt ist %(reference)s.")
                % {"reference": move_up.moved_up.reference},
            )
        else:
            messages.warning(
                request,
                _("Der Rückzug ist erfasst. Niemand auf der Nachrückliste passt; die Mittel bleiben frei."),
            )
        return redirect("backoffice:selection_decision", slug=call.slug)
    context = {
        "call": call,
        "section": SECTION,
        "entry": entry,
        "proposal": proposal,
        "form": form,
        "is_selected": proposal.state == ProposalState.SELECTED,
    }
    return render(request, "backoffice/selection/withdraw.html", context, status=400 if form.errors else 200)
