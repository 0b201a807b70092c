"""The mails about a proposal on the consortium's proposal page: subject, when, delivery status in
the applicant's words (wartet / gesendet / fehlgeschlagen), with a constant number of queries."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from oglabs.mail.models import OutboxMail, OutboxStatus
from oglabs.portal.presenters import mail_status
from oglabs.proposals import services
from oglabs.proposals.models import Proposal, ProposalMail
from tests.portal.conftest import client_for

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", html)


def _invite(proposal: Proposal, user, count: int) -> None:  # type: ignore[no-untyped-def]
    for n in range(count):
        services.invite_member(proposal, email=f"person{n}@example.org", actor=user, now=timezone.now())


def _mails_section(html: str) -> str:
    match = re.search(r'<section aria-labelledby="mails-heading".*?</section>', html, re.S)
    assert match is not None
    return _text(match.group(0))


def test_mail_status_has_three_words_for_the_applicant() -> None:
    assert [mail_status(status) for status in OutboxStatus.values] == [
        "wartet",
        "wartet",
        "gesendet",
        "fehlgeschlagen",
    ]


def test_detail_lists_the_mails_with_subject_time_and_delivery_status(draft) -> None:  # type: ignore[no-untyped-def]
    proposal, user = draft
    _invite(proposal, user, 3)
    first, second, _third = ProposalMail.objects.filter(proposal=proposal).order_by("pk")
    sent_at = timezone.now()
    OutboxMail.objects.filter(pk=first.mail_id).update(status=OutboxStatus.SENT, sent_at=sent_at)
    OutboxMail.objects.filter(pk=second.mail_id).update(status=OutboxStatus.FAILED)
    response = client_for(user).get(reverse("portal:proposal_detail", kwargs={"pk": proposal.pk}))
    section = _mails_section(response.content.decode())
    assert section.count('<tr class="kern-table__row">') == 4  # header + three mails
    assert section.count("Einladung ins Konsortium") == 3
    subject = OutboxMail.objects.get(pk=first.mail_id).subject
    assert section.count(subject) == 3
    statuses = re.findall(r'<td class="kern-table__cell"> (?:<strong>)?(\w+)', section)
    assert statuses == ["wartet", "fehlgeschlagen", "gesendet"]  # newest first
    assert "<strong>fehlgeschlagen</strong>" in section
    assert "person0@example.org" not in section  # no recipients shown


def test_detail_without_mails_says_so(draft) -> None:  # type: ignore[no-untyped-def]
    proposal, user = draft
    response = client_for(user).get(reverse("portal:proposal_detail", kwargs={"pk": proposal.pk}))
    assert "Noch keine E-Mails." in _mails_section(response.content.decode())


def test_detail_runs_the_same_queries_for_one_and_for_eight_mails(draft) -> None:  # type: ignore[no-untyped-def]
    proposal, user = draft
    client = client_for(user)
    url = reverse("portal:proposal_detail", kwargs={"pk": proposal.pk})
    _invite(proposal, user, 1)
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    ProposalMail.objects.filter(proposal=proposal).delete()
    OutboxMail.objects.all().delete()
    _invite(proposal, user, 8)
    with CaptureQueriesContext(connection) as eight:
        assert client.get(url).status_code == 200
    assert len(eight.captured_queries) == len(one.captured_queries)
