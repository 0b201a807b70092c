"""The demo's decision exported: every entry's sealed version is in ``committed.json`` as a
disclosure (content format 2), and the stand-alone verifier finds the export identical."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from oglabs.calls.models import Call
from oglabs.places.models import District, Municipality, State
from oglabs.places.reference import read_reference
from oglabs.places.services import load_reference_data
from oglabs.proposals.models import ProposalVersion
from oglabs.selection.models import DecisionEntry
from oglabs.transparency.models import DeadlineCommitment
from oglabs.transparency.opendata import write_export
from oglabs.transparency.verify import verify_export

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


def test_demo_export_discloses_every_sealed_version_and_verifies(loaded_places, db, tmp_path: Path) -> None:
    call_command("load_demo", now=LOAD_AT.isoformat(), stdout=StringIO(), stderr=StringIO())
    call = Call.objects.get(slug=SLUG)
    assert set(
        ProposalVersion.objects.filter(proposal__call=call).values_list("content__public__format", flat=True)
    ) == {2}
    [commitment] = DeadlineCommitment.objects.filter(call=call)
    sealed = {leaf["reference"]: leaf["version_sha256"] for leaf in commitment.leaves}
    entries = set(
        DecisionEntry.objects.filter(decision__call=call).values_list("proposal__reference", flat=True)
    )
    write_export(call, tmp_path, allow_unpublished=True)
    document = json.loads((tmp_path / "committed.json").read_text(encoding="utf-8"))
    assert {e["reference"]: e["version_sha256"] for e in document["proposals"]} == {
        reference: sha256 for reference, sha256 in sealed.items() if reference in entries
    }
    # The 33 entries of the decision (of 36 sealed consortia: three were not eligible).
    assert (len(document["proposals"]), len(sealed), entries <= set(sealed)) == (33, 36, True)
    assert {(e["content_format"], e["disclosure"]) for e in document["proposals"]} == {(2, True)}
    report = verify_export(tmp_path)
    assert report.differences == []
    assert report.identical
