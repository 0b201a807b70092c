"""The steps of the proposal form: one handler per step, and what they share (rendering the
step frame, saving through ``services.save_section``, answering an autosave).

A handler gets the proposal already checked for membership and editability
(``editing.proposal_edit_step``) and makes exactly one domain call when saving.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oglabs.calls.timeline import BERLIN
from oglabs.places.queries import MunicipalityLookupError, get_municipality, search_municipalities
from oglabs.portal.countdown import countdown
from oglabs.portal.forms import (
    BudgetForm,
    GeneralForm,
    MunicipalitiesForm,
    PartnerFormSet,
    RowsForm,
    TaskFormSet,
    budget_field_name,
    raw_rows,
)
from oglabs.portal.steps import (
    FINDING_STEP,
    OVERVIEW,
    STEP_BY_SLUG,
    STEPS,
    Step,
    StepState,
    editing_deadline,
    next_step,
    step_states,
)
from oglabs.proposals import queries, services
from oglabs.proposals.eligibility import check_eligibility
from oglabs.proposals.exceptions import CallClosed, EditConflict, InvalidContent, NotEditable
from oglabs.proposals.models import Proposal

#: How many municipalities a search lists.
CANDIDATE_LIMIT = 10
MAX_QUERY_LENGTH = 100

PARTNER_FIELDS = ("id", "kind", "name", "role_in_lab", "cooperation_exists", "contact_email")
TASK_FIELDS = ("title", "description", "indicator", "target_value", "due_on", "verification")


@dataclass
class StepContext:
    request: HttpRequest
    proposal: Proposal
    step: Step
    now: datetime


@dataclass
class Outcome:
    """What a save came to: saved (``proposal``), refused for a conflict, invalid, or closed."""

    proposal: Proposal | None = None
    conflict: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)
    closed: str = ""


def detail_url(proposal: Proposal) -> str:
    """The read-only page of the proposal (the overview pages'); the portal home until it exists."""
    try:
        return reverse("portal:proposal_detail", kwargs={"pk": proposal.pk})
    except NoReverseMatch:
        return reverse("portal:home")


def submit_url(proposal: Proposal) -> str | None:
    try:
        return reverse("portal:proposal_submit", kwargs={"pk": proposal.pk})
    except NoReverseMatch:
        return None


def step_url(proposal: Proposal, step: Step) -> str:
    return reverse("portal:proposal_edit_step", kwargs={"pk": proposal.pk, "step": step.slug})


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def is_autosave(request: HttpRequest) -> bool:
    return is_htmx(request) and request.POST.get("autosave") == "1"


def municipality_candidates(query: str) -> list[Any]:
    """Municipalities for a name or key; a full 5-, 8- or 12-digit key finds that one directly."""
    query = query.strip()[:MAX_QUERY_LENGTH]
    if not query:
        return []
    found = search_municipalities(query, limit=CANDIDATE_LIMIT)
    if not found and query.isdigit():
        try:
            found = [get_municipality(query)]
        except MunicipalityLookupError:
            found = []
    return found


# --- rendering -----------------------------------------------------------------------------------


def _frame(ctx: StepContext, proposal: Proposal) -> dict[str, Any]:
    """What every step shows: step navigation with done/missing, "Noch fehlt", the countdown."""
    findings = check_eligibility(*queries.eligibility_inputs(proposal))
    states = step_states(findings)
    current = next(state for state in states if state.step == ctx.step)
    deadline_at = editing_deadline(proposal)
    return {
        "proposal": proposal,
        "step": ctx.step,
        "step_states": states,
        "current": current,
        "next_step": next_step(ctx.step),
        "is_last_step": ctx.step == STEPS[-2],
        "countdown": countdown(deadline_at, ctx.now) if deadline_at else None,
        "detail_url": detail_url(proposal),
        "submit_url": submit_url(proposal),
        "step_url": step_url(proposal, ctx.step),
        "nav_items": [(state, step_url(proposal, state.step)) for state in states],
    }


def error_entries(
    form: forms.Form | None, formset: forms.BaseFormSet | None = None, row_label: str = ""
) -> list[dict[str, str]]:
    """The error summary's links: one per message, to the field (or the row) it belongs to."""
    entries: list[dict[str, str]] = []
    if form is not None and form.is_bound:
        for message in form.non_field_errors():
            entries.append({"href": "#step-form", "text": str(message)})
        for bound in form:
            for message in bound.errors:
                entries.append({"href": f"#{bound.auto_id}", "text": f"{bound.label}: {message}"})
    if formset is not None and formset.is_bound:
        for message in formset.non_form_errors():
            entries.append({"href": "#step-form", "text": str(message)})
        for number, row in enumerate(formset.forms, 1):
            label = f"{row_label} {number}"
            for message in row.non_field_errors():
                entries.append({"href": f"#row-{row.prefix}", "text": f"{label}: {message}"})
            for bound in row:
                for message in bound.errors:
                    entries.append(
                        {"href": f"#{bound.auto_id}", "text": f"{label}, {bound.label}: {message}"}
                    )
    return entries


def render_step(
    ctx: StepContext, template: str, context: Mapping[str, Any], *, conflict: str = "", status: int = 200
) -> HttpResponse:
    full = {**_frame(ctx, ctx.proposal), **context, "conflict": conflict}
    full.setdefault("errors", [])
    return render(ctx.request, f"portal/editing/{template}", full, status=status)


# --- saving --------------------------------------------------------------------------------------


def save(ctx: StepContext, data: Any, expected_version: int) -> Outcome:
    """The one domain call of a step: ``save_section``, its refusals turned into an ``Outcome``."""
    assert ctx.step.section is not None
    user: Any = ctx.request.user
    try:
        saved = services.save_section(
            ctx.proposal,
            section=ctx.step.section,
            data=data,
            expected_version=expected_version,
            actor=user,
            now=ctx.now,
        )
    except EditConflict as error:
        return Outcome(conflict=str(error))
    except InvalidContent as error:
        return Outcome(errors=error.errors)
    except (CallClosed, NotEditable) as error:
        return Outcome(closed=str(error))
    return Outcome(proposal=saved)


def closed_response(ctx: StepContext, message: str) -> HttpResponse:
    messages.error(ctx.request, message)
    if is_htmx(ctx.request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = detail_url(ctx.proposal)
        return response
    return HttpResponseRedirect(detail_url(ctx.proposal))


def saved_response(ctx: StepContext, *, oob: Callable[[Proposal], str] | None = None) -> HttpResponse:
    """After a successful save: the autosave status fragment, or on to this or the next step."""
    proposal = queries.get_proposal_for_member(ctx.request.user, ctx.proposal.pk)
    if is_autosave(ctx.request):
        frame = _frame(ctx, proposal)
        html = str(
            render_to_string(
                "portal/editing/_autosave_saved.html",
                {**frame, "saved_at": ctx.now.astimezone(BERLIN), "oob": True},
                request=ctx.request,
            )
        )
        if oob is not None:
            html += oob(proposal)
        return HttpResponse(html)
    messages.success(ctx.request, _("Ihre Angaben sind gespeichert."))
    target = next_step(ctx.step) if "next" in ctx.request.POST else ctx.step
    return HttpResponseRedirect(step_url(proposal, target))


def autosave_problem(
    ctx: StepContext, *, conflict: str = "", errors: Sequence[dict[str, str]] = ()
) -> HttpResponse:
    """The autosave could not save: say so in the status region; a conflict also as an alert."""
    return render(
        ctx.request,
        "portal/editing/_autosave_problem.html",
        {"conflict": conflict, "errors": errors, "step_url": step_url(ctx.proposal, ctx.step)},
    )


def respond(
    ctx: StepContext,
    outcome: Outcome,
    *,
    rerender: Callable[..., HttpResponse],
    entries: Callable[[], list[dict[str, str]]],
    map_errors: Callable[[dict[str, list[str]]], None],
    oob: Callable[[Proposal], str] | None = None,
) -> HttpResponse:
    """Turn a save's outcome into the answer; ``rerender`` shows the step with the typed input."""
    if outcome.closed:
        return closed_response(ctx, outcome.closed)
    if outcome.proposal is not None:
        return saved_response(ctx, oob=oob)
    if outcome.conflict:
        if is_autosave(ctx.request):
            return autosave_problem(ctx, conflict=outcome.conflict)
        return rerender(conflict=outcome.conflict, status=409)
    map_errors(outcome.errors)
    if is_autosave(ctx.request):
        return autosave_problem(ctx, errors=entries())
    return rerender()


def _map_to_form(form: forms.Form, errors: dict[str, list[str]], aliases: Mapping[str, str] = {}) -> None:
    for path, field_messages in errors.items():
        name = aliases.get(path, path)
        for message in field_messages:
            form.add_error(name if name in form.fields else None, message)


def _version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("expected_version", ""))
    except ValueError:
        return -1


# --- step 1: Allgemeines -------------------------------------------------------------------------


def general_step(ctx: StepContext) -> HttpResponse:
    proposal = ctx.proposal
    choices = [(c.key, c.label) for c in proposal.call.challenges.order_by("position")]
    if ctx.request.method != "POST":
        form = GeneralForm(
            initial={
                "expected_version": proposal.lock_version,
                "title": proposal.title,
                "region": proposal.region,
                "challenges": [c.key for c in proposal.challenges.all()],
                "lab_form": proposal.lab_form,
                "moderation": proposal.moderation,
                "own_contribution": proposal.own_contribution,
                "state_contribution": proposal.state_contribution,
            },
            challenge_choices=choices,
        )
        return render_step(ctx, "general.html", {"form": form})
    form = GeneralForm(ctx.request.POST, challenge_choices=choices)

    def rerender(conflict: str = "", status: int = 200) -> HttpResponse:
        return render_step(
            ctx,
            "general.html",
            {"form": form, "errors": error_entries(form)},
            conflict=conflict,
            status=status,
        )

    if not form.is_valid():
        if is_autosave(ctx.request):
            return autosave_problem(ctx, errors=error_entries(form))
        return rerender()
    outcome = save(ctx, form.section_data(), form.cleaned_data["expected_version"])
    return respond(
        ctx,
        outcome,
        rerender=rerender,
        entries=lambda: error_entries(form),
        map_errors=lambda errors: _map_to_form(form, errors),
    )


# --- step 2: Kommunen ----------------------------------------------------------------------------


def municipalities_step(ctx: StepContext) -> HttpResponse:
    proposal = ctx.proposal
    request = ctx.request
    query = str(request.GET.get("q", "")).strip()[:MAX_QUERY_LENGTH]
    candidates = municipality_candidates(query)
    if request.method != "POST":
        if is_htmx(request) and "q" in request.GET:
            return render(
                request,
                "portal/editing/_municipality_candidates.html",
                {
                    **_candidates_context(proposal, query, candidates),
                    "step_url": step_url(proposal, ctx.step),
                    "oob": True,
                },
            )
        return _render_municipalities(ctx, proposal, query=query, candidates=candidates)
    form = MunicipalitiesForm(request.POST)
    if not form.is_valid():
        return _render_municipalities(ctx, proposal, query=query, candidates=candidates, form=form)
    lead = form.cleaned_data["lead"] or None
    further = list(form.cleaned_data["further"])
    if request.POST.get("set_lead"):
        new_lead = str(request.POST["set_lead"])
        further = [key for key in further if key != new_lead]
        if lead and lead != new_lead:
            further.insert(0, lead)  # the former lead stays in the consortium
        lead = new_lead
    elif request.POST.get("add"):
        further.append(str(request.POST["add"]))
    elif request.POST.get("remove"):
        removed = str(request.POST["remove"])
        further = [key for key in further if key != removed]
    elif request.POST.get("remove_lead"):
        lead = None
    current_lead = proposal.lead_municipality.ars if proposal.lead_municipality else None
    current_further = [item.municipality.ars for item in proposal.further_municipalities.all()]
    if (lead, further) == (current_lead, current_further):
        target = next_step(ctx.step) if "next" in request.POST else ctx.step
        return HttpResponseRedirect(step_url(proposal, target))
    outcome = save(ctx, {"lead": lead, "further": further}, form.cleaned_data["expected_version"])

    def rerender(conflict: str = "", status: int = 200) -> HttpResponse:
        return _render_municipalities(
            ctx, proposal, query=query, candidates=candidates, form=form, conflict=conflict, status=status
        )

    return respond(
        ctx,
        outcome,
        rerender=rerender,
        entries=lambda: error_entries(form),
        map_errors=lambda errors: _map_to_form(form, errors),
    )


def _render_municipalities(
    ctx: StepContext,
    proposal: Proposal,
    *,
    query: str,
    candidates: list[Any],
    form: MunicipalitiesForm | None = None,
    conflict: str = "",
    status: int = 200,
) -> HttpResponse:
    return render_step(
        ctx,
        "municipalities.html",
        {
            **_candidates_context(proposal, query, candidates),
            "errors": error_entries(form) if form is not None else [],
            "form": form,
        },
        conflict=conflict,
        status=status,
    )


def _candidates_context(proposal: Proposal, query: str, candidates: list[Any]) -> dict[str, Any]:
    further = [item.municipality for item in proposal.further_municipalities.all()]
    lead = proposal.lead_municipality
    state = MunicipalitiesForm(
        initial={
            "expected_version": proposal.lock_version,
            "lead": lead.ars if lead else "",
            "further": [m.ars for m in further],
        },
        auto_id=False,
    )
    return {
        "state_form": state,
        "further": further,
        "query": query,
        "candidates": candidates,
        "in_consortium": {m.ars for m in further} | ({lead.ars} if lead else set()),
    }


# --- steps 3 and 4: Partner, Laboraufgaben (repeating rows) --------------------------------------


@dataclass(frozen=True)
class RowsStep:
    template: str
    prefix: str
    fields: tuple[str, ...]
    formset_class: type[forms.BaseFormSet]
    row_label: str | Promise
    initial: Callable[[Proposal], list[dict[str, Any]]]
    form_kwargs: Callable[[Proposal], dict[str, Any]]


def _partner_rows(proposal: Proposal) -> list[dict[str, Any]]:
    return [
        {
            "id": p.pk,
            "kind": p.kind,
            "name": p.name,
            "role_in_lab": p.role_in_lab,
            "cooperation_exists": p.cooperation_exists,
            "contact_email": p.contact_email,
        }
        for p in proposal.partners.all()
    ]


def _task_rows(proposal: Proposal) -> list[dict[str, Any]]:
    return [{name: getattr(task, name) for name in TASK_FIELDS} for task in proposal.tasks.all()]


PARTNERS = RowsStep(
    template="partners.html",
    prefix="partners",
    fields=PARTNER_FIELDS,
    formset_class=PartnerFormSet,
    row_label=gettext_lazy("Partner"),
    initial=_partner_rows,
    form_kwargs=lambda proposal: {},
)
TASKS = RowsStep(
    template="tasks.html",
    prefix="tasks",
    fields=TASK_FIELDS,
    formset_class=TaskFormSet,
    row_label=gettext_lazy("Aufgabe"),
    initial=_task_rows,
    form_kwargs=lambda proposal: {"period": (proposal.call.funding_starts_on, proposal.call.funding_ends_on)},
)


def rows_step(ctx: StepContext, spec: RowsStep) -> HttpResponse:
    proposal = ctx.proposal
    request = ctx.request
    row_label = str(spec.row_label)

    def show(
        formset: forms.BaseFormSet,
        version: forms.Form,
        *,
        focus: int | None = None,
        notice: str = "",
        conflict: str = "",
        status: int = 200,
    ) -> HttpResponse:
        if focus is not None and 0 <= focus < len(formset.forms):
            first = next(name for name in spec.fields if name != "id")
            formset.forms[focus].fields[first].widget.attrs["autofocus"] = True
        return render_step(
            ctx,
            spec.template,
            {
                "formset": formset,
                "form": version,
                "errors": error_entries(version, formset, row_label),
                "notice": notice,
                "row_label": row_label,
            },
            conflict=conflict,
            status=status,
        )

    kwargs = spec.form_kwargs(proposal)
    if request.method != "POST":
        rows = spec.initial(proposal) or [{}]
        return show(
            spec.formset_class(initial=rows, prefix=spec.prefix, form_kwargs=kwargs),
            RowsForm(initial={"expected_version": proposal.lock_version}),
        )
    add = "add_row" in request.POST
    remove = request.POST.get("remove_row")
    if add or remove is not None:
        # Change the rows on the page only; "Speichern" (or the autosave) stores them.
        rows = raw_rows(request.POST, spec.prefix, spec.fields)
        focus: int | None
        if add:
            rows.append({})
            focus = len(rows) - 1
            notice = _("Eine leere Zeile wurde angefügt. Gespeichert wird sie mit „Speichern“.")
        else:
            index = int(remove) if remove is not None and remove.isdigit() else -1
            if 0 <= index < len(rows):
                del rows[index]
            focus = min(index, len(rows) - 1) if rows else None
            notice = _("Die Zeile wurde entfernt. Gespeichert wird das mit „Speichern“.")
        return show(
            spec.formset_class(initial=rows, prefix=spec.prefix, form_kwargs=kwargs),
            RowsForm(initial={"expected_version": request.POST.get("expected_version", "")}),
            focus=focus,
            notice=notice,
        )
    formset = spec.formset_class(request.POST, prefix=spec.prefix, form_kwargs=kwargs)
    version = RowsForm(request.POST)
    if not (formset.is_valid() and version.is_valid()):
        if is_autosave(request):
            return autosave_problem(ctx, errors=error_entries(version, formset, row_label))
        return show(formset, version)
    kept = [row for row in formset.forms if not row.is_blank()]
    data = [row.row_data() for row in kept]

    def map_errors(errors: dict[str, list[str]]) -> None:
        for path, field_messages in errors.items():
            _section, _dot, number = path.partition(".")
            target = kept[int(number) - 1] if number.isdigit() and 0 < int(number) <= len(kept) else version
            for message in field_messages:
                target.add_error(None, message)

    def oob(saved: Proposal) -> str:
        if spec is not PARTNERS:
            return ""
        ids = [partner.pk for partner in saved.partners.all()]
        pairs = [(row.prefix, ids[n]) for n, row in enumerate(kept) if n < len(ids)]
        return render_to_string("portal/editing/_partner_ids_oob.html", {"pairs": pairs})

    outcome = save(ctx, data, version.cleaned_data["expected_version"])
    return respond(
        ctx,
        outcome,
        rerender=lambda conflict="", status=200: show(formset, version, conflict=conflict, status=status),
        entries=lambda: error_entries(version, formset, row_label),
        map_errors=map_errors,
        oob=oob,
    )


# --- step 5: Mittelbedarf ------------------------------------------------------------------------


def budget_step(ctx: StepContext) -> HttpResponse:
    proposal = ctx.proposal
    call = proposal.call
    years = list(range(call.funding_starts_on.year, call.funding_ends_on.year + 1))
    amounts = {(line.year, line.category): line.amount for line in proposal.budget_lines.all()}

    def show(form: BudgetForm, conflict: str = "", status: int = 200) -> HttpResponse:
        table = queries.budget_table(proposal)
        return render_step(
            ctx,
            "budget.html",
            {
                "form": form,
                "table": table,
                "budget_rows": [
                    {**row, "total": totals["total"]}
                    for row, totals in zip(form.rows(), table["rows"], strict=True)
                ],
                "year_totals": list(zip(table["years"], table["year_totals"], strict=True)),
                "errors": error_entries(form),
                "general_url": step_url(proposal, STEPS[0]),
            },
            conflict=conflict,
            status=status,
        )

    if ctx.request.method != "POST":
        return show(
            BudgetForm(initial={"expected_version": proposal.lock_version}, years=years, amounts=amounts)
        )
    form = BudgetForm(ctx.request.POST, years=years)
    if not form.is_valid():
        if is_autosave(ctx.request):
            return autosave_problem(ctx, errors=error_entries(form))
        return show(form)

    def map_errors(errors: dict[str, list[str]]) -> None:
        aliases = {}
        for path in errors:
            parts = path.split(".")
            if len(parts) == 3 and parts[1].isdigit():
                aliases[path] = budget_field_name(int(parts[1]), parts[2])
        _map_to_form(form, errors, aliases)

    def oob(saved: Proposal) -> str:
        table = queries.budget_table(saved)
        return render_to_string(
            "portal/editing/_budget_totals_oob.html",
            {"table": table, "year_totals": list(zip(table["years"], table["year_totals"], strict=True))},
        )

    outcome = save(ctx, form.section_data(), form.cleaned_data["expected_version"])
    return respond(
        ctx,
        outcome,
        rerender=lambda conflict="", status=200: show(form, conflict=conflict, status=status),
        entries=lambda: error_entries(form),
        map_errors=map_errors,
        oob=oob,
    )


# --- step 6: Übersicht ---------------------------------------------------------------------------


def overview_step(ctx: StepContext) -> HttpResponse:
    if ctx.request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    frame = _frame(ctx, ctx.proposal)
    missing_links = [
        {"finding": finding, "step": STEP_BY_SLUG[slug], "url": step_url(ctx.proposal, STEP_BY_SLUG[slug])}
        for finding in frame["current"].missing
        if (slug := FINDING_STEP.get(finding.code, OVERVIEW.slug))
    ]
    return render_step(
        ctx, "overview.html", {"table": queries.budget_table(ctx.proposal), "missing_links": missing_links}
    )


HANDLERS: dict[str, Callable[[StepContext], HttpResponse]] = {
    "allgemeines": general_step,
    "kommunen": municipalities_step,
    "partner": lambda ctx: rows_step(ctx, PARTNERS),
    "aufgaben": lambda ctx: rows_step(ctx, TASKS),
    "mittelbedarf": budget_step,
    OVERVIEW.slug: overview_step,
}

__all__ = ["HANDLERS", "StepContext", "StepState", "detail_url", "is_htmx", "municipality_candidates"]
