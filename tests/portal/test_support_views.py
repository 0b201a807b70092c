"""Portal, support: applicants ask questions; invited consortia register named attendees, cancel,
and download materials; nobody else sees a workshop or other consortia's attendees."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from oglabs.calls.models import Call
from oglabs.proposals.models import Proposal
from oglabs.support import mails, services
from oglabs.support.models import Question, Registration, RegistrationStatus, Workshop, WorkshopInvitation
from tests.backoffice.conftest import login_with_second_factor
from tests.factories.accounts import StaffFactory
from tests.factories.proposals import CallFactory
from tests.support.conftest import consortium, workshop_data

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def call() -> Call:
    return CallFactory()


@pytest.fixture
def workshop(call: Call) -> Workshop:
    starts = timezone.now() + dt.timedelta(days=10)
    return services.create_workshop(
        call,
        actor=StaffFactory(),
        data=workshop_data(starts_at=starts, ends_at=starts + dt.timedelta(hours=6), capacity=1),
        now=timezone.now(),
    )


def _invite(workshop: Workshop, proposal: Proposal) -> None:
    WorkshopInvitation.objects.create(
        workshop=workshop, proposal=proposal, invited_at=timezone.now(), invited_by=StaffFactory()
    )


def test_applicant_asks_a_question(client, call):
    proposal = consortium(call, "lead@example.org")
    user = proposal.members.get().user
    client.force_login(user)
    url = reverse("portal:ask_question", kwargs={"slug": call.slug})
    assert client.get(url).status_code == 200
    response = client.post(url, {"text": "Zählt ein Eigenanteil?"})
    assert response.status_code == 302
    question = Question.objects.get()
    assert (question.asker, question.source, question.asker_email) == (user, "portal", "")
    assert "Zählt ein Eigenanteil?" in client.get(url).content.decode()


def test_applicant_empty_question_shows_error(client, call):
    client.force_login(consortium(call, "lead@example.org").members.get().user)
    response = client.post(reverse("portal:ask_question", kwargs={"slug": call.slug}), {"text": " "})
    assert response.status_code == 422
    assert "Bitte schreiben Sie Ihre Frage." in response.content.decode()
    assert Question.objects.count() == 0


def test_staff_cannot_use_the_portal_question_form(client, call):
    login_with_second_factor(client, StaffFactory())
    assert client.get(reverse("portal:ask_question", kwargs={"slug": call.slug})).status_code == 404


def test_invited_consortium_sees_and_registers_with_waitlist(client, call, workshop):
    proposal = consortium(call, "lead@example.org")
    _invite(workshop, proposal)
    client.force_login(proposal.members.get().user)
    url = reverse("portal:workshop", kwargs={"pk": workshop.pk})
    assert client.get(url).status_code == 200
    assert (
        client.post(url, {"proposal": proposal.pk, "name": "Anna", "role": "", "email": ""}).status_code
        == 302
    )
    assert (
        client.post(url, {"proposal": proposal.pk, "name": "Ben", "role": "", "email": ""}).status_code == 302
    )
    statuses = list(
        Registration.objects.order_by("pk").values_list("attendee_name", "status", "waitlist_position")
    )
    assert statuses == [("Anna", "registered", None), ("Ben", "waitlisted", 1)]
    html = client.get(url).content.decode()
    assert "Warteliste, Platz 1" in html


def test_workshop_page_hides_other_consortia_attendees(client, call, workshop):
    mine = consortium(call, "me@example.org")
    theirs = consortium(call, "them@example.org")
    _invite(workshop, mine)
    _invite(workshop, theirs)
    services.register_attendee(
        workshop,
        proposal=theirs,
        actor=theirs.members.get().user,
        name="Fremde Person Xq",
        now=timezone.now(),
    )
    client.force_login(mine.members.get().user)
    html = client.get(reverse("portal:workshop", kwargs={"pk": workshop.pk})).content.decode()
    assert "Fremde Person Xq" not in html
    assert "Aus Ihrem Konsortium ist noch niemand angemeldet." in html


def test_uninvited_consortium_gets_404_and_cannot_register(client, call, workshop):
    proposal = consortium(call, "lead@example.org")
    client.force_login(proposal.members.get().user)
    url = reverse("portal:workshop", kwargs={"pk": workshop.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {"proposal": proposal.pk, "name": "Anna"}).status_code == 404
    assert Registration.objects.count() == 0


def test_register_for_a_proposal_of_another_consortium_is_refused(client, call, workshop):
    mine = consortium(call, "me@example.org")
    theirs = consortium(call, "them@example.org")
    _invite(workshop, mine)
    _invite(workshop, theirs)
    client.force_login(mine.members.get().user)
    response = client.post(
        reverse("portal:workshop", kwargs={"pk": workshop.pk}), {"proposal": theirs.pk, "name": "X"}
    )
    assert response.status_code == 422
    assert Registration.objects.count() == 0


def test_cancel_own_registration_moves_waitlist_up(client, call, workshop):
    proposal = consortium(call, "lead@example.org")
    _invite(workshop, proposal)
    user = proposal.members.get().user
    anna = services.register_attendee(
        workshop, proposal=proposal, actor=user, name="Anna", now=timezone.now()
    )
    ben = services.register_attendee(workshop, proposal=proposal, actor=user, name="Ben", now=timezone.now())
    client.force_login(user)
    response = client.post(reverse("portal:registration_cancel", kwargs={"registration_id": anna.pk}))
    assert response.status_code == 302
    ben.refresh_from_db()
    assert ben.status == RegistrationStatus.REGISTERED


def test_cancel_registration_of_another_consortium_is_404(client, call, workshop):
    theirs = consortium(call, "them@example.org")
    _invite(workshop, theirs)
    anna = services.register_attendee(
        workshop, proposal=theirs, actor=theirs.members.get().user, name="Anna", now=timezone.now()
    )
    client.force_login(consortium(call, "me@example.org").members.get().user)
    assert (
        client.post(reverse("portal:registration_cancel", kwargs={"registration_id": anna.pk})).status_code
        == 404
    )
    anna.refresh_from_db()
    assert anna.status == RegistrationStatus.REGISTERED


def test_material_download_only_for_invited_consortia(client, call, workshop, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    material = services.add_material(
        workshop,
        actor=StaffFactory(),
        title="Folien",
        uploaded_file=SimpleUploadedFile("folien.pdf", PDF),
        now=timezone.now(),
    )
    url = reverse("portal:workshop_material", kwargs={"material_id": material.pk})
    outsider = consortium(call, "out@example.org")
    client.force_login(outsider.members.get().user)
    assert client.get(url).status_code == 404
    _invite(workshop, outsider)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"] == 'attachment; filename="folien.pdf"'


def test_workshops_list_shows_invitations(client, call, workshop):
    proposal = consortium(call, "lead@example.org")
    _invite(workshop, proposal)
    client.force_login(proposal.members.get().user)
    html = client.get(reverse("portal:workshops")).content.decode()
    assert workshop.title in html


def test_workshop_path_matches_the_mailed_link(workshop):
    assert reverse("portal:workshop", kwargs={"pk": workshop.pk}) == mails.WORKSHOP_PATH.format(
        pk=workshop.pk
    )
