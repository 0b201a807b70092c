"""A partner confirms participation through a one-time link mailed to its contact address."""

from __future__ import annotations

import hashlib

import pytest

from oglabs.audit.models import AuditEvent
from oglabs.mail.models import OutboxMail
from oglabs.proposals import queries, services
from oglabs.proposals.exceptions import ConfirmationInvalid, InvalidContent, ProposalNotFound
from tests.factories.accounts import UserFactory
from tests.factories.proposals import NOW
from tests.proposals.conftest import PARTNER_NAMES, complete_draft

pytestmark = pytest.mark.django_db

LATER = NOW.replace(hour=18)
USED = (
    "Dieser Bestätigungslink ist ungültig oder wurde bereits verwendet. Bitte wenden Sie sich an das "
    "Konsortium, das Sie als Partner benannt hat."
)


def _first_partner(proposal):  # type: ignore[no-untyped-def]
    return proposal.partners.order_by("position").first()


def test_request_mails_link_and_stores_only_the_hash(settings):
    settings.SITE_URL = "https://labore.example"
    proposal, user = complete_draft()
    partner = _first_partner(proposal)
    token = services.request_partner_confirmation(partner, actor=user, now=NOW)
    partner.refresh_from_db()
    assert partner.confirm_token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in partner.confirm_token_hash
    mail = OutboxMail.objects.get()
    assert mail.kind == "proposal:partner_confirmation"
    assert mail.to == ["vorstand@buergerverein.example"]
    assert mail.subject == "Bitte bestätigen Sie Ihre Teilnahme: Offenes Havelland"
    assert f"https://labore.example/bestaetigung/{token}/" in mail.body
    assert f"hat {PARTNER_NAMES[0]} als Partner benannt (Zivilgesellschaft)" in mail.body
    assert "federführende Kommune: Falkensee" in mail.body
    event = AuditEvent.objects.get(action="proposal.partner_confirmation_requested")
    assert event.actor_id == user.pk
    assert event.data == {"partner": partner.pk}


def test_confirm_sets_confirmed_once_and_audits_without_actor():
    proposal, user = complete_draft()
    partner = _first_partner(proposal)
    token = services.request_partner_confirmation(partner, actor=user, now=NOW)
    assert queries.partner_for_confirmation(token) == partner
    confirmed = services.confirm_partner(token=token, now=LATER)
    assert confirmed.pk == partner.pk
    partner.refresh_from_db()
    assert partner.confirmation == "confirmed"
    assert partner.confirmed_at == LATER
    assert partner.confirm_token_hash == ""
    event = AuditEvent.objects.get(action="proposal.partner_confirmed")
    assert event.actor_id is None
    assert event.data == {"partner": partner.pk}
    with pytest.raises(ConfirmationInvalid) as refused:
        services.confirm_partner(token=token, now=LATER)
    assert str(refused.value) == USED
    assert AuditEvent.objects.filter(action="proposal.partner_confirmed").count() == 1


@pytest.mark.parametrize("token", ["", "erfunden", "x" * 43])
def test_unknown_token_is_refused_and_changes_nothing(token):
    proposal, user = complete_draft()
    services.request_partner_confirmation(_first_partner(proposal), actor=user, now=NOW)
    with pytest.raises(ConfirmationInvalid) as refused:
        services.confirm_partner(token=token, now=LATER)
    assert str(refused.value) == USED
    with pytest.raises(ConfirmationInvalid):
        queries.partner_for_confirmation(token)
    assert set(proposal.partners.values_list("confirmation", flat=True)) == {"pending"}


def test_new_request_voids_the_earlier_link():
    proposal, user = complete_draft()
    partner = _first_partner(proposal)
    first = services.request_partner_confirmation(partner, actor=user, now=NOW)
    second = services.request_partner_confirmation(partner, actor=user, now=NOW)
    with pytest.raises(ConfirmationInvalid):
        services.confirm_partner(token=first, now=LATER)
    services.confirm_partner(token=second, now=LATER)
    partner.refresh_from_db()
    assert partner.confirmation == "confirmed"


def test_renaming_the_partner_voids_the_link():
    proposal, user = complete_draft()
    partner = _first_partner(proposal)
    token = services.request_partner_confirmation(partner, actor=user, now=NOW)
    services.save_section(
        proposal,
        section="partners",
        data=[
            {
                "id": partner.pk,
                "kind": "civil_society",
                "name": "Ein anderer Verein",
                "contact_email": "a@b.example",
            },
        ],
        expected_version=proposal.lock_version,
        actor=user,
        now=NOW,
    )
    with pytest.raises(ConfirmationInvalid):
        services.confirm_partner(token=token, now=LATER)


def test_request_needs_contact_email_and_membership():
    proposal, user = complete_draft()
    partner = _first_partner(proposal)
    partner.contact_email = ""
    partner.save()
    with pytest.raises(InvalidContent) as refused:
        services.request_partner_confirmation(partner, actor=user, now=NOW)
    assert refused.value.errors == {
        "contact_email": ["Bitte geben Sie zuerst eine E-Mail-Adresse für die Bestätigung an."]
    }
    with pytest.raises(ProposalNotFound):
        services.request_partner_confirmation(_first_partner(proposal), actor=UserFactory(), now=NOW)
    assert OutboxMail.objects.count() == 0
    assert not AuditEvent.objects.filter(action="proposal.partner_confirmation_requested").exists()


def test_request_refused_for_partner_already_confirmed():
    proposal, user = complete_draft()
    partner = _first_partner(proposal)
    services.confirm_partner(
        token=services.request_partner_confirmation(partner, actor=user, now=NOW), now=NOW
    )
    with pytest.raises(InvalidContent) as refused:
        services.request_partner_confirmation(partner, actor=user, now=NOW)
    assert refused.value.errors == {"confirmation": ["Dieser Partner hat die Teilnahme bereits bestätigt."]}
