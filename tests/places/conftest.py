"""The full reference data, loaded once per test module (about 11,000 rows, one to a few seconds)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from oglabs.places.models import District, Municipality, State
from oglabs.places.reference import read_reference
from oglabs.places.services import LoadResult, load_reference_data


@pytest.fixture(scope="module")
def loaded_places(django_db_setup, django_db_blocker) -> Iterator[LoadResult]:  # type: ignore[no-untyped-def]
    """Commit the shipped reference data for this module's tests; removed again afterwards."""
    with django_db_blocker.unblock():
        result = load_reference_data(read_reference())
    yield result
    with django_db_blocker.unblock():
        Municipality.objects.all().delete()
        District.objects.all().delete()
        State.objects.all().delete()
