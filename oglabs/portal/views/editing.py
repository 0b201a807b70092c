"""Starting a proposal and the multi-step form that edits it, section by section.

Every step works without JavaScript (buttons post the whole form); where HTMX runs, a change
autosaves the form through the same service call and gets a small status fragment back. Each
save names the version it started from; a stale save is refused (``EditConflict``) and the page
keeps what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from oglabs.calls import queries as call_queries
from oglabs.calls import timeline
from oglabs.calls.models import Call
from oglabs.places.queries import MunicipalityLookupError, get_municipality
from oglabs.portal import rules
from oglabs.portal.countdown import countdown
from oglabs.portal.forms import StartProposalForm
from oglabs.portal.steps import STEP_BY_SLUG, STEPS, editing_deadline
from oglabs.portal.views.editing_frame import (
    MAX_QUERY_LENGTH,
    StepContext,
    closed_response,
    is_htmx,
    municipality_candidates,
)
from oglabs.portal.views.editing_steps import HANDLERS
from oglabs.proposals import queries, services
from oglabs.proposals.exceptions import CallClosed, InvalidContent, NotEditable, ProposalNotFound
from oglabs.proposals.models import Proposal

__all__ = ["proposal_edit", "proposal_edit_step", "proposal_start"]


# --- start ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def proposal_start(request: HttpRequest, slug: str) -> HttpResponse:
    """Choose the lead municipality and a title; ``services.start_proposal`` creates the draft."""
    if not rules.may_apply(request.user):
        raise Http404
    try:
        call = call_queries.get_public_call(slug)
    except Call.DoesNotExist:
        raise Http404 from None
    now = timezone.now()
    window = timeline.submission_window(call.phase_spans())
    deadline = countdown(window[1], now) if window else None
    is_open = timeline.is_open(call.phase_spans(), now)
    source = request.POST if request.method == "POST" else request.GET
    query = str(source.get("q", "")).strip()[:MAX_QUERY_LENGTH]
    candidates = municipality_candidates(query)
    chosen = str(source.get("lead", ""))
    if chosen and chosen not in {m.ars for m in candidates}:
        candidates = _chosen_first(chosen, candidates)
    form = StartProposalForm(request.POST or None, candidates=candidates, initial={"q": query})
    context: dict[str, Any] = {
        "call": call,
        "form": form,
        "query": query,
        "candidates": candidates,
        "deadline": deadline,
        "is_open": is_open,
        "searched": bool(query),
    }
    if request.method == "GET" and is_htmx(request) and "q" in request.GET:
        return render(request, "portal/editing/_start_candidates.html", {**context, "oob": True})
    if request.method == "POST" and request.POST.get("action") == "search":
        # Only searching: show the candidates without validating the rest of the form.
        context["form"] = StartProposalForm(
            initial={"title": request.POST.get("title", ""), "q": query}, candidates=candidates
        )
        return render(request, "portal/editing/start.html", context)
    if request.method == "POST" and form.is_valid():
        lead = next(m for m in candidates if m.ars == form.cleaned_data["lead"])
        user: Any = request.user
        try:
            proposal = services.start_proposal(
                call=call, actor=user, title=form.cleaned_data["title"], lead_municipality=lead, now=now
            )
        except CallClosed as error:
            context["closed_message"] = str(error)
            return render(request, "portal/editing/start.html", context, status=409)
        except InvalidContent as error:
            for field, field_messages in error.errors.items():
                for message in field_messages:
                    form.add_error(field if field in form.fields else None, message)
            return render(request, "portal/editing/start.html", context)
        messages.success(
            request,
            _("Ihre Interessenbekundung %(reference)s ist angelegt.") % {"reference": proposal.reference},
        )
        return redirect("portal:proposal_edit", pk=proposal.pk)
    return render(request, "portal/editing/start.html", context)


def _chosen_first(ars: str, candidates: list[Any]) -> list[Any]:
    """Keep a municipality chosen earlier selectable even if the last search did not list it."""
    try:
        chosen = get_municipality(ars)
    except MunicipalityLookupError:
        return candidates
    return [chosen, *candidates]


# --- the multi-step form ---------------------------------------------------------------------------


def _proposal_for(request: HttpRequest, pk: int) -> Proposal:
    """The proposal, if the person is an applicant in its consortium; 404 otherwise (existence
    is never revealed)."""
    if not rules.may_apply(request.user):
        raise Http404
    try:
        return queries.get_proposal_for_member(request.user, pk)
    except ProposalNotFound:
        raise Http404 from None


@require_http_methods(["GET"])
def proposal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _proposal_for(request, pk)
    return redirect("portal:proposal_edit_step", pk=pk, step=STEPS[0].slug)


@require_http_methods(["GET", "POST"])
def proposal_edit_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    proposal = _proposal_for(request, pk)
    current = STEP_BY_SLUG.get(step)
    if current is None:
        raise Http404
    now = timezone.now()
    closed = _closed_message(proposal, now)
    if closed is not None:
        return closed_response(StepContext(request=request, proposal=proposal, step=current, now=now), closed)
    handler: Callable[[StepContext], HttpResponse] = HANDLERS[current.slug]
    return handler(StepContext(request=request, proposal=proposal, step=current, now=now))


def _closed_message(proposal: Proposal, now: datetime) -> str | None:
    """Why the consortium cannot edit now (state or deadline), or None. The services check the
    same again when saving."""
    if not rules.may_change_content(proposal):
        return str(NotEditable(str(proposal.get_state_display())))
    deadline_at = editing_deadline(proposal)
    if proposal.state == "draft" and not timeline.is_open(proposal.call.phase_spans(), now):
        return str(CallClosed(deadline_at))
    if deadline_at is not None and timeline.as_utc(now) > deadline_at:
        return str(CallClosed(deadline_at))
    return None
