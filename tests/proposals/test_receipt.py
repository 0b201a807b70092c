"""The receipt (Eingangsbestätigung): the PDF of exactly what was submitted, and its mail."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from oglabs.mail.delivery import attachment_bytes
from oglabs.mail.models import OutboxMail
from oglabs.proposals import services
from oglabs.proposals.exceptions import CallClosed, SubmissionRefused
from oglabs.proposals.formatting import ags_from_ars, format_euro, format_instant
from oglabs.proposals.receipt import render_receipt
from tests.factories.accounts import UserFactory
from tests.factories.proposals import DEADLINE, NOW
from tests.proposals.conftest import PARTNER_NAMES, complete_draft

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_format_euro_uses_german_grouping_and_cents():
    assert format_euro(Decimal("40000")) == "40.000,00 €"
    assert format_euro(Decimal("12500.25")) == "12.500,25 €"
    assert format_euro(Decimal("0")) == "0,00 €"
    assert format_euro("1234567.5") == "1.234.567,50 €"


def test_format_instant_shows_berlin_time_to_the_second():
    assert format_instant(DEADLINE) == "31.10.2019, 23:59:59 Uhr"
    assert format_instant(dt.datetime(2019, 10, 31, 22, 59, 59, tzinfo=dt.UTC)) == "31.10.2019, 23:59:59 Uhr"


def test_ags_from_ars_drops_the_verband_digits():
    assert ags_from_ars("120630080080") == "12063080"
    assert ags_from_ars("12063") == ""


def test_receipt_shows_reference_title_partners_and_hash():
    proposal, user = complete_draft()
    version = services.submit_proposal(proposal, actor=user, now=DEADLINE)
    pdf = render_receipt(version)
    assert pdf.startswith(b"%PDF-")
    text = _text(pdf)
    flat = _flat(text)
    assert "Eingangsbestätigung" in text
    assert proposal.reference in text
    assert "Offenes Havelland" in text
    for name in PARTNER_NAMES:
        assert name in flat
    assert version.sha256 in flat
    assert "31.10.2019, 23:59:59 Uhr" in flat
    assert "Regionale Open Government Labore" in flat


def test_receipt_shows_consortium_tasks_and_budget_in_german():
    proposal, user = complete_draft()
    version = services.submit_proposal(proposal, actor=user, now=NOW)
    flat = _flat(_text(render_receipt(version)))
    # lead and further municipality with AGS and ARS
    assert "Falkensee" in flat and "12063080 120630080080" in flat
    assert "Nauen" in flat and "12063208 120630000208" in flat
    # partners: kind label, role, cooperation
    assert "Zivilgesellschaft" in flat and "Wissenschaft" in flat
    assert "Evaluation" in flat
    # challenges by label, lab form label
    assert "Strukturwandel" in flat and "Digitalisierung" in flat
    assert "Ort und Netzwerk" in flat
    # tasks with due date and verification
    assert "Aufgabe 3" in flat and "30.06.2021" in flat and "Teilnahmelisten" in flat
    # budget: totals per year and category, contributions, overall volume
    assert "Personal 40.000,00 € 40.000,00 € 0,00 € 80.000,00 €" in flat
    assert "Summe 40.000,00 € 52.500,25 € 0,00 € 92.500,25 €" in flat
    assert "Eigenanteil 10.000,00 €" in flat
    assert "Finanzierungsbeteiligung des Landes 5.000,50 €" in flat
    assert "Gesamtvolumen des Labors 107.500,75 €" in flat


def test_receipt_has_document_title_and_language():
    proposal, user = complete_draft()
    version = services.submit_proposal(proposal, actor=user, now=NOW)
    reader = PdfReader(io.BytesIO(render_receipt(version)))
    assert reader.metadata is not None
    assert reader.metadata.title == f"Eingangsbestätigung {proposal.reference}: Offenes Havelland"
    assert reader.trailer["/Root"]["/Lang"] == "de-DE"
    assert [item.title for item in reader.outline][:2] == ["Konsortium", "Partner"]


def test_receipt_is_deterministic():
    proposal, user = complete_draft()
    version = services.submit_proposal(proposal, actor=user, now=NOW)
    assert render_receipt(version) == render_receipt(version)


def test_receipt_escapes_markup_in_user_text():
    proposal, user = complete_draft()
    proposal = services.save_section(
        proposal,
        section="general",
        data={"region": "<b>fett</b> & <unknown-tag> bleibt Text"},
        expected_version=proposal.lock_version,
        actor=user,
        now=NOW,
    )
    version = services.submit_proposal(proposal, actor=user, now=NOW)
    assert "<b>fett</b> & <unknown-tag> bleibt Text" in _flat(_text(render_receipt(version)))


def test_submit_queues_receipt_mail_once_with_pdf_to_every_member():
    proposal, user = complete_draft(UserFactory(email="lead@falkensee.example"))
    colleague = UserFactory(email="kollegin@nauen.example")
    _, token = services.invite_member(proposal, email=colleague.email, actor=user, now=NOW)
    services.accept_invitation(token=token, actor=colleague, now=NOW)
    version = services.submit_proposal(proposal, actor=user, now=DEADLINE)
    assert OutboxMail.objects.filter(kind="proposal:invitation").count() == 1  # the colleague's invitation
    mail = OutboxMail.objects.exclude(kind="proposal:invitation").get()
    assert mail.kind == "proposal:receipt"
    assert mail.to == ["kollegin@nauen.example", "lead@falkensee.example"]
    assert mail.subject == f"Eingangsbestätigung: {proposal.reference} Offenes Havelland"
    assert "am 31.10.2019, 23:59:59 Uhr (Berliner Zeit) eingegangen" in mail.body
    assert version.sha256 in mail.body
    assert "regionale-open-government-labore@bmi.bund.de" in mail.body
    assert f"Eingangsbestaetigung-{proposal.reference}.pdf" in mail.body
    assert "beantragte Mittel: 92.500,25 €" in mail.body
    attachment = mail.attachments.get()
    assert attachment.filename == f"Eingangsbestaetigung-{proposal.reference}.pdf"
    assert attachment.mimetype == "application/pdf"
    assert (attachment.renderer, attachment.renderer_arguments) == (
        "proposals.receipt",
        {"version_id": version.pk},
    )
    assert bytes(attachment.content) == b""  # rendered by the mail worker, not in the request
    assert attachment_bytes(attachment) == render_receipt(version)


def test_submit_refused_for_missing_content_queues_no_mail():
    user = UserFactory()
    proposal, _ = complete_draft(user)
    proposal = services.save_section(
        proposal, section="tasks", data=[], expected_version=proposal.lock_version, actor=user, now=NOW
    )
    with pytest.raises(SubmissionRefused):
        services.submit_proposal(proposal, actor=user, now=NOW)
    assert OutboxMail.objects.count() == 0


def test_submit_refused_after_deadline_queues_no_mail():
    proposal, user = complete_draft()
    with pytest.raises(CallClosed):
        services.submit_proposal(proposal, actor=user, now=DEADLINE + dt.timedelta(microseconds=1))
    assert OutboxMail.objects.count() == 0
