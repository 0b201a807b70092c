"""The public page where a partner confirms participation: GET shows, only POST confirms."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from oglabs.audit.models import AuditEvent
from oglabs.proposals import services
from oglabs.proposals.models import Partner
from tests.portal.conftest import reopen
from tests.proposals.conftest import PARTNER_NAMES, complete_draft

pytestmark = pytest.mark.django_db


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", " ", response.content.decode())


def _requested() -> tuple[Partner, str]:
    proposal, user = complete_draft()
    reopen(proposal.call)
    partner = proposal.partners.order_by("position").first()
    token = services.request_partner_confirmation(partner, actor=user, now=timezone.now())
    return partner, token


def test_get_shows_organisation_title_and_lead_without_confirming():
    partner, token = _requested()
    response = Client().get(f"/bestaetigung/{token}/")
    assert response.status_code == 200
    text = _text(response)
    assert PARTNER_NAMES[0] in text
    assert "Offenes Havelland" in text
    assert "Falkensee" in text
    assert "Teilnahme bestätigen" in text
    assert "vorstand@buergerverein.example" not in text
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    partner.refresh_from_db()
    assert partner.confirmation == "pending"
    assert not AuditEvent.objects.filter(action="proposal.partner_confirmed").exists()


def test_post_confirms_once():
    partner, token = _requested()
    client = Client()
    response = client.post(f"/bestaetigung/{token}/")
    assert response.status_code == 200
    assert (
        f"Vielen Dank! {PARTNER_NAMES[0]} hat die Teilnahme am Labor „Offenes Havelland“ bestätigt."
        in _text(response)
    )
    partner.refresh_from_db()
    assert partner.confirmation == "confirmed"
    assert AuditEvent.objects.filter(action="proposal.partner_confirmed").count() == 1
    again = client.post(f"/bestaetigung/{token}/")
    assert again.status_code == 404
    assert "Dieser Bestätigungslink ist ungültig oder wurde bereits verwendet." in _text(again)
    assert AuditEvent.objects.filter(action="proposal.partner_confirmed").count() == 1


def test_unknown_token_is_404_with_german_message(db):
    response = Client().get("/bestaetigung/unbekannt/")
    assert response.status_code == 404
    assert "Dieser Bestätigungslink ist ungültig oder wurde bereits verwendet." in _text(response)


def test_english_page_at_en_prefix(db):
    partner, token = _requested()
    assert Client().get(f"/en/bestaetigung/{token}/").status_code == 200
    partner.refresh_from_db()
    assert partner.confirmation == "pending"
