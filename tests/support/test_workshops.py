"""Workshops: creation, inviting every eligible consortium, registration within capacity and a
waitlist, cancellation moving the waitlist up, attendance, materials."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from oglabs.audit.models import AuditEvent
from oglabs.mail.models import OutboxMail
from oglabs.proposals.models import Proposal
from oglabs.proposals.states import ProposalState
from oglabs.support import services
from oglabs.support.exceptions import (
    AlreadyCancelled,
    InvalidInput,
    NothingToInvite,
    NotInvited,
    RegistrationClosed,
)
from oglabs.support.mails import WAITLIST_PROMOTED_KIND, WORKSHOP_INVITATION_KIND
from oglabs.support.models import (
    Registration,
    RegistrationStatus,
    Workshop,
    WorkshopInvitation,
    WorkshopMaterial,
)
from tests.factories.proposals import NOW
from tests.support.conftest import WORKSHOP_STARTS_AT, consortium, workshop_data

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _invited(call, workshop, staff, *emails):  # type: ignore[no-untyped-def]
    proposal = consortium(call, *emails)
    WorkshopInvitation.objects.create(workshop=workshop, proposal=proposal, invited_at=NOW, invited_by=staff)
    return proposal


def test_create_workshop_stores_and_audits(call, staff):
    workshop = services.create_workshop(call, actor=staff, data=workshop_data(), now=NOW)
    assert (workshop.capacity, workshop.created_at) == (2, NOW)
    assert AuditEvent.objects.filter(action="workshop.created", target_id=str(workshop.pk)).count() == 1


def test_create_workshop_without_place_or_link_is_refused(call, staff):
    with pytest.raises(InvalidInput) as error:
        services.create_workshop(call, actor=staff, data=workshop_data(place=" ", online_url=""), now=NOW)
    assert list(error.value.errors) == ["place"]
    assert Workshop.objects.count() == 0


def test_create_workshop_online_only_is_accepted(call, staff):
    workshop = services.create_workshop(
        call, actor=staff, data=workshop_data(place="", online_url="https://konferenz.example/raum"), now=NOW
    )
    assert workshop.online_url == "https://konferenz.example/raum"


def test_create_workshop_ending_before_start_or_without_places_is_refused(call, staff):
    with pytest.raises(InvalidInput) as error:
        services.create_workshop(
            call,
            actor=staff,
            data=workshop_data(ends_at=WORKSHOP_STARTS_AT - dt.timedelta(hours=1), capacity=0),
            now=NOW,
        )
    assert sorted(error.value.errors) == ["capacity", "ends_at"]


def test_invite_eligible_consortia_invites_transitions_and_mails(call, workshop, staff):
    first = consortium(call, "a1@example.org", "a2@example.org")
    second = consortium(call, "b1@example.org")
    consortium(call, "draft@example.org", state="draft")
    consortium(call, "nope@example.org", state="ineligible")
    invitations = services.invite_eligible_consortia(workshop, actor=staff, now=NOW)
    assert sorted(invitation.proposal_id for invitation in invitations) == sorted([first.pk, second.pk])
    assert set(Proposal.objects.filter(state=ProposalState.INVITED).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }
    assert AuditEvent.objects.filter(action="proposal.invited").count() == 2
    assert AuditEvent.objects.filter(action="workshop.invited").count() == 1
    mails = OutboxMail.objects.filter(kind=WORKSHOP_INVITATION_KIND)
    assert sorted(mail.to[0] for mail in mails) == ["a1@example.org", "a2@example.org", "b1@example.org"]
    body = mails.get(to=["b1@example.org"]).body
    assert f"/portal/workshops/{workshop.pk}/" in body
    assert "Ideen schärfen – Workshop in Berlin" in body


def test_invite_eligible_consortia_second_workshop_invites_already_invited_without_transition(
    call, workshop, staff
):
    proposal = consortium(call, "a1@example.org")
    services.invite_eligible_consortia(workshop, actor=staff, now=NOW)
    second = services.create_workshop(
        call, actor=staff, data=workshop_data(title="Zweiter Workshop"), now=NOW
    )
    invitations = services.invite_eligible_consortia(second, actor=staff, now=NOW)
    assert [invitation.proposal_id for invitation in invitations] == [proposal.pk]
    assert AuditEvent.objects.filter(action="proposal.invited").count() == 1


def test_invite_eligible_consortia_with_nobody_left_is_refused(call, workshop, staff):
    consortium(call, "a1@example.org")
    services.invite_eligible_consortia(workshop, actor=staff, now=NOW)
    with pytest.raises(NothingToInvite):
        services.invite_eligible_consortia(workshop, actor=staff, now=NOW)
    assert WorkshopInvitation.objects.count() == 1


def test_register_attendee_within_capacity_then_waitlist(call, workshop, staff):
    proposal = _invited(call, workshop, staff, "a1@example.org")
    actor = proposal.members.get().user
    names = ["Anna", "Ben", "Cem", "Dana"]
    registrations = [
        services.register_attendee(workshop, proposal=proposal, actor=actor, name=name, now=NOW)
        for name in names
    ]
    assert [(r.status, r.waitlist_position) for r in registrations] == [
        ("registered", None),
        ("registered", None),
        ("waitlisted", 1),
        ("waitlisted", 2),
    ]
    assert AuditEvent.objects.filter(action="workshop.registered").count() == 4


def test_register_attendee_of_uninvited_consortium_is_refused(call, workshop, staff):
    proposal = consortium(call, "a1@example.org")
    with pytest.raises(NotInvited):
        services.register_attendee(
            workshop, proposal=proposal, actor=proposal.members.get().user, name="Anna", now=NOW
        )
    assert Registration.objects.count() == 0


def test_register_attendee_after_start_is_refused(call, workshop, staff):
    proposal = _invited(call, workshop, staff, "a1@example.org")
    with pytest.raises(RegistrationClosed):
        services.register_attendee(
            workshop,
            proposal=proposal,
            actor=proposal.members.get().user,
            name="Anna",
            now=WORKSHOP_STARTS_AT,
        )


def test_register_attendee_without_name_is_refused(call, workshop, staff):
    proposal = _invited(call, workshop, staff, "a1@example.org")
    with pytest.raises(InvalidInput) as error:
        services.register_attendee(workshop, proposal=proposal, actor=staff, name="  ", now=NOW)
    assert list(error.value.errors) == ["name"]


def test_cancel_registration_moves_first_waitlisted_up_and_mails(call, workshop, staff):
    proposal = _invited(call, workshop, staff, "a1@example.org")
    other = _invited(call, workshop, staff, "b1@example.org")
    anna = services.register_attendee(workshop, proposal=proposal, actor=staff, name="Anna", now=NOW)
    services.register_attendee(workshop, proposal=proposal, actor=staff, name="Ben", now=NOW)
    cem = services.register_attendee(workshop, proposal=other, actor=staff, name="Cem", now=NOW)
    dana = services.register_attendee(workshop, proposal=proposal, actor=staff, name="Dana", now=NOW)
    services.cancel_registration(anna, actor=staff, now=NOW)
    cem.refresh_from_db()
    dana.refresh_from_db()
    anna.refresh_from_db()
    assert (anna.status, anna.cancelled_at) == (RegistrationStatus.CANCELLED, NOW)
    assert (cem.status, cem.waitlist_position) == (RegistrationStatus.REGISTERED, None)
    assert (dana.status, dana.waitlist_position) == (RegistrationStatus.WAITLISTED, 2)
    assert [mail.to for mail in OutboxMail.objects.filter(kind=WAITLIST_PROMOTED_KIND)] == [
        ["b1@example.org"]
    ]
    event = AuditEvent.objects.get(action="workshop.cancelled")
    assert event.data["promoted"] == [cem.pk]


def test_cancel_registration_twice_is_refused(call, workshop, staff):
    proposal = _invited(call, workshop, staff, "a1@example.org")
    anna = services.register_attendee(workshop, proposal=proposal, actor=staff, name="Anna", now=NOW)
    services.cancel_registration(anna, actor=staff, now=NOW)
    with pytest.raises(AlreadyCancelled):
        services.cancel_registration(anna, actor=staff, now=NOW)


def test_update_workshop_larger_capacity_moves_waitlist_up(call, workshop, staff):
    proposal = _invited(call, workshop, staff, "a1@example.org")
    for name in ["Anna", "Ben", "Cem"]:
        services.register_attendee(workshop, proposal=proposal, actor=staff, name=name, now=NOW)
    services.update_workshop(workshop, actor=staff, data=workshop_data(capacity=3), now=NOW)
    assert Registration.objects.filter(status=RegistrationStatus.REGISTERED).count() == 3


def test_update_workshop_capacity_below_registered_is_refused(call, workshop, staff):
    proposal = _invited(call, workshop, staff, "a1@example.org")
    for name in ["Anna", "Ben"]:
        services.register_attendee(workshop, proposal=proposal, actor=staff, name=name, now=NOW)
    with pytest.raises(InvalidInput) as error:
        services.update_workshop(workshop, actor=staff, data=workshop_data(capacity=1), now=NOW)
    assert list(error.value.errors) == ["capacity"]
    workshop.refresh_from_db()
    assert workshop.capacity == 2


def test_record_attendance_sets_flag_and_audits(call, workshop, staff):
    proposal = _invited(call, workshop, staff, "a1@example.org")
    anna = services.register_attendee(workshop, proposal=proposal, actor=staff, name="Anna", now=NOW)
    services.record_attendance(anna, actor=staff, attended=True, now=NOW)
    anna.refresh_from_db()
    assert anna.attended is True
    event = AuditEvent.objects.get(action="workshop.attendance")
    assert event.data == {"workshop": workshop.pk, "from": None, "to": True}


def test_record_attendance_of_waitlisted_is_refused(call, workshop, staff):
    proposal = _invited(call, workshop, staff, "a1@example.org")
    for name in ["Anna", "Ben"]:
        services.register_attendee(workshop, proposal=proposal, actor=staff, name=name, now=NOW)
    cem = services.register_attendee(workshop, proposal=proposal, actor=staff, name="Cem", now=NOW)
    with pytest.raises(InvalidInput):
        services.record_attendance(cem, actor=staff, attended=True, now=NOW)


def test_add_material_stores_a_checked_pdf(workshop, staff, private_media):
    upload = SimpleUploadedFile("Folien Tag 1.pdf", PDF, content_type="application/pdf")
    material = services.add_material(workshop, actor=staff, title="Folien", uploaded_file=upload, now=NOW)
    assert (material.original_name, material.size) == ("Folien Tag 1.pdf", len(PDF))
    assert material.file.read() == PDF
    assert AuditEvent.objects.filter(action="workshop.material_added").count() == 1


def test_add_material_refuses_html_disguised_as_pdf(workshop, staff, private_media):
    upload = SimpleUploadedFile(
        "folien.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"
    )
    with pytest.raises(InvalidInput) as error:
        services.add_material(workshop, actor=staff, title="Folien", uploaded_file=upload, now=NOW)
    assert error.value.errors == {"file": ["Nur PDF-Dateien sind erlaubt."]}
    assert WorkshopMaterial.objects.count() == 0
    assert list(private_media.rglob("*.pdf")) == []


def test_remove_material_deletes_row_and_file(
    workshop, staff, private_media, django_capture_on_commit_callbacks
):
    material = services.add_material(
        workshop, actor=staff, title="Folien", uploaded_file=SimpleUploadedFile("a.pdf", PDF), now=NOW
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_material(material, actor=staff, now=NOW)
    assert WorkshopMaterial.objects.count() == 0
    assert list(private_media.rglob("*.pdf")) == []
