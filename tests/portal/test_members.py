"""Members of a consortium: the invitation by e-mail and joining through its link."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from oglabs.audit.models import AuditEvent
from oglabs.mail.models import OutboxMail
from oglabs.proposals.models import ConsortiumMember, Invitation
from tests.factories.accounts import UserFactory
from tests.portal.conftest import client_for

pytestmark = pytest.mark.django_db


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", " ", response.content.decode())


def _invite(client, proposal, email: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("portal:members", kwargs={"pk": proposal.pk}), {"email": email})


def test_members_page_lists_the_members_emails(draft):
    proposal, user = draft
    text = _text(client_for(user).get(reverse("portal:members", kwargs={"pk": proposal.pk})))
    assert user.email in text
    assert "federführend" in text


def test_invitation_is_mailed_with_a_one_time_link(draft, settings):
    settings.SITE_URL = "https://labore.example"
    proposal, user = draft
    response = _invite(client_for(user), proposal, "Kollegin@Example.org")
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Wir haben eine Einladung an kollegin@example.org gesendet. Der Link darin gilt einmal."
    ]
    invitation = Invitation.objects.get(proposal=proposal)
    assert invitation.email == "kollegin@example.org"
    mail = OutboxMail.objects.get(kind="proposal:invitation")
    assert mail.to == ["kollegin@example.org"]
    assert mail.subject == "Einladung zur Mitarbeit: Offenes Havelland"
    match = re.search(r"https://labore\.example/portal/einladung/([A-Za-z0-9_-]+)/", mail.body)
    assert match is not None
    assert "federführende Kommune: Falkensee" in mail.body
    assert AuditEvent.objects.filter(action="proposal.member_invited").count() == 1


def test_invitation_with_an_invalid_address_is_refused(draft):
    proposal, user = draft
    response = _invite(client_for(user), proposal, "keine-adresse")
    assert response.status_code == 422
    assert "Bitte geben Sie eine gültige E-Mail-Adresse an." in _text(response)
    assert Invitation.objects.count() == 0
    assert OutboxMail.objects.count() == 0


def _token_from_mail() -> str:
    mail = OutboxMail.objects.get(kind="proposal:invitation")
    match = re.search(r"/portal/einladung/([A-Za-z0-9_-]+)/", mail.body)
    assert match is not None
    return match.group(1)


def test_accepting_shows_the_proposal_first_and_joins_only_on_post(draft):
    proposal, user = draft
    _invite(client_for(user), proposal, "kollegin@example.org")
    token = _token_from_mail()
    colleague = UserFactory(email="kollegin@example.org")
    client = client_for(colleague)
    url = reverse("portal:accept_invitation", kwargs={"token": token})
    response = client.get(url)
    assert response.status_code == 200
    assert "Offenes Havelland" in _text(response)
    assert not ConsortiumMember.objects.filter(proposal=proposal, user=colleague).exists()
    assert client.get(reverse("portal:proposal_detail", kwargs={"pk": proposal.pk})).status_code == 404
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:proposal_detail", kwargs={"pk": proposal.pk})
    member = ConsortiumMember.objects.get(proposal=proposal, user=colleague)
    assert member.role == "editor"
    assert client.get(reverse("portal:proposal_detail", kwargs={"pk": proposal.pk})).status_code == 200
    # the link works once
    again = client_for(UserFactory()).post(url)
    assert again.status_code == 404
    assert "Dieser Einladungslink ist ungültig oder wurde bereits verwendet." in _text(again)


def test_unknown_invitation_token_is_404(db):
    response = client_for(UserFactory()).get(
        reverse("portal:accept_invitation", kwargs={"token": "gibt-es-nicht"})
    )
    assert response.status_code == 404
    assert "Dieser Einladungslink ist ungültig oder wurde bereits verwendet." in _text(response)


def test_invitation_link_requires_login(db):
    response = Client().get(reverse("portal:accept_invitation", kwargs={"token": "x"}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_request_partner_confirmation_mails_the_partner(draft):
    proposal, user = draft
    partner = proposal.partners.order_by("position").first()
    response = client_for(user).post(
        reverse("portal:request_confirmation", kwargs={"pk": proposal.pk, "partner_id": partner.pk})
    )
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Wir haben Bürgerverein Havelland e. V. einen Link zur Bestätigung der Teilnahme gesendet."
    ]
    assert OutboxMail.objects.get(kind="proposal:partner_confirmation").to == [
        "vorstand@buergerverein.example"
    ]
