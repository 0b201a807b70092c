"""``committed.json``: each published proposal's committed version, its published fields in full and
its free texts and private part as hashes; the stand-alone verifier recomputes the sealed version
hash from it and compares the shown fields with ``proposals.json``."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest

from oglabs.proposals.hashing import node_hash
from oglabs.proposals.models import Partner, ProposalVersion
from oglabs.transparency.opendata import write_export
from oglabs.transparency.verify import Difference, disclosed_hash, verify_export, version_hash_from_parts
from tests.factories.opendata import PARTNER_CONTACT, decided_call, seal_versions

pytestmark = pytest.mark.django_db

REGION = "Geheimer Freitext zur Region mit Herrn Beispielmann, nie veröffentlicht."
ROLE = "Rolle im Labor: Frau Musterfrau koordiniert, nie veröffentlicht."


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _update_hashes(directory: Path) -> None:
    """Make manifest and SHA256SUMS match the files again (as a forger would)."""
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    for item in manifest["files"]:
        item["sha256"] = _sha(directory / item["name"])
        item["bytes"] = (directory / item["name"]).stat().st_size
    (directory / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    names = [item["name"] for item in manifest["files"]] + ["manifest.json"]
    (directory / "SHA256SUMS").write_text("".join(f"{_sha(directory / n)}  {n}\n" for n in sorted(names)))


def _sealed_export(tmp_path: Path, *, content_format: int | None = None):
    built = decided_call()
    first = built.proposals[0]
    type(first).objects.filter(pk=first.pk).update(region=REGION, moderation="Moderation durch Dritte.")
    Partner.objects.filter(proposal=first, position=1).update(role_in_lab=ROLE)
    commitment = seal_versions(built, content_format=content_format)
    write_export(built.call, tmp_path)
    document = json.loads((tmp_path / "committed.json").read_text(encoding="utf-8"))
    return built, commitment, document


def test_committed_json_shows_the_published_fields_and_hashes_the_free_texts(tmp_path):
    built, commitment, document = _sealed_export(tmp_path)
    entries = {entry["reference"]: entry for entry in document["proposals"]}
    assert sorted(entries) == sorted(p.reference for p in built.proposals) == list(entries)
    first = built.proposals[0]
    version = ProposalVersion.objects.get(proposal=first)
    entry = entries[first.reference]
    public = version.content["public"]
    assert (entry["commitment"], entry["version_sha256"], entry["content_format"], entry["disclosure"]) == (
        "deadline",
        version.sha256,
        2,
        True,
    )
    assert entry["version_sha256"] == next(
        leaf["version_sha256"] for leaf in commitment.leaves if leaf["reference"] == first.reference
    )
    shown = entry["public"]
    assert shown["title"] == public["title"] == "Offenes Labor 1"
    assert shown["budget"] == public["budget"]
    assert shown["lead_municipality"] == public["lead_municipality"]
    assert shown["region"] == {"$sha256": node_hash(REGION)}
    assert shown["moderation"] == {"$sha256": node_hash("Moderation durch Dritte.")}
    assert shown["tasks"] == {"$sha256": node_hash(public["tasks"])}
    assert shown["partners"][0] == {
        "kind": "civil_society",
        "name": "Bürgerverein 1 e. V.",
        "role_in_lab": {"$sha256": node_hash(ROLE)},
        "cooperation_exists": public["partners"][0]["cooperation_exists"],
        "confirmation": public["partners"][0]["confirmation"],
    }
    assert entry["private"] == {"$sha256": node_hash(version.content["private"])}
    text = (tmp_path / "committed.json").read_text(encoding="utf-8")
    for secret in (REGION, ROLE, "Beispielmann", "Musterfrau", PARTNER_CONTACT.format(n=1), "@"):
        assert secret not in text
    assert verify_export(tmp_path).identical


def test_changed_title_in_committed_json_is_named_even_with_the_manifest_updated(tmp_path):
    _, _, document = _sealed_export(tmp_path)
    entry = document["proposals"][2]
    reference, sealed = entry["reference"], entry["version_sha256"]
    original = entry["public"]["title"]
    entry["public"]["title"] = original + " (geändert)"
    (tmp_path / "committed.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    _update_hashes(tmp_path)
    forged = version_hash_from_parts(disclosed_hash(entry["public"]), disclosed_hash(entry["private"]))
    assert verify_export(tmp_path).differences == [
        Difference("committed.json", reference, "version_sha256", sealed, forged),
        Difference("proposals.json", reference, "title", original, original + " (geändert)"),
    ]


def test_changed_title_in_proposals_json_is_named(tmp_path):
    _, _, document = _sealed_export(tmp_path)
    reference = document["proposals"][4]["reference"]
    original = document["proposals"][4]["public"]["title"]
    path = tmp_path / "proposals.json"
    published = json.loads(path.read_text(encoding="utf-8"))
    row = next(row for row in published["proposals"] if row["reference"] == reference)
    row["title"] = "Ein anderes Labor"
    path.write_text(json.dumps(published, ensure_ascii=False), encoding="utf-8")
    with open(tmp_path / "proposals.csv", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns, rows = list(reader.fieldnames or []), list(reader)
    next(r for r in rows if r["reference"] == reference)["title"] = "Ein anderes Labor"
    with open(tmp_path / "proposals.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)
    _update_hashes(tmp_path)
    assert verify_export(tmp_path).differences == [
        Difference("proposals.json", reference, "title", "Ein anderes Labor", original)
    ]


def test_missing_entry_and_forged_leaf_are_named(tmp_path):
    _, _, document = _sealed_export(tmp_path)
    dropped = document["proposals"].pop(1)
    (tmp_path / "committed.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    _update_hashes(tmp_path)
    assert verify_export(tmp_path).differences == [
        Difference(
            "committed.json",
            dropped["reference"],
            "Eintrag / entry",
            "fehlt / missing",
            "im Fristsiegel / committed",
        )
    ]


def test_old_format_versions_are_checked_by_hash_only(tmp_path):
    _, _, document = _sealed_export(tmp_path, content_format=1)
    entry = document["proposals"][0]
    version = ProposalVersion.objects.get(proposal__reference=entry["reference"])
    assert set(entry) == {
        "reference",
        "commitment",
        "version_sha256",
        "content_format",
        "disclosure",
        "public_sha256",
        "private_sha256",
    }
    assert (entry["content_format"], entry["disclosure"], entry["version_sha256"]) == (
        1,
        False,
        version.sha256,
    )
    assert REGION not in (tmp_path / "committed.json").read_text(encoding="utf-8")
    report = verify_export(tmp_path)
    assert report.identical
    assert any("8 Fassung(en) im alten Inhaltsformat" in note for note in report.notes)
    entry["public_sha256"] = "0" * 64
    (tmp_path / "committed.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    _update_hashes(tmp_path)
    [difference] = verify_export(tmp_path).differences
    assert (difference.file, difference.subject, difference.field, difference.published) == (
        "committed.json",
        entry["reference"],
        "version_sha256",
        version.sha256,
    )
