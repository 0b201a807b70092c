"""Submitting a proposal (rule by rule, before the deadline) and withdrawing it with a reason."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from oglabs.portal import presenters, rules
from oglabs.portal.countdown import countdown
from oglabs.portal.forms_overview import WithdrawForm
from oglabs.portal.steps import editing_deadline
from oglabs.portal.views.lookup import member_proposal_or_404
from oglabs.portal.views.overview import received_url
from oglabs.proposals import queries, services
from oglabs.proposals.eligibility import check_eligibility, is_eligible
from oglabs.proposals.exceptions import (
    CallClosed,
    InvalidContent,
    NotEditable,
    ProposalNotFound,
    SubmissionRefused,
    TransitionNotAllowed,
)
from oglabs.proposals.models import Proposal
from oglabs.proposals.states import ProposalState
from oglabs.selection import services as selection_services
from oglabs.selection.exceptions import SelectionRefused

#: States from which a consortium can still withdraw (the table in ``states.py`` decides).
_FINAL = frozenset({ProposalState.WITHDRAWN, ProposalState.NOT_SELECTED, ProposalState.MERGED})


def _submit_page(
    request: HttpRequest, proposal: Proposal, *, refusal: str = "", status: int = 200
) -> HttpResponse:
    now = timezone.now()
    dates = presenters.call_dates(proposal.call, now=now)
    findings = check_eligibility(*queries.eligibility_inputs(proposal))
    # During a revision the revision's deadline counts, not the (long passed) one of the sketches.
    deadline_at = editing_deadline(proposal)
    context = {
        "proposal": proposal,
        "badge": presenters.state_badge(proposal.state),
        "dates": dates,
        "countdown": countdown(deadline_at, now) if deadline_at else None,
        "findings": findings,
        "ready": is_eligible(findings),
        "editable": rules.may_change_content(proposal),
        "refusal": refusal,
        "is_revision": proposal.state == ProposalState.IN_REVISION,
    }
    return render(request, "portal/overview/submit.html", context, status=status)


@require_http_methods(["GET", "POST"])
def proposal_submit(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "GET":
        return _submit_page(request, member_proposal_or_404(request, pk))
    if not rules.may_apply(request.user):
        raise Http404
    # The submission loads the proposal with its content itself, for members only (a stranger
    # gets ProposalNotFound: 404); a read here as well would add a query to the hottest path of a
    # deadline rush. Afterwards ``proposal`` holds what was stored (reference, state).
    proposal = Proposal(pk=pk)
    try:
        version = services.submit_proposal(proposal, actor=request.user, now=timezone.now())  # type: ignore[arg-type]  # signed in: the middleware and may_apply guarantee a User
    except ProposalNotFound:
        raise Http404 from None
    except SubmissionRefused:
        fresh = member_proposal_or_404(request, pk)
        return _submit_page(
            request,
            fresh,
            refusal=_(
                "Die Interessenbekundung wurde nicht eingereicht. Bitte ergänzen Sie die markierten Angaben."
            ),
            status=422,
        )
    except CallClosed as error:
        return _submit_page(request, member_proposal_or_404(request, pk), refusal=str(error), status=422)
    except NotEditable as error:
        messages.error(request, str(error))
        return redirect("portal:proposal_detail", pk=proposal.pk)
    # The confirmation is shown by the proposal's page from the stored version (``received``
    # there), not carried in a signed cookie: on the hottest path of a deadline rush that saves
    # the encoding, compression and signature of a message.
    return redirect(received_url(proposal.pk, version.number))


@require_http_methods(["GET", "POST"])
def proposal_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = member_proposal_or_404(request, pk)
    if proposal.state in _FINAL:
        messages.error(request, _("Diese Interessenbekundung kann nicht mehr zurückgezogen werden."))
        return redirect("portal:proposal_detail", pk=proposal.pk)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            # A lab selected by the decision hands its grant to the waitlist (move-up); the
            # selection service withdraws every other proposal through the proposals service.
            selection_services.withdraw_lab(
                proposal,
                actor=request.user,  # type: ignore[arg-type]  # signed in (may_apply)
                reason=form.cleaned_data["reason"],
                now=timezone.now(),
            )
        except InvalidContent as error:
            for message in error.errors.get("reason", [str(error)]):
                form.add_error("reason", message)
        except (TransitionNotAllowed, SelectionRefused) as error:
            messages.error(request, str(error))
            return redirect("portal:proposal_detail", pk=proposal.pk)
        else:
            messages.success(
                request,
                _("Sie haben die Interessenbekundung %(reference)s zurückgezogen.")
                % {"reference": proposal.reference},
            )
            return redirect("portal:proposal_detail", pk=proposal.pk)
    status = 422 if form.errors else 200
    return render(
        request,
        "portal/overview/withdraw.html",
        {"proposal": proposal, "badge": presenters.state_badge(proposal.state), "form": form},
        status=status,
    )
