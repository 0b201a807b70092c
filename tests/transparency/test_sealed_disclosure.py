"""The disclosure of each committed version is made once, when the deadline is sealed
(``SealedDisclosure``), and the open-data export only checks it (``disclosed_hash``) instead of
hashing the whole content again; without a usable stored disclosure it falls back to the content."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oglabs.proposals.hashing import disclosed_hash, node_hash, version_hash_from_parts
from oglabs.proposals.models import Partner, ProposalVersion
from oglabs.transparency.disclosure import disclosure_of, follows_allow_list
from oglabs.transparency.models import SealedDisclosure
from oglabs.transparency.opendata import write_export
from oglabs.transparency.verify import verify_export
from tests.factories.opendata import decided_call, seal_versions

pytestmark = pytest.mark.django_db

REGION = "Geheimer Freitext zur Region mit Herrn Beispielmann, nie veröffentlicht."
ROLE = "Rolle im Labor: Frau Musterfrau koordiniert, nie veröffentlicht."


def _sealed(*, content_format: int | None = None):
    built = decided_call()
    first = built.proposals[0]
    type(first).objects.filter(pk=first.pk).update(region=REGION)
    Partner.objects.filter(proposal=first, position=1).update(role_in_lab=ROLE)
    return built, seal_versions(built, content_format=content_format)


def test_commit_deadline_stores_each_leafs_disclosure_giving_its_version_hash():
    built, commitment = _sealed()
    stored = list(SealedDisclosure.objects.filter(commitment=commitment).order_by("reference"))
    assert [row.reference for row in stored] == [leaf["reference"] for leaf in commitment.leaves]
    assert [row.version_sha256 for row in stored] == [leaf["version_sha256"] for leaf in commitment.leaves]
    first = next(row for row in stored if row.reference == built.proposals[0].reference)
    content = ProposalVersion.objects.get(proposal=built.proposals[0]).content
    assert first.public == disclosure_of(content["public"])
    assert first.public["region"] == {"$sha256": node_hash(REGION)}
    assert first.public["partners"][0]["role_in_lab"] == {"$sha256": node_hash(ROLE)}
    assert first.public["title"] == content["public"]["title"]
    assert first.private_sha256 == node_hash(content["private"])
    for row in stored:
        assert version_hash_from_parts(disclosed_hash(row.public), row.private_sha256) == row.version_sha256
        assert follows_allow_list(row.public)


def test_commit_deadline_stores_no_disclosure_for_old_format_versions():
    _built, commitment = _sealed(content_format=1)
    assert commitment.leaf_count == 8
    assert not SealedDisclosure.objects.filter(commitment=commitment).exists()


def test_export_reads_the_stored_disclosures_not_the_versions(tmp_path):
    built, _commitment = _sealed()
    with CaptureQueriesContext(connection) as queries:
        write_export(built.call, tmp_path)
    assert not [q["sql"] for q in queries.captured_queries if "proposals_proposalversion" in q["sql"]]
    assert "sealed_disclosure" not in (tmp_path / "committed.json").read_text(encoding="utf-8")
    assert verify_export(tmp_path).identical


def test_export_without_stored_disclosures_gives_the_same_file(tmp_path):
    built, commitment = _sealed()
    write_export(built.call, tmp_path / "stored")
    SealedDisclosure.objects.filter(commitment=commitment).delete()  # a commitment from before
    with CaptureQueriesContext(connection) as queries:
        write_export(built.call, tmp_path / "computed")
    assert [q for q in queries.captured_queries if "proposals_proposalversion" in q["sql"]]
    stored = (tmp_path / "stored" / "committed.json").read_bytes()
    assert stored == (tmp_path / "computed" / "committed.json").read_bytes()
    assert verify_export(tmp_path / "computed").identical


def test_export_refuses_a_stored_disclosure_that_does_not_give_the_version_hash(tmp_path):
    built, commitment = _sealed()
    row = SealedDisclosure.objects.get(commitment=commitment, reference=built.proposals[0].reference)
    row.public = {**row.public, "title": "Anderer Titel"}
    row.save()
    with pytest.raises(ValueError, match=f"{built.proposals[0].reference}: disclosure does not match"):
        write_export(built.call, tmp_path)


def test_export_discloses_again_when_a_stored_disclosure_shows_a_withheld_field(tmp_path):
    """A stored disclosure showing a field off the allow-list (here the region in full, which
    still gives the version hash) is not written: the disclosure is made again from the content."""
    built, commitment = _sealed()
    reference = built.proposals[0].reference
    row = SealedDisclosure.objects.get(commitment=commitment, reference=reference)
    row.public = {**row.public, "region": REGION}
    row.save()
    assert version_hash_from_parts(disclosed_hash(row.public), row.private_sha256) == row.version_sha256
    write_export(built.call, tmp_path)
    text = (tmp_path / "committed.json").read_text(encoding="utf-8")
    assert REGION not in text
    assert node_hash(REGION) in text
    assert verify_export(tmp_path).identical


def test_follows_allow_list_refuses_more_or_fewer_withheld_fields():
    public = {
        "format": 2,
        "title": "Labor",
        "region": "Text",
        "budget": [{"year": 2020, "category": "staff", "amount": "10.00"}],
        "partners": [{"kind": "science", "name": "Uni", "role_in_lab": "Rolle"}],
    }
    disclosure = disclosure_of(public)
    assert follows_allow_list(disclosure)
    assert not follows_allow_list({**disclosure, "region": "Text"})
    assert not follows_allow_list({**disclosure, "title": {"$sha256": node_hash("Labor")}})
    assert not follows_allow_list({**disclosure, "budget": [{"$sha256": node_hash(public["budget"][0])}]})
    assert not follows_allow_list(
        {**disclosure, "partners": [{**disclosure["partners"][0], "role_in_lab": "R"}]}
    )
    assert not follows_allow_list({**disclosure, "partners": [{"$sha256": node_hash(public["partners"][0])}]})
