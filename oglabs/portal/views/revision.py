"""Merging two consortia during the revision window: the lead of one asks (naming the other
proposal by its reference), the lead of the other consents or declines. Members only; everyone
else gets 404."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from oglabs.accounts.models import User
from oglabs.portal import presenters, rules
from oglabs.portal.views.lookup import member_proposal_or_404
from oglabs.proposals import revision_queries, services
from oglabs.proposals.exceptions import ProposalNotFound
from oglabs.proposals.models import Proposal
from oglabs.proposals.services.revision import MERGEABLE_STATES


class MergeRequestForm(forms.Form):
    reference = forms.CharField(
        label=gettext_lazy("Kennung des anderen Vorschlags"),
        help_text=gettext_lazy(
            "Die Kennung steht in der Eingangsbestätigung des anderen Konsortiums, zum Beispiel OGL-2019-0007."
        ),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": gettext_lazy("Bitte geben Sie die Kennung des anderen Vorschlags an.")},
    )


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # signed in: member_proposal_or_404 checked may_apply
    return user


def _is_lead(user: Any, proposal: Proposal) -> bool:
    return revision_queries.lead_proposals_of(user).filter(pk=proposal.pk).exists()


def _merge_page(
    request: HttpRequest, proposal: Proposal, *, form: MergeRequestForm | None = None, status: int = 200
) -> HttpResponse:
    is_lead = _is_lead(request.user, proposal)
    may_request = is_lead and proposal.state in MERGEABLE_STATES
    context = {
        "proposal": proposal,
        "badge": presenters.state_badge(proposal.state),
        "requests": revision_queries.merge_requests_of(proposal),
        "is_lead": is_lead,
        "may_request": may_request,
        "form": (form or MergeRequestForm()) if may_request else None,
    }
    return render(request, "portal/revision/merge.html", context, status=status)


@require_http_methods(["GET", "POST"])
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    """The merge requests of a proposal; its lead asks to merge it into another proposal."""
    proposal = member_proposal_or_404(request, pk)
    if request.method == "GET":
        return _merge_page(request, proposal)
    user = _user(request)
    form = MergeRequestForm(request.POST)
    if not form.is_valid():
        return _merge_page(request, proposal, form=form, status=422)
    target = revision_queries.mergeable_by_reference(
        proposal.call, form.cleaned_data["reference"], exclude=proposal
    )
    if target is None:
        form.add_error(
            "reference",
            _(
                "Unter dieser Kennung gibt es in diesem Aufruf keinen anderen Vorschlag in der Überarbeitungsphase."
            ),
        )
        return _merge_page(request, proposal, form=form, status=422)
    try:
        services.request_merge(proposal, target, actor=user, now=timezone.now())
    except ProposalNotFound:
        raise Http404 from None
    except services.MergeNotAllowed as error:
        form.add_error("reference", str(error))
        return _merge_page(request, proposal, form=form, status=422)
    messages.success(
        request,
        _(
            "Ihre Anfrage ist gestellt. Sobald die federführende Person von %(reference)s zustimmt, wird Ihr "
            "Vorschlag dort aufgenommen."
        )
        % {"reference": target.reference},
    )
    return redirect("portal:merge", pk=proposal.pk)


@require_POST
def merge_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Consent to or decline a merge request (the target's lead), or take one's own request back."""
    if not rules.may_apply(request.user):
        raise Http404
    merge_request = revision_queries.merge_request_for_member(request.user, pk)
    if merge_request is None:
        raise Http404
    user = _user(request)
    back = (
        merge_request.target_id
        if merge_request.target.members.filter(user=user).exists()
        else merge_request.source_id
    )
    action = request.POST.get("action")
    try:
        if action == "consent":
            target = services.consent_merge(merge_request, actor=user, now=timezone.now())
            messages.success(
                request,
                _(
                    "%(source)s ist jetzt in %(target)s aufgenommen. Bitte überarbeiten Sie den gemeinsamen Vorschlag und reichen Sie ihn vor der Frist ein."
                )
                % {"source": merge_request.source.reference, "target": target.reference},
            )
        elif action == "decline":
            services.decline_merge(merge_request, actor=user, now=timezone.now())
            if merge_request.requested_by_id == user.pk:
                messages.success(
                    request, _("Sie haben die Anfrage zurückgenommen; beide Vorschläge bleiben getrennt.")
                )
            else:
                messages.success(request, _("Die Anfrage ist abgelehnt; beide Vorschläge bleiben getrennt."))
        else:
            raise Http404
    except services.MergeNotAllowed as error:
        messages.error(request, str(error))
    return redirect("portal:merge", pk=back)
