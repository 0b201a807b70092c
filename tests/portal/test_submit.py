"""Submitting through the portal (rule by rule, deadline on the server) and withdrawing."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from oglabs.audit.models import AuditEvent
from oglabs.mail.models import OutboxMail
from oglabs.proposals import services
from oglabs.proposals.formatting import format_instant
from oglabs.proposals.models import Proposal, ProposalVersion
from tests.factories.accounts import UserFactory
from tests.factories.proposals import MunicipalityFactory
from tests.portal.conftest import client_for, open_draft, reopen

pytestmark = pytest.mark.django_db


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", " ", response.content.decode())


def _messages(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_submit_page_lists_every_rule_and_the_deadline(draft):
    proposal, user = draft
    response = client_for(user).get(reverse("portal:proposal_submit", kwargs={"pk": proposal.pk}))
    assert response.status_code == 200
    text = _text(response)
    assert text.count('og-finding og-finding--met"') == 6
    assert "Die federführende Kommune ist antragsberechtigt." in text
    assert "3 nachprüfbare Laboraufgabe(n) angegeben." in text
    assert "Verbindlich einreichen" in text
    assert "data-og-countdown" in text
    assert "(noch 6 Tage, 23 Stunden)" in text


def test_submit_freezes_version_and_names_reference_instant_and_hash(draft):
    proposal, user = draft
    client = client_for(user)
    response = client.post(reverse("portal:proposal_submit", kwargs={"pk": proposal.pk}))
    assert response.status_code == 302
    detail = reverse("portal:proposal_detail", kwargs={"pk": proposal.pk})
    assert response["Location"] == f"{detail}?eingegangen=1"
    assert "messages" not in response.cookies  # the confirmation is no cookie: the page shows it
    version = ProposalVersion.objects.get(proposal=proposal)
    assert Proposal.objects.get(pk=proposal.pk).state == "submitted"
    page = client.get(response["Location"])
    assert _messages(page) == [
        f"Ihre Interessenbekundung {proposal.reference} ist eingegangen: am "
        f"{format_instant(version.created_at)} (Berliner Zeit), Version 1, SHA-256 {version.sha256}. "
        "Die Eingangsbestätigung mit dem PDF des eingereichten Stands ist per E-Mail an alle Mitglieder "
        "des Konsortiums unterwegs."
    ]
    assert 'class="kern-alert kern-alert--success" role="status"' in page.content.decode()
    assert "messages" not in page.cookies  # shown on the page itself, not stored for the next one
    assert _messages(client.get(detail)) == []
    mail = OutboxMail.objects.get(kind="proposal:receipt")
    assert mail.to == [user.email]
    assert [a.filename for a in mail.attachments.all()] == [f"Eingangsbestaetigung-{proposal.reference}.pdf"]


@pytest.mark.parametrize("number", ["2", "0", "", "x", "1x", "¹", "-1", "01a"])
def test_the_page_confirms_only_a_version_that_was_handed_in(draft, number):
    proposal, user = draft
    client = client_for(user)
    client.post(reverse("portal:proposal_submit", kwargs={"pk": proposal.pk}))
    detail = reverse("portal:proposal_detail", kwargs={"pk": proposal.pk})
    page = client.get(detail, {"eingegangen": number})
    assert page.status_code == 200
    assert _messages(page) == []


def test_the_page_does_not_confirm_a_draft_or_a_stored_edit_conflict(draft):
    proposal, user = draft
    client = client_for(user)
    detail = reverse("portal:proposal_detail", kwargs={"pk": proposal.pk})
    assert _messages(client.get(detail, {"eingegangen": "1"})) == []
    ProposalVersion.objects.create(
        proposal=proposal,
        number=1,
        kind="conflict",
        stage=proposal.stage,
        content={},
        sha256="0" * 64,
        created_at=timezone.now(),
        created_by=user,
    )
    assert _messages(client.get(detail, {"eingegangen": "1"})) == []


def test_submit_refused_lists_the_unmet_rules_and_changes_nothing(db):
    user = UserFactory()
    proposal = services.start_proposal(
        call=reopen(open_draft()[0].call),
        actor=user,
        title="Halbfertig",
        lead_municipality=MunicipalityFactory(),
        now=timezone.now(),
    )
    events = AuditEvent.objects.count()
    response = client_for(user).post(reverse("portal:proposal_submit", kwargs={"pk": proposal.pk}))
    assert response.status_code == 422
    text = _text(response)
    assert "Die Interessenbekundung wurde nicht eingereicht." in text
    assert "Es sind 0 zivilgesellschaftliche(r) Partner angegeben; erforderlich sind mindestens 1." in text
    assert "Es ist keine Laboraufgabe angegeben." in text
    assert "Verbindlich einreichen" not in text
    assert Proposal.objects.get(pk=proposal.pk).state == "draft"
    assert ProposalVersion.objects.filter(proposal=proposal).count() == 0
    assert OutboxMail.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_submit_before_the_deadline_is_accepted_and_after_it_refused(db):
    """The deadline is a few seconds ahead of the real clock: one consortium submits in time, the
    other only after it passed (the exact boundary instant is covered by the service tests)."""
    first, first_user = open_draft()
    second, second_user = open_draft()
    deadline_at = timezone.now() + dt.timedelta(seconds=3)
    reopen(first.call, deadline_at=deadline_at)
    reopen(second.call, deadline_at=deadline_at)
    in_time = client_for(first_user).post(reverse("portal:proposal_submit", kwargs={"pk": first.pk}))
    assert in_time.status_code == 302
    assert Proposal.objects.get(pk=first.pk).state == "submitted"
    time.sleep(max(0.0, (deadline_at - timezone.now()).total_seconds()) + 0.05)
    late = client_for(second_user).post(reverse("portal:proposal_submit", kwargs={"pk": second.pk}))
    assert late.status_code == 422
    assert (
        f"Die Frist ist abgelaufen: Interessenbekundungen wurden bis {format_instant(deadline_at)} "
        "(Berliner Zeit) angenommen."
    ) in _text(late)
    assert Proposal.objects.get(pk=second.pk).state == "draft"
    assert ProposalVersion.objects.filter(proposal=second).count() == 0


def test_submit_twice_is_refused_with_the_state(draft):
    proposal, user = draft
    client = client_for(user)
    client.post(reverse("portal:proposal_submit", kwargs={"pk": proposal.pk}))
    response = client.post(reverse("portal:proposal_submit", kwargs={"pk": proposal.pk}))
    assert response.status_code == 302
    assert _messages(response)[-1] == (
        "Die Interessenbekundung ist im Status „eingereicht“ und kann nicht mehr geändert werden."
    )
    assert ProposalVersion.objects.filter(proposal=proposal).count() == 1


def test_withdraw_with_reason(draft):
    proposal, user = draft
    client = client_for(user)
    assert client.get(reverse("portal:proposal_withdraw", kwargs={"pk": proposal.pk})).status_code == 200
    response = client.post(
        reverse("portal:proposal_withdraw", kwargs={"pk": proposal.pk}),
        {"reason": "  Der Rat hat abgelehnt. "},
    )
    assert response.status_code == 302
    fresh = Proposal.objects.get(pk=proposal.pk)
    assert (fresh.state, fresh.withdrawn_reason) == ("withdrawn", "Der Rat hat abgelehnt.")
    assert _messages(response) == [f"Sie haben die Interessenbekundung {proposal.reference} zurückgezogen."]
    event = AuditEvent.objects.filter(action="proposal.withdrawn").get()
    assert event.data["reason"] == "Der Rat hat abgelehnt."


def test_withdraw_without_reason_is_refused_and_changes_nothing(draft):
    proposal, user = draft
    response = client_for(user).post(
        reverse("portal:proposal_withdraw", kwargs={"pk": proposal.pk}), {"reason": "  "}
    )
    assert response.status_code == 422
    assert "Bitte geben Sie einen Grund für den Rückzug an." in _text(response)
    assert Proposal.objects.get(pk=proposal.pk).state == "draft"
