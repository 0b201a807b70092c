"""Reading the audit log."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oglabs.audit.queries import events_for_target, latest_events
from oglabs.audit.services import record_event
from tests.factories.accounts import StaffFactory, UserFactory

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_events_for_target_oldest_first_only_that_target() -> None:
    staff = StaffFactory()
    one, other = UserFactory(), UserFactory()
    record_event(actor=staff, action="user.invited", target=one, data={}, now=NOW)
    record_event(actor=staff, action="user.invited", target=other, data={}, now=NOW)
    record_event(actor=staff, action="user.activated", target=one, data={}, now=NOW)

    events = events_for_target(one)

    assert [(event.sequence, event.action) for event in events] == [
        (1, "user.invited"),
        (3, "user.activated"),
    ]


@pytest.mark.django_db
def test_latest_events_newest_first_with_actor_in_one_query() -> None:
    staff = StaffFactory()
    for number in range(5):
        record_event(
            actor=staff,
            action="call.changed",
            target_type="calls.call",
            target_id="1",
            data={"n": number},
            now=NOW,
        )

    with CaptureQueriesContext(connection) as queries:
        shown = [
            (event.sequence, event.actor.email if event.actor else "") for event in latest_events(limit=3)
        ]

    assert shown == [(5, staff.email), (4, staff.email), (3, staff.email)]
    assert len(queries) == 1
