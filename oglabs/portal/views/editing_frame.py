"""What every step of the proposal form shares: the request context, the frame around a step
(step navigation with done/missing, "Noch fehlt", the countdown), the error summary's entries,
the one domain call (``services.save_section``) and turning its outcome into an answer — a page,
a redirect, or the autosave's status fragment.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from oglabs.calls.timeline import BERLIN
from oglabs.core.templatetags.kern_forms import error_target
from oglabs.places.queries import MunicipalityLookupError, get_municipality, search_municipalities
from oglabs.portal.countdown import countdown
from oglabs.portal.steps import STEPS, Step, editing_deadline, next_step, step_states
from oglabs.proposals import queries, services
from oglabs.proposals.eligibility import check_eligibility
from oglabs.proposals.exceptions import CallClosed, EditConflict, InvalidContent, NotEditable
from oglabs.proposals.models import Proposal

#: How many municipalities a search lists.
CANDIDATE_LIMIT = 10
MAX_QUERY_LENGTH = 100


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


def step_frame(ctx: StepContext, proposal: Proposal) -> dict[str, Any]:
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
                entries.append({"href": f"#{error_target(bound)}", "text": f"{bound.label}: {message}"})
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
                        {"href": f"#{error_target(bound)}", "text": f"{label}, {bound.label}: {message}"}
                    )
    return entries


def render_step(
    ctx: StepContext,
    template: str,
    context: Mapping[str, Any],
    *,
    conflict: str = "",
    status: int = 200,
    frame: Mapping[str, Any] | None = None,
) -> HttpResponse:
    full = {**(frame or step_frame(ctx, ctx.proposal)), **context, "conflict": conflict}
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


def saved_response(
    ctx: StepContext, proposal: Proposal, *, oob: Callable[[Proposal], str] | None = None
) -> HttpResponse:
    """After a successful save: the autosave status fragment, or on to this or the next step.

    ``proposal`` is what ``save_section`` returned: the proposal as loaded for this request with
    the saved section as written, so the fragment needs no second read of the content.
    """
    if is_autosave(ctx.request):
        frame = step_frame(ctx, proposal)
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
        return saved_response(ctx, outcome.proposal, oob=oob)
    if outcome.conflict:
        if is_autosave(ctx.request):
            return autosave_problem(ctx, conflict=outcome.conflict)
        return rerender(conflict=outcome.conflict, status=409)
    map_errors(outcome.errors)
    if is_autosave(ctx.request):
        return autosave_problem(ctx, errors=entries())
    return rerender()


def map_to_form(form: forms.Form, errors: dict[str, list[str]], aliases: Mapping[str, str] = {}) -> None:
    for path, field_messages in errors.items():
        name = aliases.get(path, path)
        for message in field_messages:
            form.add_error(name if name in form.fields else None, message)
