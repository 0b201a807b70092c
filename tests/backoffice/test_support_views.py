"""Back office, support: staff answer, publish, enter mailed questions, run workshops;
applicants and jurors reach none of it (and change nothing)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from oglabs.audit.models import AuditEvent
from oglabs.calls.models import Call
from oglabs.mail.models import OutboxMail
from oglabs.proposals.models import Proposal
from oglabs.support import services
from oglabs.support.models import Question, QuestionState, Workshop, WorkshopInvitation
from tests.backoffice.conftest import login_with_second_factor
from tests.factories.accounts import JurorFactory, StaffFactory, UserFactory
from tests.factories.proposals import CallFactory
from tests.support.conftest import consortium, workshop_data

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def call() -> Call:
    return CallFactory()


@pytest.fixture
def question(call: Call) -> Question:
    return services.ask_question(
        call,
        asker=None,
        name="Erika",
        email="erika@example.net",
        text="Wer darf?",
        source="public",
        now=timezone.now() - dt.timedelta(days=3, hours=1),
    )


@pytest.fixture
def workshop(call: Call) -> Workshop:
    starts = timezone.now() + dt.timedelta(days=10)
    return services.create_workshop(
        call,
        actor=StaffFactory(),
        data=workshop_data(starts_at=starts, ends_at=starts + dt.timedelta(hours=6)),
        now=timezone.now(),
    )


def _urls(call: Call, question: Question, workshop: Workshop) -> list[tuple[str, str]]:
    slug = call.slug
    return [
        ("get", reverse("backoffice:questions", kwargs={"slug": slug})),
        ("get", reverse("backoffice:question_answer", kwargs={"slug": slug, "pk": question.pk})),
        ("post", reverse("backoffice:question_answer", kwargs={"slug": slug, "pk": question.pk})),
        ("post", reverse("backoffice:question_publish", kwargs={"slug": slug, "pk": question.pk})),
        ("post", reverse("backoffice:question_reject", kwargs={"slug": slug, "pk": question.pk})),
        ("get", reverse("backoffice:question_from_mail", kwargs={"slug": slug})),
        ("post", reverse("backoffice:question_from_mail", kwargs={"slug": slug})),
        ("get", reverse("backoffice:workshops", kwargs={"slug": slug})),
        ("get", reverse("backoffice:workshop_create", kwargs={"slug": slug})),
        ("post", reverse("backoffice:workshop_create", kwargs={"slug": slug})),
        ("get", reverse("backoffice:workshop_detail", kwargs={"slug": slug, "pk": workshop.pk})),
        ("get", reverse("backoffice:workshop_edit", kwargs={"slug": slug, "pk": workshop.pk})),
        ("post", reverse("backoffice:workshop_invite", kwargs={"slug": slug, "pk": workshop.pk})),
        ("post", reverse("backoffice:workshop_material_add", kwargs={"slug": slug, "pk": workshop.pk})),
    ]


def _snapshot() -> tuple[int, ...]:
    return (
        Question.objects.count(),
        Question.objects.exclude(state=QuestionState.OPEN).count(),
        Workshop.objects.count(),
        WorkshopInvitation.objects.count(),
        AuditEvent.objects.count(),
        OutboxMail.objects.count(),
    )


@pytest.mark.parametrize("role", ["applicant", "juror"])
def test_support_urls_are_refused_to_applicants_and_jurors(client, call, question, workshop, role):
    consortium(call, "lead@example.org")
    if role == "applicant":
        client.force_login(UserFactory())
    else:
        login_with_second_factor(client, JurorFactory())
    before = _snapshot()
    data = {"text": "x", "title": "x", "answer": "x", "public_question": "x", "topic": "x", "reason": "x"}
    for method, url in _urls(call, question, workshop):
        response = getattr(client, method)(url, data) if method == "post" else client.get(url)
        assert response.status_code == 403, url
    assert _snapshot() == before


def test_support_urls_send_anonymous_to_login(client, call, question, workshop):
    for _method, url in _urls(call, question, workshop):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login"))


def test_questions_list_shows_open_questions_with_age(staff_client, call, question):
    response = staff_client.get(reverse("backoffice:questions", kwargs={"slug": call.slug}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 offene Rückfrage" in html
    assert "seit 3 Tagen" in html
    assert "Wer darf?" in html


def test_questions_list_filters_by_state(staff_client, call, question):
    url = reverse("backoffice:questions", kwargs={"slug": call.slug})
    html = staff_client.get(url, {"state": "published"}).content.decode()
    assert "Keine Rückfragen gefunden." in html


def test_staff_answer_then_publish(staff_client, staff_user, call, question):
    consortium(call, "lead@example.org")
    url = reverse("backoffice:question_answer", kwargs={"slug": call.slug, "pk": question.pk})
    response = staff_client.post(
        url,
        {"topic": "Antragsberechtigung", "public_question": "Wer darf sich bewerben?", "answer": "Kommunen."},
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.state, question.answered_by) == (QuestionState.ANSWERED, staff_user)
    page = staff_client.get(url).content.decode()
    assert "wird an 2 Personen gemailt" in page
    response = staff_client.post(
        reverse("backoffice:question_publish", kwargs={"slug": call.slug, "pk": question.pk})
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.state == QuestionState.PUBLISHED
    assert sorted(mail.to[0] for mail in OutboxMail.objects.all()) == [
        "erika@example.net",
        "lead@example.org",
    ]


def test_staff_answer_without_answer_shows_error(staff_client, call, question):
    url = reverse("backoffice:question_answer", kwargs={"slug": call.slug, "pk": question.pk})
    response = staff_client.post(url, {"topic": "T", "public_question": "F", "answer": ""})
    assert response.status_code == 422
    assert "Bitte schreiben Sie eine Antwort." in response.content.decode()
    question.refresh_from_db()
    assert question.state == QuestionState.OPEN


def test_staff_enters_a_question_from_mail(staff_client, staff_user, call):
    response = staff_client.post(
        reverse("backoffice:question_from_mail", kwargs={"slug": call.slug}),
        {"name": "Hans Brief", "email": "", "text": "Per Post: Gilt die Frist?"},
    )
    question = Question.objects.get()
    assert response.status_code == 302
    assert (question.source, question.asker_name, question.text) == (
        "mail",
        "Hans Brief",
        "Per Post: Gilt die Frist?",
    )
    assert AuditEvent.objects.get(action="question.asked").actor_id == staff_user.pk


def test_question_of_another_call_is_404(staff_client, question):
    other = CallFactory()
    url = reverse("backoffice:question_answer", kwargs={"slug": other.slug, "pk": question.pk})
    assert staff_client.get(url).status_code == 404


def test_staff_creates_a_workshop(staff_client, call):
    response = staff_client.post(
        reverse("backoffice:workshop_create", kwargs={"slug": call.slug}),
        {
            "title": "Workshop Berlin",
            "starts_at": "2030-11-14T10:00",
            "ends_at": "2030-11-14T17:00",
            "place": "Berlin",
            "online_url": "",
            "capacity": "40",
            "agenda": "",
            "documentation": "",
        },
    )
    workshop = Workshop.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "backoffice:workshop_detail", kwargs={"slug": call.slug, "pk": workshop.pk}
    )
    assert workshop.starts_at.isoformat() == "2030-11-14T09:00:00+00:00"


def test_staff_create_workshop_without_place_shows_error(staff_client, call):
    response = staff_client.post(
        reverse("backoffice:workshop_create", kwargs={"slug": call.slug}),
        {"title": "W", "starts_at": "2030-11-14T10:00", "ends_at": "2030-11-14T17:00", "capacity": "4"},
    )
    assert response.status_code == 422
    assert "Bitte geben Sie einen Ort oder einen Link zur Online-Teilnahme an" in response.content.decode()
    assert Workshop.objects.count() == 0


def test_invite_confirmation_shows_the_count_then_invites(staff_client, call, workshop):
    consortium(call, "a@example.org")
    consortium(call, "b@example.org")
    consortium(call, "c@example.org", state="submitted")
    url = reverse("backoffice:workshop_invite", kwargs={"slug": call.slug, "pk": workshop.pk})
    html = staff_client.get(url).content.decode()
    assert "2 Konsortien werden eingeladen." in html
    assert staff_client.post(url).status_code == 302
    assert Proposal.objects.filter(state="invited").count() == 2
    assert WorkshopInvitation.objects.count() == 2


def test_workshop_detail_shows_registrations_and_records_attendance(staff_client, call, workshop):
    proposal = consortium(call, "a@example.org")
    WorkshopInvitation.objects.create(
        workshop=workshop, proposal=proposal, invited_at=timezone.now(), invited_by=StaffFactory()
    )
    registration = services.register_attendee(
        workshop,
        proposal=proposal,
        actor=proposal.members.get().user,
        name="Anna Teilnehmerin",
        now=timezone.now(),
    )
    html = staff_client.get(
        reverse("backoffice:workshop_detail", kwargs={"slug": call.slug, "pk": workshop.pk})
    ).content.decode()
    assert "Anna Teilnehmerin" in html
    url = reverse(
        "backoffice:workshop_attendance",
        kwargs={"slug": call.slug, "pk": workshop.pk, "registration_id": registration.pk},
    )
    assert staff_client.post(url, {"attended": "yes"}).status_code == 302
    registration.refresh_from_db()
    assert registration.attended is True


def test_staff_uploads_and_downloads_material(staff_client, call, workshop, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    response = staff_client.post(
        reverse("backoffice:workshop_material_add", kwargs={"slug": call.slug, "pk": workshop.pk}),
        {"title": "Folien", "file": SimpleUploadedFile("folien.pdf", PDF, content_type="application/pdf")},
    )
    assert response.status_code == 302
    material = workshop.materials.get()
    download = staff_client.get(
        reverse(
            "backoffice:workshop_material_download", kwargs={"slug": call.slug, "material_id": material.pk}
        )
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"] == 'attachment; filename="folien.pdf"'


def test_staff_upload_of_non_pdf_is_refused(staff_client, call, workshop):
    response = staff_client.post(
        reverse("backoffice:workshop_material_add", kwargs={"slug": call.slug, "pk": workshop.pk}),
        {
            "title": "Folien",
            "file": SimpleUploadedFile("folien.pdf", b"GIF89a", content_type="application/pdf"),
        },
    )
    assert response.status_code == 422
    assert "Nur PDF-Dateien sind erlaubt." in response.content.decode()
    assert workshop.materials.count() == 0
