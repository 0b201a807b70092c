"""My proposals, one proposal read-only with versions and history, the receipt PDF; a stranger sees
nothing of another consortium's proposal."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from oglabs.audit.models import AuditEvent
from oglabs.proposals import services
from oglabs.proposals.models import Attachment, Invitation, Proposal, ProposalVersion
from oglabs.proposals.receipt import render_receipt
from tests.factories.accounts import StaffFactory, UserFactory
from tests.portal.conftest import client_for, open_draft

pytestmark = pytest.mark.django_db


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", " ", response.content.decode())


def test_home_lists_my_proposals_and_open_calls(draft, stranger):
    proposal, user = draft
    response = client_for(user).get(reverse("portal:home"))
    assert response.status_code == 200
    text = _text(response)
    assert proposal.reference in text
    assert reverse("portal:proposal_detail", kwargs={"pk": proposal.pk}) in text
    assert "Entwurf" in text
    assert "Interessenbekundung beginnen" in text or "Aufrufe, bei denen Sie sich bewerben können" in text
    assert "Einreichungsfrist" in text
    others = Proposal.objects.exclude(pk=proposal.pk)
    assert others.count() == 1
    assert others.get().reference not in text


def test_home_for_staff_shows_no_proposals(db):
    response = client_for(StaffFactory()).get(reverse("portal:home"))
    assert response.status_code == 200
    assert "Meine Interessenbekundungen" not in response.content.decode()


def test_detail_shows_content_budget_and_history(draft):
    proposal, user = draft
    response = client_for(user).get(reverse("portal:proposal_detail", kwargs={"pk": proposal.pk}))
    assert response.status_code == 200
    text = _text(response)
    assert '<h1 class="kern-heading-x-large">Offenes Havelland</h1>' in text
    assert "Falkensee" in text and "Nauen" in text
    assert "Bürgerverein Havelland e. V." in text
    assert "Bestätigung anfordern" in text
    assert "Aufgabe 3" in text
    assert "92.500,25 €" in text  # 40 000 + 40 000 + 12 500.25
    assert "Abschnitt „Mittelbedarf“ gespeichert" in text
    assert "Interessenbekundung angelegt" in text
    assert ">Sie<" in text
    assert "Noch nicht eingereicht." in text


def test_detail_names_other_members_only_by_their_part(draft):
    proposal, user = draft
    colleague = UserFactory(email="kollegin@example.org")
    _invitation, token = services.invite_member(
        proposal, email=colleague.email, actor=user, now=timezone.now()
    )
    services.accept_invitation(token=token, actor=colleague, now=timezone.now())
    text = _text(client_for(user).get(reverse("portal:proposal_detail", kwargs={"pk": proposal.pk})))
    assert 'Dem Konsortium beigetreten</td> <td class="kern-table__cell">ein Mitglied des Konsortiums' in text
    assert "kollegin@example.org" not in text


def test_detail_after_submit_is_read_only_with_version_hash_and_receipt_link(draft):
    proposal, user = draft
    version = services.submit_proposal(proposal, actor=user, now=timezone.now())
    text = _text(client_for(user).get(reverse("portal:proposal_detail", kwargs={"pk": proposal.pk})))
    assert version.sha256 in text
    assert reverse("portal:proposal_receipt", kwargs={"pk": proposal.pk, "number": version.number}) in text
    assert "Bearbeiten" not in text
    assert "Bestätigung anfordern" not in text
    assert "Eingereicht (Version 1)" in text


def test_receipt_is_the_pdf_of_the_version_as_download(draft):
    proposal, user = draft
    version = services.submit_proposal(proposal, actor=user, now=timezone.now())
    response = client_for(user).get(
        reverse("portal:proposal_receipt", kwargs={"pk": proposal.pk, "number": version.number})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="Eingangsbestaetigung-{proposal.reference}.pdf"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == render_receipt(version)


def test_receipt_of_a_version_that_is_not_handed_in_is_404(draft):
    proposal, user = draft
    response = client_for(user).get(
        reverse("portal:proposal_receipt", kwargs={"pk": proposal.pk, "number": 1})
    )
    assert response.status_code == 404


# --- isolation: every route answers 404 to a stranger, and nothing changes -------------------------


def _routes(proposal: Proposal, attachment_id: int, partner_id: int) -> list[tuple[str, str, dict]]:
    pk = proposal.pk
    return [
        ("get", reverse("portal:proposal_detail", kwargs={"pk": pk}), {}),
        ("get", reverse("portal:proposal_submit", kwargs={"pk": pk}), {}),
        ("post", reverse("portal:proposal_submit", kwargs={"pk": pk}), {}),
        ("get", reverse("portal:proposal_withdraw", kwargs={"pk": pk}), {}),
        ("post", reverse("portal:proposal_withdraw", kwargs={"pk": pk}), {"reason": "Weil ich es kann"}),
        ("get", reverse("portal:proposal_receipt", kwargs={"pk": pk, "number": 1}), {}),
        ("get", reverse("portal:attachments", kwargs={"pk": pk}), {}),
        ("post", reverse("portal:attachments", kwargs={"pk": pk}), {"kind": "other"}),
        ("get", reverse("portal:attachment_download", kwargs={"attachment_id": attachment_id}), {}),
        ("post", reverse("portal:attachment_remove", kwargs={"attachment_id": attachment_id}), {}),
        ("get", reverse("portal:members", kwargs={"pk": pk}), {}),
        ("post", reverse("portal:members", kwargs={"pk": pk}), {"email": "eindringling@example.org"}),
        (
            "post",
            reverse("portal:request_confirmation", kwargs={"pk": pk, "partner_id": partner_id}),
            {},
        ),
    ]


def _snapshot(proposal: Proposal) -> tuple:
    fresh = Proposal.objects.get(pk=proposal.pk)
    return (
        fresh.state,
        fresh.lock_version,
        fresh.withdrawn_reason,
        ProposalVersion.objects.filter(proposal=proposal).count(),
        Attachment.objects.filter(proposal=proposal).count(),
        Invitation.objects.filter(proposal=proposal).count(),
        fresh.members.count(),
        AuditEvent.objects.count(),
        list(fresh.partners.values_list("confirmation", "confirm_token_hash")),
    )


@pytest.mark.parametrize("who", ["applicant", "staff"])
def test_every_route_of_another_consortium_is_404_and_changes_nothing(draft, private_media, who):
    from django.core.files.uploadedfile import SimpleUploadedFile

    proposal, user = draft
    version = services.submit_proposal(proposal, actor=user, now=timezone.now())
    assert version.number == 1
    # An attachment of the victim's proposal (uploaded while it was a draft: use a second draft).
    other, owner = open_draft(UserFactory())
    attachment = services.add_attachment(
        other,
        actor=owner,
        kind="other",
        uploaded_file=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"),
        now=timezone.now(),
    )
    partner = other.partners.order_by("position").first()
    intruder = UserFactory() if who == "applicant" else StaffFactory()
    client = client_for(intruder)
    for target in (proposal, other):
        before = _snapshot(target)
        for method, url, data in _routes(target, attachment.pk, partner.pk):
            response = getattr(client, method)(url, data)
            assert response.status_code == 404, (method, url, response.status_code)
        assert _snapshot(target) == before


def test_form_with_another_proposals_pk_is_404_and_changes_nothing(draft, stranger):
    """A member of one consortium posts to the routes of another consortium's proposal."""
    proposal, _user = draft
    before = _snapshot(proposal)
    client = client_for(stranger)
    for method, url, data in _routes(proposal, 0, proposal.partners.first().pk):
        assert getattr(client, method)(url, data).status_code == 404, url
    assert _snapshot(proposal) == before
