"""The steps of the proposal form: one handler per step. A handler gets the proposal already
checked for membership and editability (``editing.proposal_edit_step``) and makes exactly one
domain call when saving (``editing_frame.save``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
from oglabs.portal.steps import FINDING_STEP, OVERVIEW, STEP_BY_SLUG, STEPS, next_step
from oglabs.portal.views.editing_frame import (
    MAX_QUERY_LENGTH,
    StepContext,
    autosave_problem,
    error_entries,
    is_autosave,
    is_htmx,
    map_to_form,
    municipality_candidates,
    render_step,
    respond,
    save,
    step_frame,
    step_url,
)
from oglabs.proposals import queries
from oglabs.proposals.models import Proposal

PARTNER_FIELDS = ("id", "kind", "name", "role_in_lab", "cooperation_exists", "contact_email")
TASK_FIELDS = ("title", "description", "indicator", "target_value", "due_on", "verification")


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
        map_errors=lambda errors: map_to_form(form, errors),
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
        map_errors=lambda errors: map_to_form(form, errors),
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
        map_to_form(form, errors, aliases)

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
    frame = step_frame(ctx, ctx.proposal)
    missing_links = [
        {"finding": finding, "step": STEP_BY_SLUG[slug], "url": step_url(ctx.proposal, STEP_BY_SLUG[slug])}
        for finding in frame["current"].missing
        if (slug := FINDING_STEP.get(finding.code, OVERVIEW.slug))
    ]
    return render_step(
        ctx,
        "overview.html",
        {"table": queries.budget_table(ctx.proposal), "missing_links": missing_links},
        frame=frame,
    )


HANDLERS: dict[str, Callable[[StepContext], HttpResponse]] = {
    "allgemeines": general_step,
    "kommunen": municipalities_step,
    "partner": lambda ctx: rows_step(ctx, PARTNERS),
    "aufgaben": lambda ctx: rows_step(ctx, TASKS),
    "mittelbedarf": budget_step,
    OVERVIEW.slug: overview_step,
}

__all__ = ["HANDLERS"]
