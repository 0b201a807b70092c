"""Uploads through the portal: PDF only by content, refusals in German, downloads for members only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from oglabs.proposals import services
from oglabs.proposals.models import Attachment
from tests.portal.conftest import client_for

pytestmark = pytest.mark.django_db

PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", " ", response.content.decode())


def _files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def _upload(client, proposal, content: bytes, name: str = "Absichtserklärung.pdf", **data):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("portal:attachments", kwargs={"pk": proposal.pk}),
        {"kind": "other", **data, "file": SimpleUploadedFile(name, content, content_type="application/pdf")},
    )


def test_attachments_page_has_pdf_only_file_input(draft):
    proposal, user = draft
    text = _text(client_for(user).get(reverse("portal:attachments", kwargs={"pk": proposal.pk})))
    assert 'type="file" name="file" accept="application/pdf,.pdf"' in text
    assert 'enctype="multipart/form-data"' in text


def test_letter_of_intent_upload_marks_partner_and_is_listed(draft, private_media):
    proposal, user = draft
    partner = proposal.partners.order_by("position").first()
    client = client_for(user)
    response = _upload(client, proposal, PDF, kind="letter_of_intent", partner=str(partner.pk))
    assert response.status_code == 302
    attachment = Attachment.objects.get(proposal=proposal)
    assert (attachment.kind, attachment.partner_id, attachment.original_name) == (
        "letter_of_intent",
        partner.pk,
        "Absichtserklärung.pdf",
    )
    partner.refresh_from_db()
    assert partner.confirmation == "letter"
    text = _text(client.get(reverse("portal:attachments", kwargs={"pk": proposal.pk})))
    assert reverse("portal:attachment_download", kwargs={"attachment_id": attachment.pk}) in text
    assert "/media/" not in text and "attachments/" not in text


def test_letter_of_intent_without_partner_is_refused(draft, private_media):
    proposal, user = draft
    response = _upload(client_for(user), proposal, PDF, kind="letter_of_intent")
    assert response.status_code == 422
    assert "Bitte wählen Sie den Partner, dessen Absichtserklärung dies ist." in _text(response)
    assert Attachment.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"<html><script>alert(1)</script></html>", "brief.pdf", "Nur PDF-Dateien sind erlaubt."),
        (
            b"%PDF-1.4\n<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>\n%%EOF\n",
            "bild.pdf",
            "Die Datei enthält Web-Inhalte (HTML, SVG oder Skript). Nur PDF-Dateien sind erlaubt.",
        ),
        (b"MZ\x90\x00 not a pdf", "programm.pdf", "Nur PDF-Dateien sind erlaubt."),
        (b"", "leer.pdf", "Die Datei ist leer."),
    ],
)
def test_hostile_upload_is_refused_with_the_german_message(draft, private_media, content, name, message):
    proposal, user = draft
    response = _upload(client_for(user), proposal, content, name=name)
    assert response.status_code == 422
    assert message in _text(response)
    assert Attachment.objects.count() == 0
    assert _files(private_media) == []


def test_oversized_upload_is_refused(draft, private_media, settings):
    settings.OGLABS_MAX_UPLOAD_BYTES = 104858  # 0.1 MiB
    proposal, user = draft
    response = _upload(client_for(user), proposal, PDF[:-6] + b" " * 110_000 + b"%%EOF\n")
    assert response.status_code == 422
    assert "Die Datei ist größer als 0,1 MB." in _text(response)
    assert Attachment.objects.count() == 0
    assert _files(private_media) == []


def test_download_is_an_attachment_with_pdf_type_and_nosniff(draft, private_media):
    proposal, user = draft
    attachment = services.add_attachment(
        proposal,
        actor=user,
        kind="other",
        uploaded_file=SimpleUploadedFile("Plan.pdf", PDF),
        now=timezone.now(),
    )
    response = client_for(user).get(
        reverse("portal:attachment_download", kwargs={"attachment_id": attachment.pk})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Plan.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_download_of_another_consortiums_attachment_is_404(draft, stranger, private_media):
    proposal, user = draft
    attachment = services.add_attachment(
        proposal,
        actor=user,
        kind="other",
        uploaded_file=SimpleUploadedFile("Plan.pdf", PDF),
        now=timezone.now(),
    )
    url = reverse("portal:attachment_download", kwargs={"attachment_id": attachment.pk})
    assert client_for(stranger).get(url).status_code == 404
    assert (
        client_for(stranger)
        .post(reverse("portal:attachment_remove", kwargs={"attachment_id": attachment.pk}))
        .status_code
        == 404
    )
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_remove_deletes_row_and_file(draft, private_media):
    proposal, user = draft
    attachment = services.add_attachment(
        proposal,
        actor=user,
        kind="other",
        uploaded_file=SimpleUploadedFile("Plan.pdf", PDF),
        now=timezone.now(),
    )
    assert len(_files(private_media)) == 1
    client = client_for(user)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("portal:attachment_remove", kwargs={"attachment_id": attachment.pk}))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:attachments", kwargs={"pk": proposal.pk})
    assert Attachment.objects.count() == 0
    assert _files(private_media) == []
