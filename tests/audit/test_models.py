"""The audit log is append-only through the ORM."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db.models.deletion import ProtectedError

from oglabs.audit.models import AuditEvent, AuditLogIsAppendOnly
from oglabs.audit.services import record_event
from tests.factories.accounts import StaffFactory

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def event() -> AuditEvent:
    return record_event(actor=None, action="call.created", data={"title": "Reallabore"}, now=NOW)


@pytest.mark.django_db
def test_audit_event_save_existing_raises(event: AuditEvent) -> None:
    event.data = {"title": "geändert"}

    with pytest.raises(AuditLogIsAppendOnly):
        event.save()

    assert AuditEvent.objects.get().data == {"title": "Reallabore"}


@pytest.mark.django_db
def test_audit_event_delete_raises(event: AuditEvent) -> None:
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()

    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db
def test_audit_event_queryset_update_raises(event: AuditEvent) -> None:
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(action="call.deleted")

    assert AuditEvent.objects.get().action == "call.created"


@pytest.mark.django_db
def test_audit_event_queryset_delete_raises(event: AuditEvent) -> None:
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().delete()

    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db
def test_audit_event_bulk_update_raises(event: AuditEvent) -> None:
    event.action = "call.deleted"

    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.bulk_update([event], ["action"])

    assert AuditEvent.objects.get().action == "call.created"


@pytest.mark.django_db
def test_audit_event_bulk_create_raises() -> None:
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.bulk_create([])


@pytest.mark.django_db
def test_audit_event_actor_cannot_be_deleted() -> None:
    staff = StaffFactory()
    record_event(actor=staff, action="call.created", data={}, now=NOW)

    with pytest.raises(ProtectedError):
        staff.delete()

    assert AuditEvent.objects.get().actor_id == staff.pk
