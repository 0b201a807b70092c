"""A partner confirms participation through the link mailed to its contact (no login).

GET only shows what is being confirmed: mail scanners and link previews open links, and must
not confirm anything. The page names the organisation, the lab's title and the lead
municipality, and nothing personal.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from oglabs.core.access import public
from oglabs.proposals import queries, services
from oglabs.proposals.exceptions import ConfirmationInvalid

TEMPLATE = "public/partner_confirmation.html"


def _private(response: HttpResponse) -> HttpResponse:
    """The token is in the path: not indexed, and never sent as a referrer to another site (the
    site-wide ``Referrer-Policy: same-origin``; ``no-referrer`` would make browsers send
    ``Origin: null`` with the confirming POST, which the CSRF check rightly refuses)."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@public
@never_cache
@require_http_methods(["GET", "POST"])
def partner_confirmation(request: HttpRequest, token: str) -> HttpResponse:
    try:
        partner = queries.partner_for_confirmation(token)
    except ConfirmationInvalid as error:
        return _private(render(request, TEMPLATE, {"error": str(error)}, status=404))
    proposal = partner.proposal
    context = {
        "organisation": partner.name,
        "title": proposal.title,
        "lead": proposal.lead_municipality.name if proposal.lead_municipality else "",
        "call_title": proposal.call.title,
    }
    if request.method == "POST":
        try:
            services.confirm_partner(token=token, now=timezone.now())
        except ConfirmationInvalid as error:
            return _private(render(request, TEMPLATE, {"error": str(error)}, status=404))
        return _private(render(request, TEMPLATE, {**context, "confirmed": True}))
    return _private(render(request, TEMPLATE, context))
