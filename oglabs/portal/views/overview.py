"""Applicant portal: my proposals and the open calls, one proposal read-only with its versions
and history, the receipt PDF of a submitted version."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from oglabs.accounts import rules as account_rules
from oglabs.audit.queries import events_for_target
from oglabs.calls import queries as call_queries
from oglabs.portal import presenters, rules
from oglabs.portal.countdown import countdown
from oglabs.portal.views.lookup import member_proposal_or_404
from oglabs.proposals import queries
from oglabs.proposals.formatting import format_instant
from oglabs.proposals.models import Proposal, ProposalVersion, VersionKind
from oglabs.proposals.receipt import receipt_filename, render_receipt

#: Versions a consortium handed in (a refused concurrent edit is kept, but not shown as a version).
HANDED_IN_KINDS = (VersionKind.SUBMITTED, VersionKind.REVISED)

#: The query parameter by which a submission tells the proposal's page which version it handed in.
RECEIVED_PARAMETER = "eingegangen"


def received_url(pk: int, number: int) -> str:
    """The proposal's page confirming that version ``number`` was handed in (``received``)."""
    return f"{reverse('portal:proposal_detail', kwargs={'pk': pk})}?{RECEIVED_PARAMETER}={number}"


def received(request: HttpRequest, proposal: Proposal, versions: list[ProposalVersion]) -> str | None:
    """The confirmation of a submission for the version named by the query (``received_url``):
    reference, instant, number and hash as stored; ``None`` without one, or for a number that is
    not a handed-in version of this proposal."""
    number = request.GET.get(RECEIVED_PARAMETER, "")
    if not (number.isascii() and number.isdigit()):
        return None
    version = next((v for v in versions if v.number == int(number)), None)
    if version is None:
        return None
    return _(
        "Ihre Interessenbekundung %(reference)s ist eingegangen: am %(instant)s (Berliner Zeit), "
        "Version %(number)s, SHA-256 %(sha256)s. Die Eingangsbestätigung mit dem PDF des "
        "eingereichten Stands ist per E-Mail an alle Mitglieder des Konsortiums unterwegs."
    ) % {
        "reference": proposal.reference,
        "instant": format_instant(version.created_at),
        "number": version.number,
        "sha256": version.sha256,
    }


def start_url(slug: str) -> str | None:
    """The start page of a new expression of interest for the call (an editing view)."""
    try:
        return reverse("portal:proposal_start", kwargs={"slug": slug})
    except NoReverseMatch:  # the editing views are not mounted (e.g. a trimmed URLconf)
        return None


def edit_url(pk: int) -> str | None:
    try:
        return reverse("portal:proposal_edit", kwargs={"pk": pk})
    except NoReverseMatch:  # the editing views are not mounted (e.g. a trimmed URLconf)
        return None


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Landing page after login: my proposals, the calls I can apply to and their dates, the way to
    my workshops and to asking a question about a call.

    Staff and jurors start here too and see where to go.
    """
    if not rules.may_use_portal(request.user):
        raise Http404
    context: dict[str, object] = {"is_staff_member": account_rules.is_staff_member(request.user)}
    if rules.may_apply(request.user):
        now = timezone.now()
        proposals = list(queries.proposals_of_user(request.user).prefetch_related("call__phases"))
        context["rows"] = [
            {
                "proposal": proposal,
                "badge": presenters.state_badge(proposal.state),
                "dates": presenters.call_dates(proposal.call, now=now),
            }
            for proposal in proposals
        ]
        calls = [presenters.call_dates(call, now=now) for call in call_queries.public_calls(now=now)]
        context["calls"] = [
            {"dates": dates, "start_url": start_url(dates.call.slug) if dates.is_open else None}
            for dates in calls
            if dates.status != "closed"
        ]
        # Calls of my proposals that no longer take new ones: questions about them are still welcome.
        my_call_ids = {proposal.call_id for proposal in proposals}
        context["support_calls"] = [
            dates.call for dates in calls if dates.status == "closed" and dates.call.pk in my_call_ids
        ]
        context["may_apply"] = True
    return render(request, "portal/home.html", context)


@require_GET
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = member_proposal_or_404(request, pk)
    now = timezone.now()
    dates = presenters.call_dates(proposal.call, now=now)
    editable = rules.may_change_content(proposal)
    members = list(queries.members_of(proposal))
    versions = [v for v in queries.versions_of(proposal) if v.kind in HANDED_IN_KINDS]
    confirmation = received(request, proposal, versions)
    if confirmation is not None:
        messages.success(request, confirmation)  # shown on this page (the messages are read below)
    user_id = request.user.pk
    entries = presenters.history(
        events_for_target(proposal),
        viewer_id=user_id if isinstance(user_id, int) else None,
        member_ids={member.user_id for member in members},
    )
    letters: dict[int, int] = {}
    for attachment in queries.attachments_of(proposal):
        if attachment.partner_id is not None:
            letters[attachment.partner_id] = letters.get(attachment.partner_id, 0) + 1
    context = {
        "proposal": proposal,
        "badge": presenters.state_badge(proposal.state),
        "dates": dates,
        "countdown": countdown(dates.deadline_at, now) if dates.deadline_at else None,
        "editable": editable,
        "edit_url": edit_url(proposal.pk) if editable else None,
        "may_withdraw": proposal.state not in {"withdrawn", "not_selected", "merged"},
        "further_municipalities": list(proposal.further_municipalities.all()),
        "partners": [
            {"partner": partner, "letters": letters.get(partner.pk, 0)} for partner in proposal.partners.all()
        ],
        "tasks": list(proposal.tasks.all()),
        "budget": queries.budget_table(proposal),
        "challenges": list(proposal.challenges.order_by("position")),
        "versions": versions,
        "history": entries,
        "mails": presenters.mails(queries.mails_of(proposal)),
        "member_count": len(members),
    }
    return render(request, "portal/overview/detail.html", context)


@require_GET
def proposal_receipt(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """The receipt (Eingangsbestätigung) of a handed-in version as a PDF download."""
    proposal = member_proposal_or_404(request, pk)
    version = queries.versions_of(proposal).filter(number=number, kind__in=HANDED_IN_KINDS).first()
    if version is None:
        raise Http404
    response = HttpResponse(render_receipt(version), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{receipt_filename(proposal.reference)}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
