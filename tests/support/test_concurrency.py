"""A workshop never exceeds its capacity under concurrent registration (threads, real database:
a file on SQLite with IMMEDIATE transactions, row locks on PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from oglabs.support import services
from oglabs.support.models import Registration, RegistrationStatus, WorkshopInvitation
from tests.factories.accounts import StaffFactory
from tests.factories.proposals import NOW, CallFactory
from tests.support.conftest import consortium, workshop_data

THREADS = 10
CAPACITY = 3


@pytest.mark.django_db(transaction=True)
def test_register_attendee_concurrently_never_exceeds_capacity():
    call = CallFactory()
    staff = StaffFactory()
    workshop = services.create_workshop(call, actor=staff, data=workshop_data(capacity=CAPACITY), now=NOW)
    proposals = [consortium(call, f"lead{n}@example.org") for n in range(THREADS)]
    for proposal in proposals:
        WorkshopInvitation.objects.create(
            workshop=workshop, proposal=proposal, invited_at=NOW, invited_by=staff
        )
    actors = [proposal.members.get().user for proposal in proposals]
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def register(n: int) -> None:
        try:
            barrier.wait()
            services.register_attendee(
                workshop, proposal=proposals[n], actor=actors[n], name=f"Person {n}", now=NOW
            )
        except BaseException as error:  # collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    registered = Registration.objects.filter(workshop=workshop, status=RegistrationStatus.REGISTERED).count()
    positions = sorted(
        Registration.objects.filter(workshop=workshop, status=RegistrationStatus.WAITLISTED).values_list(
            "waitlist_position", flat=True
        )
    )
    assert registered == CAPACITY
    assert positions == list(range(1, THREADS - CAPACITY + 1))
