"""The demo's 2019 call gets its deadline commitment when the demo loads (with the reference data),
over its 36 submitted consortia. (Without the reference data there are no consortia and nothing is
sealed: ``tests/demo/test_load_demo.py`` checks the exact audit events of that load.)"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command

from oglabs.calls.models import Call
from oglabs.places.models import District, Municipality, State
from oglabs.places.reference import read_reference
from oglabs.places.services import load_reference_data
from oglabs.proposals.models import ProposalVersion
from oglabs.transparency import merkle, queries
from oglabs.transparency.models import DeadlineCommitment

LOAD_AT = dt.datetime(2026, 3, 20, 12, 0, tzinfo=dt.UTC)
SLUG = "regionale-open-government-labore-2019"


@pytest.fixture(scope="module")
def loaded_places(django_db_setup, django_db_blocker) -> Iterator[None]:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        load_reference_data(read_reference())
    yield
    with django_db_blocker.unblock():
        Municipality.objects.all().delete()
        District.objects.all().delete()
        State.objects.all().delete()


def _load() -> None:
    call_command("load_demo", now=LOAD_AT.isoformat(), stdout=StringIO(), stderr=StringIO())


def test_demo_2019_call_is_sealed_at_its_deadline_when_the_demo_loads(loaded_places, db):
    _load()
    call = Call.objects.get(slug=SLUG)
    commitment = queries.commitment_for(call)
    assert commitment is not None
    assert (commitment.leaf_count, commitment.created_at) == (36, LOAD_AT)
    versions = sorted(
        ProposalVersion.objects.filter(proposal__call=call).values_list("proposal__reference", "sha256")
    )
    assert commitment.root == merkle.root([merkle.leaf_hash(r, h) for r, h in versions])
    _load()
    assert DeadlineCommitment.objects.count() == 1
