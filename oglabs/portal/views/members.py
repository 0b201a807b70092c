"""The people of a consortium: members, invitations by e-mail, and partner confirmation requests."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from oglabs.portal import presenters, rules
from oglabs.portal.forms_overview import InviteForm
from oglabs.portal.views.lookup import member_proposal_or_404
from oglabs.proposals import queries, services
from oglabs.proposals.exceptions import (
    CallClosed,
    InvalidContent,
    InvitationInvalid,
    NotEditable,
    ProposalNotFound,
)


@require_http_methods(["GET", "POST"])
def members(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = member_proposal_or_404(request, pk)
    form = InviteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        try:
            services.invite_member(proposal, email=email, actor=request.user, now=timezone.now())  # type: ignore[arg-type]  # signed in (may_apply)
        except ProposalNotFound:
            raise Http404 from None
        except InvalidContent as error:
            for message in error.errors.get("email", [str(error)]):
                form.add_error("email", message)
        else:
            messages.success(
                request,
                _("Wir haben eine Einladung an %(email)s gesendet. Der Link darin gilt einmal.")
                % {"email": email.lower()},
            )
            return redirect("portal:members", pk=proposal.pk)
    context = {
        "proposal": proposal,
        "badge": presenters.state_badge(proposal.state),
        "members": list(queries.members_of(proposal)),
        "invitations": list(queries.open_invitations_of(proposal)),
        "form": form,
    }
    return render(request, "portal/overview/members.html", context, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what the person is about to join; only the POST joins (a mail scanner opening the
    link changes nothing)."""
    if not rules.may_apply(request.user):
        raise Http404
    try:
        invitation = queries.invitation_for_token(token)
    except InvitationInvalid as error:
        return render(request, "portal/overview/invitation.html", {"error": str(error)}, status=404)
    if request.method == "POST":
        try:
            proposal = services.accept_invitation(token=token, actor=request.user, now=timezone.now())  # type: ignore[arg-type]  # signed in (may_apply)
        except InvitationInvalid as error:
            return render(request, "portal/overview/invitation.html", {"error": str(error)}, status=404)
        messages.success(
            request,
            _("Sie gehören jetzt zum Konsortium von „%(title)s“ und können mitarbeiten.")
            % {"title": proposal.title},
        )
        return redirect("portal:proposal_detail", pk=proposal.pk)
    return render(
        request,
        "portal/overview/invitation.html",
        {
            "invitation": invitation,
            "proposal": invitation.proposal,
            "already_member": queries.is_member(request.user, invitation.proposal),
        },
    )


@require_POST
def request_confirmation(request: HttpRequest, pk: int, partner_id: int) -> HttpResponse:
    """Mail the partner's contact a one-time link to the public confirmation page."""
    proposal = member_proposal_or_404(request, pk)
    partner = proposal.partners.filter(pk=partner_id).first()
    if partner is None:
        raise Http404
    try:
        services.request_partner_confirmation(partner, actor=request.user, now=timezone.now())  # type: ignore[arg-type]  # signed in (may_apply)
    except ProposalNotFound:
        raise Http404 from None
    except (InvalidContent, NotEditable, CallClosed) as error:
        text = (
            " ".join(message for field in error.errors.values() for message in field)
            if isinstance(error, InvalidContent)
            else str(error)
        )
        messages.error(request, text)
    else:
        messages.success(
            request,
            _("Wir haben %(partner)s einen Link zur Bestätigung der Teilnahme gesendet.")
            % {"partner": partner.name},
        )
    return redirect(reverse("portal:proposal_detail", kwargs={"pk": proposal.pk}) + "#partner")
