"""manage.py verify_audit_log: names the first broken link of a tampered log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from oglabs.audit.chain import GENESIS, HASHED_FIELDS, event_hash, hashed_fields
from oglabs.audit.models import AuditEvent
from oglabs.audit.services import record_event
from tests.factories.accounts import StaffFactory

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
TABLE = connection.ops.quote_name(AuditEvent._meta.db_table)


def _record(count: int) -> list[AuditEvent]:
    staff = StaffFactory()
    return [
        record_event(
            actor=staff,
            action="proposal.submitted",
            target_type="proposals.proposal",
            target_id=str(number),
            data={"number": number},
            now=NOW + timedelta(minutes=number),
        )
        for number in range(1, count + 1)
    ]


def _raw_sql(sql: str, params: list[object]) -> None:
    """Tamper behind the model's back, as someone with database access could."""
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=TABLE), params)


def _verify() -> tuple[int, str, str]:
    stdout, stderr = StringIO(), StringIO()
    try:
        call_command("verify_audit_log", stdout=stdout, stderr=stderr)
    except SystemExit as exit_:
        return int(exit_.code or 0), stdout.getvalue(), stderr.getvalue()
    return 0, stdout.getvalue(), stderr.getvalue()


@pytest.mark.django_db
def test_verify_audit_log_intact() -> None:
    _record(5)

    assert _verify() == (0, "Audit-Log intakt: 5 Ereignisse\n", "")


@pytest.mark.django_db
def test_verify_audit_log_single_event() -> None:
    _record(1)

    assert _verify() == (0, "Audit-Log intakt: 1 Ereignis\n", "")


@pytest.mark.django_db
def test_verify_audit_log_empty() -> None:
    assert _verify() == (0, "Audit-Log intakt: 0 Ereignisse\n", "")


@pytest.mark.django_db
def test_verify_audit_log_changed_action_named_by_sequence() -> None:
    events = _record(5)
    _raw_sql("UPDATE {table} SET action = %s WHERE sequence = %s", ["proposal.withdrawn", 3])
    tampered = AuditEvent.objects.values(*HASHED_FIELDS).get(sequence=3)
    recomputed = event_hash(events[1].hash, hashed_fields(tampered))

    assert _verify() == (
        1,
        "",
        "Audit-Log verletzt bei Ereignis Nr. 3: Hash stimmt nicht mit dem Inhalt überein "
        f"(berechnet {recomputed}, gespeichert {events[2].hash})\n",
    )


@pytest.mark.django_db
def test_verify_audit_log_changed_data_detected() -> None:
    _record(4)
    _raw_sql("UPDATE {table} SET data = %s WHERE sequence = %s", ['{"number": 99}', 2])

    code, stdout, stderr = _verify()

    assert (code, stdout) == (1, "")
    assert stderr.startswith(
        "Audit-Log verletzt bei Ereignis Nr. 2: Hash stimmt nicht mit dem Inhalt überein"
    )


@pytest.mark.django_db
def test_verify_audit_log_changed_data_and_hash_breaks_next_link() -> None:
    events = _record(4)
    forged = event_hash(
        events[0].hash,
        {**hashed_fields(AuditEvent.objects.values(*HASHED_FIELDS).get(sequence=2)), "data": {}},
    )
    _raw_sql("UPDATE {table} SET data = %s, hash = %s WHERE sequence = %s", ["{}", forged, 2])

    assert _verify() == (
        1,
        "",
        "Audit-Log verletzt bei Ereignis Nr. 3: falscher vorheriger Hash "
        f"(erwartet {forged}, gespeichert {events[1].hash})\n",
    )


@pytest.mark.django_db
def test_verify_audit_log_deleted_event_is_gap() -> None:
    _record(5)
    _raw_sql("DELETE FROM {table} WHERE sequence = %s", [3])

    assert _verify() == (
        1,
        "",
        "Audit-Log verletzt bei Ereignis Nr. 4: Lücke in der Nummerierung (erwartet Nr. 3)\n",
    )


@pytest.mark.django_db
def test_verify_audit_log_changed_previous_hash() -> None:
    events = _record(3)
    _raw_sql("UPDATE {table} SET previous_hash = %s WHERE sequence = %s", ["d" * 64, 1])

    assert _verify() == (
        1,
        "",
        f"Audit-Log verletzt bei Ereignis Nr. 1: falscher vorheriger Hash (erwartet {GENESIS}, gespeichert {'d' * 64})\n",
    )
    assert events[0].previous_hash == GENESIS
