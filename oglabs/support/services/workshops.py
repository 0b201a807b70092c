"""Workshops: created by staff, every eligible consortium invited in one action, named attendees
registered within the capacity (a waitlist beyond it), attendance recorded, materials shared.

Capacity holds under concurrent registration: every write that changes who holds a place locks
the workshop row first (``select_for_update``) and counts inside that transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.db.models import Max

from oglabs.accounts.models import User
from oglabs.audit.services import record_event
from oglabs.calls.models import Call
from oglabs.proposals import queries as proposal_queries
from oglabs.proposals import uploads
from oglabs.proposals.exceptions import InvalidContent
from oglabs.proposals.models import Proposal
from oglabs.proposals.services import transition_proposal
from oglabs.proposals.states import ProposalState
from oglabs.support import mails, queries
from oglabs.support.exceptions import (
    AlreadyCancelled,
    InvalidInput,
    NothingToInvite,
    NotInvited,
    RegistrationClosed,
)
from oglabs.support.models import (
    Registration,
    RegistrationStatus,
    Workshop,
    WorkshopInvitation,
    WorkshopMaterial,
)


@dataclass(frozen=True)
class WorkshopData:
    """What staff enter for a workshop (clean Python data; the form validated the types)."""

    title: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    place: str = ""
    online_url: str = ""
    agenda: str = ""
    documentation: str = ""


def _validated(data: WorkshopData) -> WorkshopData:
    title, place, online_url = " ".join(data.title.split()), data.place.strip(), data.online_url.strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = ["Bitte geben Sie einen Titel an."]
    if data.ends_at < data.starts_at:
        errors["ends_at"] = ["Das Ende darf nicht vor dem Beginn liegen."]
    if data.capacity < 1:
        errors["capacity"] = ["Ein Workshop hat mindestens einen Platz."]
    if not place and not online_url:
        errors["place"] = ["Bitte geben Sie einen Ort oder einen Link zur Online-Teilnahme an (oder beides)."]
    if online_url:
        try:
            URLValidator(schemes=["https", "http"])(online_url)
        except ValidationError:
            errors["online_url"] = ["Bitte geben Sie einen gültigen Link an, der mit https:// beginnt."]
    if errors:
        raise InvalidInput(errors)
    return WorkshopData(
        title=title,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        capacity=data.capacity,
        place=place,
        online_url=online_url,
        agenda=data.agenda.strip(),
        documentation=data.documentation.strip(),
    )


def _audit_fields(workshop: Workshop) -> dict[str, Any]:
    return {
        "title": workshop.title,
        "starts_at": workshop.starts_at,
        "ends_at": workshop.ends_at,
        "capacity": workshop.capacity,
        "place": workshop.place,
        "online_url": workshop.online_url,
    }


def create_workshop(call: Call, *, actor: User, data: WorkshopData, now: datetime) -> Workshop:
    clean = _validated(data)
    with transaction.atomic():
        workshop = Workshop.objects.create(call=call, created_at=now, updated_at=now, **clean.__dict__)
        record_event(
            actor=actor, action="workshop.created", target=workshop, data=_audit_fields(workshop), now=now
        )
    return workshop


def update_workshop(workshop: Workshop, *, actor: User, data: WorkshopData, now: datetime) -> Workshop:
    """Change a workshop. The capacity cannot fall below the places already given; a larger
    capacity moves people up from the waitlist (their consortia are mailed)."""
    clean = _validated(data)
    with transaction.atomic():
        locked = Workshop.objects.select_for_update(of=("self",)).select_related("call").get(pk=workshop.pk)
        registered = locked.registrations.filter(status=RegistrationStatus.REGISTERED).count()
        if clean.capacity < registered:
            raise InvalidInput(
                {
                    "capacity": [
                        f"Es sind bereits {registered} Personen angemeldet; die Zahl der Plätze kann "
                        "nicht darunter liegen."
                    ]
                }
            )
        for field, value in clean.__dict__.items():
            setattr(locked, field, value)
        locked.updated_at = now
        locked.save()
        promoted = _fill_from_waitlist(locked, free=clean.capacity - registered, now=now)
        record_event(
            actor=actor,
            action="workshop.updated",
            target=locked,
            data={**_audit_fields(locked), "promoted": [registration.pk for registration in promoted]},
            now=now,
        )
    return locked


def invite_eligible_consortia(workshop: Workshop, *, actor: User, now: datetime) -> list[WorkshopInvitation]:
    """Invite every eligible consortium of the call (and every one already invited to another
    workshop of the call) that is not yet invited to this one. Eligible proposals move to
    ``invited`` (one audit event each); each consortium's members are mailed. ``NothingToInvite``
    if there is no one left to invite."""
    with transaction.atomic():
        locked = Workshop.objects.select_for_update(of=("self",)).select_related("call").get(pk=workshop.pk)
        proposals = list(queries.invitable_proposals(locked))
        if not proposals:
            raise NothingToInvite
        invitations = []
        for proposal in proposals:
            if proposal.state == ProposalState.ELIGIBLE:
                transition_proposal(
                    proposal, to=ProposalState.INVITED, actor=actor, now=now, data={"workshop": locked.pk}
                )
            invitations.append(
                WorkshopInvitation.objects.create(
                    workshop=locked, proposal=proposal, invited_at=now, invited_by=actor
                )
            )
            mails.queue_invitation_mails(
                locked, proposal, recipients=proposal_queries.member_emails(proposal), now=now
            )
        record_event(
            actor=actor,
            action="workshop.invited",
            target=locked,
            data={"proposals": [proposal.reference for proposal in proposals]},
            now=now,
        )
    return invitations


def register_attendee(
    workshop: Workshop,
    *,
    proposal: Proposal,
    actor: User,
    name: str,
    email: str = "",
    role: str = "",
    now: datetime,
) -> Registration:
    """Register a named person of an invited consortium. Within the capacity the place is
    confirmed; beyond it the registration goes on the waitlist with the next position."""
    name, email, role = " ".join(name.split()), email.strip(), " ".join(role.split())
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["Bitte geben Sie den Namen der Person an, die teilnimmt."]
    elif len(name) > 200:
        errors["name"] = ["Der Name darf höchstens 200 Zeichen lang sein."]
    if len(role) > 200:
        errors["role"] = ["Die Angabe darf höchstens 200 Zeichen lang sein."]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = ["Bitte geben Sie eine gültige E-Mail-Adresse an."]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
        if now >= locked.starts_at:
            raise RegistrationClosed
        if not WorkshopInvitation.objects.filter(workshop=locked, proposal=proposal).exists():
            raise NotInvited
        registered = locked.registrations.filter(status=RegistrationStatus.REGISTERED).count()
        if registered < locked.capacity:
            status, position = RegistrationStatus.REGISTERED, None
        else:
            status, position = RegistrationStatus.WAITLISTED, _next_waitlist_position(locked)
        registration = Registration.objects.create(
            workshop=locked,
            proposal=proposal,
            attendee_name=name,
            attendee_email=email,
            attendee_role=role,
            status=status,
            waitlist_position=position,
            registered_at=now,
            registered_by=actor,
        )
        record_event(
            actor=actor,
            action="workshop.registered",
            target=registration,
            data={
                "workshop": locked.pk,
                "proposal": proposal.pk,
                "status": status,
                "waitlist_position": position,
            },
            now=now,
        )
    return registration


def _next_waitlist_position(workshop: Workshop) -> int:
    highest = workshop.registrations.aggregate(highest=Max("waitlist_position"))["highest"]
    return (highest or 0) + 1


def _fill_from_waitlist(workshop: Workshop, *, free: int, now: datetime) -> list[Registration]:
    """Move the first ``free`` waitlisted registrations up; the caller holds the workshop lock."""
    if free <= 0:
        return []
    promoted = list(
        workshop.registrations.filter(status=RegistrationStatus.WAITLISTED)
        .select_related("proposal")
        .order_by("waitlist_position", "pk")[:free]
    )
    for registration in promoted:
        registration.status = RegistrationStatus.REGISTERED
        registration.waitlist_position = None
        registration.save(update_fields=["status", "waitlist_position"])
        mails.queue_promotion_mails(
            workshop,
            registration.proposal,
            recipients=proposal_queries.member_emails(registration.proposal),
            now=now,
        )
    return promoted


def cancel_registration(registration: Registration, *, actor: User, now: datetime) -> Registration:
    """Cancel a registration; a freed place goes to the first on the waitlist (mailed)."""
    with transaction.atomic():
        workshop = (
            Workshop.objects.select_for_update(of=("self",))
            .select_related("call")
            .get(pk=registration.workshop_id)
        )
        locked = Registration.objects.get(pk=registration.pk)
        if locked.status == RegistrationStatus.CANCELLED:
            raise AlreadyCancelled
        if now >= workshop.starts_at:
            raise RegistrationClosed
        previous = locked.status
        locked.status = RegistrationStatus.CANCELLED
        locked.waitlist_position = None
        locked.cancelled_at = now
        locked.save(update_fields=["status", "waitlist_position", "cancelled_at"])
        promoted: list[Registration] = []
        if previous == RegistrationStatus.REGISTERED:
            registered = workshop.registrations.filter(status=RegistrationStatus.REGISTERED).count()
            promoted = _fill_from_waitlist(workshop, free=workshop.capacity - registered, now=now)
        record_event(
            actor=actor,
            action="workshop.cancelled",
            target=locked,
            data={"workshop": workshop.pk, "from": previous, "promoted": [item.pk for item in promoted]},
            now=now,
        )
    return locked


def record_attendance(
    registration: Registration, *, actor: User, attended: bool | None, now: datetime
) -> Registration:
    """Staff record whether a registered person took part (``None``: not recorded)."""
    with transaction.atomic():
        locked = Registration.objects.select_for_update().get(pk=registration.pk)
        if locked.status != RegistrationStatus.REGISTERED:
            raise InvalidInput({"attended": ["Anwesenheit wird nur für bestätigte Anmeldungen erfasst."]})
        previous = locked.attended
        locked.attended = attended
        locked.save(update_fields=["attended"])
        record_event(
            actor=actor,
            action="workshop.attendance",
            target=locked,
            data={"workshop": locked.workshop_id, "from": previous, "to": attended},
            now=now,
        )
    return locked


def add_material(
    workshop: Workshop, *, actor: User, title: str, uploaded_file: File, now: datetime
) -> WorkshopMaterial:
    """Store a PDF for the invited consortia, checked by content (``proposals.uploads``)."""
    title = " ".join(title.split())
    if not title:
        raise InvalidInput({"title": ["Bitte geben Sie einen Titel an."]})
    try:
        checked = uploads.read_pdf(uploaded_file, max_bytes=uploads.max_upload_bytes())
    except InvalidContent as error:
        raise InvalidInput(error.errors) from None
    name = uploads.store_pdf(checked.data)
    try:
        with transaction.atomic():
            material = WorkshopMaterial.objects.create(
                workshop=workshop,
                title=title[:200],
                file=name,
                original_name=checked.original_name,
                size=len(checked.data),
                sha256=checked.sha256,
                uploaded_at=now,
                uploaded_by=actor,
            )
            record_event(
                actor=actor,
                action="workshop.material_added",
                target=workshop,
                data={
                    "material": material.pk,
                    "title": material.title,
                    "size": material.size,
                    "sha256": material.sha256,
                },
                now=now,
            )
    except BaseException:
        uploads.delete_stored(name)  # no row, no file
        raise
    return material


def remove_material(material: WorkshopMaterial, *, actor: User, now: datetime) -> None:
    with transaction.atomic():
        name = material.file.name
        data = {"material": material.pk, "title": material.title, "sha256": material.sha256}
        workshop = material.workshop
        material.delete()
        record_event(actor=actor, action="workshop.material_removed", target=workshop, data=data, now=now)
        if name:
            transaction.on_commit(partial(uploads.delete_stored, name))
