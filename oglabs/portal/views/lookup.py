"""Loading what a portal view acts on, for members only: everyone else gets 404."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from oglabs.portal import rules
from oglabs.proposals import queries
from oglabs.proposals.exceptions import ProposalNotFound
from oglabs.proposals.models import Proposal


def member_proposal_or_404(request: HttpRequest, pk: int) -> Proposal:
    """The proposal with its content if the signed-in person is a member of its consortium.

    A non-member cannot tell a proposal that exists from one that does not: both answer 404.
    """
    if not rules.may_apply(request.user):
        raise Http404
    try:
        return queries.get_proposal_for_member(request.user, pk)
    except ProposalNotFound:
        raise Http404 from None
