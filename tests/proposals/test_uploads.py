"""Uploads: PDF only (by content), a size cap, random names in private storage, members only."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from oglabs.audit.models import AuditEvent
from oglabs.proposals import queries, services
from oglabs.proposals.exceptions import InvalidContent, NotEditable, ProposalNotFound
from oglabs.proposals.models import Attachment
from oglabs.proposals.uploads import clean_filename, too_large_message
from tests.factories.accounts import UserFactory
from tests.factories.proposals import NOW
from tests.proposals.conftest import complete_draft

pytestmark = pytest.mark.django_db

PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


def _upload(content: bytes, name: str = "Absichtserklärung.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def _add(proposal, user, content: bytes, **kwargs):  # type: ignore[no-untyped-def]
    return services.add_attachment(
        proposal,
        actor=user,
        kind=kwargs.pop("kind", "other"),
        uploaded_file=_upload(content, kwargs.pop("name", "Anlage.pdf")),
        now=NOW,
        **kwargs,
    )


def test_valid_pdf_is_stored_under_random_name_outside_static_root(private_media):
    proposal, user = complete_draft()
    attachment = _add(proposal, user, PDF, name="../../etc/Brief <Verein>.pdf")
    assert re.fullmatch(r"attachments/[0-9a-f]{32}\.pdf", attachment.file.name)
    stored = Path(attachment.file.path)
    assert stored.read_bytes() == PDF
    assert stored.is_relative_to(private_media)
    assert not stored.is_relative_to(settings.STATIC_ROOT)
    assert attachment.original_name == "Brief Verein.pdf"
    assert attachment.size == len(PDF)
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert attachment.uploaded_by == user
    event = AuditEvent.objects.get(action="proposal.attachment_added")
    assert event.data["attachment"] == attachment.pk
    assert event.data["sha256"] == attachment.sha256


def test_two_uploads_with_the_same_name_get_different_files(private_media):
    proposal, user = complete_draft()
    first = _add(proposal, user, PDF, name="Anlage.pdf")
    second = _add(proposal, user, PDF, name="Anlage.pdf")
    assert first.file.name != second.file.name
    assert len(_files(private_media)) == 2


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (
            b"<!DOCTYPE html><html><script>alert(1)</script></html>",
            "brief.pdf",
            "Nur PDF-Dateien sind erlaubt.",
        ),
        (b"<html><body onload=alert(1)>%PDF-1.4 %%EOF", "brief.pdf", "Nur PDF-Dateien sind erlaubt."),
        (
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "bild.pdf",
            "Nur PDF-Dateien sind erlaubt.",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64, "foto.pdf", "Nur PDF-Dateien sind erlaubt."),
        (b"", "leer.pdf", "Die Datei ist leer."),
        (
            b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n",
            "polyglott.pdf",
            "Die Datei enthält Web-Inhalte (HTML, SVG oder Skript). Nur PDF-Dateien sind erlaubt.",
        ),
        (
            b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n",
            "abgeschnitten.pdf",
            "Die PDF-Datei ist unvollständig oder beschädigt. Bitte speichern Sie sie neu und laden Sie "
            "sie erneut hoch.",
        ),
        (
            PDF.replace(
                b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>"
            ),
            "aktiv.pdf",
            "Die PDF-Datei enthält aktive Inhalte (JavaScript oder Programmaufrufe). Bitte speichern Sie "
            "sie ohne diese Inhalte neu, zum Beispiel über „Drucken als PDF“.",
        ),
    ],
    ids=["html", "html-with-pdf-inside", "svg", "png", "empty", "polyglot", "truncated", "javascript"],
)
def test_hostile_upload_is_refused_and_nothing_is_stored(private_media, content, name, message):
    proposal, user = complete_draft()
    events = AuditEvent.objects.count()
    with pytest.raises(InvalidContent) as refused:
        _add(proposal, user, content, name=name)
    assert refused.value.errors == {"file": [message]}
    assert Attachment.objects.count() == 0
    assert _files(private_media) == []
    assert AuditEvent.objects.count() == events


def test_oversized_upload_is_refused_with_the_limit(private_media, settings):
    settings.OGLABS_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    proposal, user = complete_draft()
    big = PDF[:-6] + b" " * (10 * 1024 * 1024) + b"%%EOF\n"
    with pytest.raises(InvalidContent) as refused:
        _add(proposal, user, big)
    assert refused.value.errors == {"file": ["Die Datei ist größer als 10 MB."]}
    assert Attachment.objects.count() == 0
    assert _files(private_media) == []


def test_upload_at_the_limit_is_accepted(private_media, settings):
    settings.OGLABS_MAX_UPLOAD_BYTES = len(PDF)
    proposal, user = complete_draft()
    assert _add(proposal, user, PDF).size == len(PDF)


def test_too_large_message_names_the_limit_in_megabytes():
    assert too_large_message(10 * 1024 * 1024) == "Die Datei ist größer als 10 MB."
    assert too_large_message(5 * 1024 * 1024 // 2) == "Die Datei ist größer als 2,5 MB."


def test_clean_filename_keeps_a_readable_name_only():
    assert clean_filename("C:\\Users\\x\\Absichtserklärung Verein.PDF") == "Absichtserklärung Verein.pdf"
    assert clean_filename("brief.html") == "brief.html.pdf"
    assert clean_filename("\x00\n..") == "Anlage.pdf"
    assert len(clean_filename("a" * 500 + ".pdf")) == 200


def test_letter_of_intent_marks_partner_confirmation_letter(private_media):
    proposal, user = complete_draft()
    partner = proposal.partners.order_by("position").first()
    attachment = _add(proposal, user, PDF, kind="letter_of_intent", partner=partner)
    partner.refresh_from_db()
    assert partner.confirmation == "letter"
    assert attachment.partner == partner


def test_letter_of_intent_needs_a_partner_of_this_proposal(private_media):
    proposal, user = complete_draft()
    other, _ = complete_draft()
    stranger = other.partners.order_by("position").first()
    with pytest.raises(InvalidContent) as refused:
        _add(proposal, user, PDF, kind="letter_of_intent")
    assert refused.value.errors == {
        "partner": ["Bitte wählen Sie den Partner, dessen Absichtserklärung dies ist."]
    }
    with pytest.raises(InvalidContent) as refused:
        _add(proposal, user, PDF, kind="letter_of_intent", partner=stranger)
    assert refused.value.errors == {"partner": ["Dieser Partner gehört nicht zu dieser Interessenbekundung."]}
    stranger.refresh_from_db()
    assert stranger.confirmation == "pending"
    assert Attachment.objects.count() == 0
    assert _files(private_media) == []


def test_non_member_cannot_upload_and_nothing_is_stored(private_media):
    proposal, _ = complete_draft()
    with pytest.raises(ProposalNotFound):
        _add(proposal, UserFactory(), PDF)
    assert Attachment.objects.count() == 0
    assert _files(private_media) == []


def test_upload_refused_after_submission(private_media):
    proposal, user = complete_draft()
    services.submit_proposal(proposal, actor=user, now=NOW)
    with pytest.raises(NotEditable):
        _add(proposal, user, PDF)
    assert Attachment.objects.count() == 0
    assert _files(private_media) == []


def test_member_fetches_attachment_non_member_cannot(private_media):
    proposal, user = complete_draft()
    attachment = _add(proposal, user, PDF)
    assert queries.attachment_for_member(user, attachment.pk) == attachment
    with pytest.raises(ProposalNotFound) as refused:
        queries.attachment_for_member(UserFactory(), attachment.pk)
    assert str(refused.value) == "Diese Anlage gibt es nicht, oder Sie haben keinen Zugriff darauf."
    with pytest.raises(ProposalNotFound):
        queries.attachment_for_member(user, attachment.pk + 1000)


def test_remove_attachment_deletes_row_and_file_and_resets_letter(
    private_media, django_capture_on_commit_callbacks
):
    proposal, user = complete_draft()
    partner = proposal.partners.order_by("position").first()
    attachment = _add(proposal, user, PDF, kind="letter_of_intent", partner=partner)
    path = Path(attachment.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_attachment(attachment, actor=user, now=NOW)
    assert Attachment.objects.count() == 0
    assert not path.exists()
    partner.refresh_from_db()
    assert partner.confirmation == "pending"
    event = AuditEvent.objects.get(action="proposal.attachment_removed")
    assert event.data == {
        "attachment": attachment.pk,
        "kind": "letter_of_intent",
        "partner": partner.pk,
        "sha256": attachment.sha256,
    }


def test_non_member_cannot_remove_attachment(private_media):
    proposal, user = complete_draft()
    attachment = _add(proposal, user, PDF)
    with pytest.raises(ProposalNotFound):
        services.remove_attachment(attachment, actor=UserFactory(), now=NOW)
    assert Attachment.objects.count() == 1
    assert Path(attachment.file.path).exists()
