"""Helpers shared by the jury screen tests (not a test module): clients per role, competing
proposals, jury seats, and a snapshot of everything a jury screen could change."""

from __future__ import annotations

import html
import re
from typing import Any

from django.contrib.messages import get_messages
from django.test import Client

from oglabs.accounts.models import User
from oglabs.audit.models import AuditEvent
from oglabs.mail.models import OutboxMail
from oglabs.proposals.models import Proposal
from oglabs.proposals.states import ProposalState
from oglabs.reviews.models import ConflictOfInterest, Criterion, Juror, Review, ReviewSettings, Score
from tests.backoffice.conftest import login_with_second_factor
from tests.factories.accounts import JurorFactory, StaffFactory, UserFactory
from tests.factories.proposals import ProposalFactory
from tests.factories.reviews import JurySeatFactory

TITLE = re.compile(r"<title>\s*(.*?)\s*</title>", re.S)
H1 = re.compile(r"<h1[ >].*?</h1>", re.S)


def client_for(user: User) -> Client:
    """A client signed in as ``user`` (staff and jurors with the second factor recorded)."""
    client = Client()
    if user.is_privileged:
        return login_with_second_factor(client, user)
    client.force_login(user)
    return client


def role_client(role: str) -> Client:
    """A signed-in client for "staff", "juror" (without a seat), "applicant"; "anonymous" is not."""
    if role == "anonymous":
        return Client()
    factory = {"staff": StaffFactory, "juror": JurorFactory, "applicant": UserFactory}[role]
    return client_for(factory())


def competing(call: Any, **fields: Any) -> Proposal:
    """A proposal of ``call`` in the competition."""
    return ProposalFactory(call=call, state=ProposalState.IN_COMPETITION, **fields)


def seat(call: Any, user: User | None = None, **fields: Any) -> Juror:
    """A jury seat in ``call`` (declaration finished unless ``conflicts_declared_at=None``)."""
    if user is not None:
        fields["user"] = user
    return JurySeatFactory(call=call, **fields)


def snapshot() -> dict[str, Any]:
    """Everything a jury screen may change, to assert that a refused request changed nothing."""
    return {
        "events": AuditEvent.objects.count(),
        "mails": OutboxMail.objects.count(),
        "settings": list(ReviewSettings.objects.order_by("call_id").values()),
        "criteria": list(Criterion.objects.order_by("pk").values()),
        "jurors": list(Juror.objects.order_by("pk").values()),
        "conflicts": list(ConflictOfInterest.objects.order_by("pk").values()),
        "reviews": list(Review.objects.order_by("pk").values()),
        "scores": list(Score.objects.order_by("pk").values()),
        "proposal_states": list(Proposal.objects.order_by("pk").values_list("pk", "state")),
    }


def title_of(html: str) -> str:
    match = TITLE.search(html)
    assert match is not None, "no <title>"
    return " ".join(match.group(1).split())


def h1s_of(html: str) -> list[str]:
    return [" ".join(re.sub(r"<[^>]+>", "", h1).split()) for h1 in H1.findall(html)]


def error_summary(page: str) -> list[str]:
    """The texts of the error summary's entries (links and plain items), tags stripped."""
    match = re.search(r"data-og-error-summary>(.*?)</ul>", page, re.S)
    if match is None:
        return []
    items = re.findall(r"<li>(.*?)</li>", match.group(1), re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", "", item)).split()) for item in items]


def page_text(response: Any) -> str:
    """The page's visible text: tags stripped, entities decoded, whitespace collapsed."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def flashed(response: Any) -> list[str]:
    """The messages this request queued for the next page (not those of earlier requests)."""
    storage = get_messages(response.wsgi_request)
    return [str(message) for message in storage._queued_messages]  # type: ignore[attr-defined]  # new ones only
