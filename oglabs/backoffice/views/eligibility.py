"""The formal check (queue per call, check page per proposal, four-eyes confirmation) and messages
to the consortia of a call (compose → preview with the exact count → send). Staff only."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from oglabs.accounts.models import User
from oglabs.backoffice import rules
from oglabs.backoffice.eligibility_forms import DecisionForm, MessageForm, RejectForm, SendForm
from oglabs.calls import queries as call_queries
from oglabs.calls.models import Call
from oglabs.proposals import checks, services
from oglabs.proposals.eligibility import is_eligible
from oglabs.proposals.exceptions import InvalidContent, ProposalError
from oglabs.proposals.models import EligibilityCheck, Proposal
from oglabs.proposals.states import ProposalState


def _staff(request: HttpRequest) -> User:
    user = request.user
    if not rules.can_check_eligibility(user):
        raise PermissionDenied
    assert isinstance(user, User)
    return user


def _call(slug: str) -> Call:
    try:
        return call_queries.get_call(slug)
    except Call.DoesNotExist:
        raise Http404 from None


# --- the formal check -------------------------------------------------------------------------------


def eligibility_queue(request: HttpRequest, slug: str) -> HttpResponse:
    _staff(request)
    call = _call(slug)
    return render(
        request,
        "backoffice/eligibility/queue.html",
        {"call": call, "section": "eligibility", "queue": checks.check_queue(call)},
    )


def _check_page(
    request: HttpRequest,
    proposal: Proposal,
    *,
    form: DecisionForm | None = None,
    reject_form: RejectForm | None = None,
    status: int = 200,
) -> HttpResponse:
    findings = checks.findings_for(proposal)
    pending = checks.pending_check(proposal)
    awaiting = proposal.state == ProposalState.SUBMITTED
    context: dict[str, Any] = {
        "call": proposal.call,
        "section": "eligibility",
        "proposal": proposal,
        "findings": findings,
        "all_met": is_eligible(findings),
        "checks": list(checks.checks_of(proposal)),
        "pending": pending,
        "may_confirm": pending is not None and pending.decided_by_id != request.user.pk,
        "form": (form or DecisionForm()) if awaiting and pending is None else None,
        "reject_form": (reject_form or RejectForm()) if pending is not None else None,
    }
    return render(request, "backoffice/eligibility/check.html", context, status=status)


def _proposal(pk: int) -> Proposal:
    try:
        return checks.get_proposal_for_check(pk)
    except Proposal.DoesNotExist:
        raise Http404 from None


@require_http_methods(["GET", "POST"])
def eligibility_check(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _staff(request)
    proposal = _proposal(pk)
    if request.method != "POST":
        return _check_page(request, proposal)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _check_page(request, proposal, form=form, status=400)
    try:
        check = services.decide_eligibility(
            proposal,
            actor=actor,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
            now=timezone.now(),
        )
    except InvalidContent as error:
        for field, errors in error.errors.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
        return _check_page(request, proposal, form=form, status=400)
    except ProposalError as error:
        messages.error(request, str(error))
        return redirect("backoffice:eligibility_check", pk=proposal.pk)
    if check.four_eyes:
        messages.success(
            request,
            _("Das Prüfergebnis ist vorgeschlagen. Es wird wirksam, sobald eine zweite Person es bestätigt."),
        )
    else:
        messages.success(
            request,
            _("Das Prüfergebnis ist gespeichert; das Konsortium wird per E-Mail benachrichtigt."),
        )
    return redirect("backoffice:eligibility_check", pk=proposal.pk)


def _check(pk: int) -> EligibilityCheck:
    try:
        return checks.get_check(pk)
    except EligibilityCheck.DoesNotExist:
        raise Http404 from None


@require_POST
def eligibility_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _staff(request)
    check = _check(pk)
    try:
        services.confirm_eligibility(check, actor=actor, now=timezone.now())
    except ProposalError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Das Prüfergebnis ist bestätigt; das Konsortium wird per E-Mail benachrichtigt.")
        )
    return redirect("backoffice:eligibility_check", pk=check.proposal_id)


@require_POST
def eligibility_reject(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _staff(request)
    check = _check(pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _check_page(request, _proposal(check.proposal_id), reject_form=form, status=400)
    try:
        services.reject_eligibility_proposal(
            check, actor=actor, reason=form.cleaned_data["rejection_reason"], now=timezone.now()
        )
    except ProposalError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Das Prüfergebnis ist zurückgewiesen; die Interessenbekundung wird erneut geprüft.")
        )
    return redirect("backoffice:eligibility_check", pk=check.proposal_id)


# --- messages to consortia --------------------------------------------------------------------------


def _compose_page(request: HttpRequest, call: Call, form: MessageForm, *, status: int = 200) -> HttpResponse:
    return render(
        request,
        "backoffice/messages/compose.html",
        {"call": call, "section": "messages", "form": form},
        status=status,
    )


def _preview_page(
    request: HttpRequest,
    call: Call,
    data: dict[str, Any],
    *,
    send_form: SendForm | None = None,
    status: int = 200,
) -> HttpResponse:
    audience = services.message_audience(call, states=data["states"])
    preview = services.preview_message(
        call, subject=data["subject"], body=data["body"], states=data["states"]
    )
    if send_form is None:
        send_form = SendForm(
            initial={
                **data,
                "expected_consortia": audience.consortia,
                "expected_recipients": audience.recipients,
            }
        )
    labels = dict(ProposalState.choices)
    context = {
        "call": call,
        "section": "messages",
        "data": data,
        "state_labels": [labels[state] for state in data["states"]],
        "audience": audience,
        "preview": preview,
        "send_form": send_form,
    }
    return render(request, "backoffice/messages/preview.html", context, status=status)


@require_http_methods(["GET", "POST"])
def compose_message(request: HttpRequest, slug: str) -> HttpResponse:
    if not rules.can_message_consortia(request.user):
        raise PermissionDenied
    actor = request.user
    assert isinstance(actor, User)
    call = _call(slug)
    if request.method != "POST":
        return _compose_page(request, call, MessageForm())
    step = request.POST.get("step", "")
    if step == "edit":
        return _compose_page(request, call, MessageForm(request.POST))
    if step == "preview":
        form = MessageForm(request.POST)
        if not form.is_valid():
            return _compose_page(request, call, form, status=400)
        return _preview_page(request, call, form.cleaned_data)
    if step != "send":
        return _compose_page(request, call, MessageForm(request.POST), status=400)
    send_form = SendForm(request.POST)
    if not send_form.is_valid():
        message_form = MessageForm(request.POST)
        if not message_form.is_valid():
            return _compose_page(request, call, message_form, status=400)
        return _preview_page(request, call, message_form.cleaned_data, send_form=send_form, status=400)
    data = send_form.cleaned_data
    try:
        sent = services.send_message_to_consortia(
            call,
            actor=actor,
            subject=data["subject"],
            body=data["body"],
            states=data["states"],
            now=timezone.now(),
            expected=services.MessageAudience(
                consortia=data["expected_consortia"], recipients=data["expected_recipients"]
            ),
        )
    except ProposalError as error:
        messages.error(request, str(error))
        message_data = {key: data[key] for key in ("subject", "body", "states")}
        return _preview_page(request, call, message_data, status=409)
    messages.success(
        request,
        ngettext(
            "%(count)d Nachricht ist in den Postausgang gestellt.",
            "%(count)d Nachrichten sind in den Postausgang gestellt.",
            sent,
        )
        % {"count": sent},
    )
    return redirect("backoffice:messages", slug=call.slug)
