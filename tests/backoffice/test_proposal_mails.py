"""The staff view of a proposal lists every mail about it (kind, subject, delivery status), with a
constant number of queries."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from oglabs.mail.models import OutboxMail, OutboxStatus
from oglabs.proposals import services
from oglabs.proposals.models import Proposal, ProposalMail
from tests.factories.accounts import UserFactory
from tests.factories.proposals import CallFactory
from tests.factories.submitted import submitted_proposal

pytestmark = pytest.mark.django_db


def _invite(proposal: Proposal, count: int) -> None:
    lead = proposal.members.order_by("pk").first()
    assert lead is not None
    for n in range(count):
        services.invite_member(proposal, email=f"person{n}@example.org", actor=lead.user, now=timezone.now())


def _section(html: str) -> str:
    match = re.search(r'<section aria-labelledby="mail-history-heading".*?</section>', html, re.S)
    assert match is not None
    return re.sub(r"\s+", " ", match.group(0))


def test_staff_detail_lists_every_mail_with_its_delivery_status(staff_client: Client) -> None:
    proposal = submitted_proposal(CallFactory(), UserFactory())
    receipt = ProposalMail.objects.get(proposal=proposal)
    OutboxMail.objects.filter(pk=receipt.mail_id).update(status=OutboxStatus.SENT, sent_at=timezone.now())
    _invite(proposal, 1)
    response = staff_client.get(reverse("backoffice:proposal_detail", kwargs={"pk": proposal.pk}))
    section = _section(response.content.decode())
    assert 'class="og-dashboard__section"' in section
    assert section.count('<tr class="kern-table__row">') == 3  # header + two mails
    assert "Eingangsbestätigung" in section
    assert "Einladung ins Konsortium" in section
    assert "gesendet" in section
    assert "wartet" in section


def test_staff_detail_runs_the_same_queries_for_one_and_for_eight_mails(staff_client: Client) -> None:
    proposal = submitted_proposal(CallFactory(), UserFactory())
    url = reverse("backoffice:proposal_detail", kwargs={"pk": proposal.pk})
    staff_client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as one:
        assert staff_client.get(url).status_code == 200
    _invite(proposal, 7)
    with CaptureQueriesContext(connection) as eight:
        assert staff_client.get(url).status_code == 200
    assert ProposalMail.objects.filter(proposal=proposal).count() == 8
    assert len(eight.captured_queries) == len(one.captured_queries)
