"""``committed.json``: each published proposal's committed version, disclosed as far as published.

For every entry of the decision whose proposal is a leaf of a deadline commitment (the latest
commitment that holds it), the version committed there (``version_sha256`` of the leaf):

- **content format 2** (a hash tree per part, ``proposals.hashing``): the public part as a
  *disclosure* — the fields published elsewhere in the export (:data:`DISCLOSED`, and of each
  partner :data:`DISCLOSED_PARTNER`) in full, every other field (the free texts: region,
  moderation, the partners' roles, the tasks, and any field a later format adds) replaced by
  ``{"$sha256": node_hash(value)}`` — and the private part only as its hash. ``verify_decision.py``
  recomputes the version hash from it and compares the shown fields with ``proposals.json``.
- **content format 1** (one hash per part): only the two part hashes, ``"disclosure": false``;
  the verifier then checks only that they give the committed version hash.

The disclosure is an allow-list (``transparency.disclosure``): what is not named there is
withheld. The private part (partner contact addresses) is read to be hashed and never written.

The disclosure of a format-2 version is made once, when the deadline is sealed
(``SealedDisclosure``); here it is only checked — it must withhold exactly what the allow-list
withholds today (``follows_allow_list``) and give the committed version hash
(``disclosed_hash``, cheap: a withheld subtree is one hash). For a leaf without a stored
disclosure (a commitment made before they were stored, a version of format 1) or one that no
longer follows the allow-list, the disclosure is computed from the version's stored content, as
before (the whole tree hashed).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from oglabs.proposals.hashing import (
    FORMAT_WHOLE_PARTS,
    WITHHELD,
    content_format,
    disclosed_hash,
    part_hashes,
    version_hash_from_parts,
    withheld,
)
from oglabs.proposals.models import ProposalVersion
from oglabs.selection.models import DecisionEntry
from oglabs.transparency.disclosure import (
    DISCLOSED,
    DISCLOSED_PARTNER,
    disclosure_of,
    follows_allow_list,
    withheld_paths,
)
from oglabs.transparency.models import DeadlineCommitment, SealedDisclosure
from oglabs.transparency.opendata.collect import CHUNK, Context
from oglabs.transparency.opendata.tables import JsonStream, _head

__all__ = ["DISCLOSED", "DISCLOSED_PARTNER", "NAME", "committed_entry", "withheld_paths", "write_committed"]

NAME = "committed.json"


def committed_entry(
    reference: str, kind: str, version_sha256: str, content: Mapping[str, Any]
) -> dict[str, Any]:
    """The entry of one committed version, from its stored content. ``ValueError`` unless what is
    written gives the committed hash (the same recomputation as the verifier's, so the tree is
    hashed once)."""
    fmt = content_format(content)
    if fmt == FORMAT_WHOLE_PARTS:
        entry: dict[str, Any] = {"reference": reference, "commitment": kind, "version_sha256": version_sha256}
        hashes = part_hashes(content)
        entry.update(
            content_format=fmt,
            disclosure=False,
            public_sha256=hashes["public"],
            private_sha256=hashes["private"],
        )
        if version_hash_from_parts(hashes["public"], hashes["private"]) != version_sha256:
            raise ValueError(f"{reference}: stored content does not match the committed version hash")
        return entry
    private = withheld(content["private"])
    return disclosed_entry(
        reference, kind, version_sha256, disclosure_of(content["public"]), private[WITHHELD]
    )


def disclosed_entry(
    reference: str, kind: str, version_sha256: str, public: Any, private_sha256: str
) -> dict[str, Any]:
    """The entry of a format-2 version from its disclosure (stored at sealing or just made).
    ``ValueError`` unless the disclosure gives the committed version hash."""
    entry: dict[str, Any] = {
        "reference": reference,
        "commitment": kind,
        "version_sha256": version_sha256,
        "content_format": content_format({"public": public}),
        "disclosure": True,
        "public": public,
        "private": {WITHHELD: private_sha256},
    }
    if version_hash_from_parts(disclosed_hash(public), private_sha256) != version_sha256:
        raise ValueError(f"{reference}: disclosure does not match the committed version hash")
    return entry


def _committed_versions(ctx: Context) -> dict[str, tuple[str, str, int]]:
    """Reference → (commitment kind, version hash, commitment id) from the latest commitment that
    holds it."""
    result: dict[str, tuple[str, str, int]] = {}
    for commitment in DeadlineCommitment.objects.filter(call=ctx.call).order_by("deadline_at", "pk"):
        for leaf in commitment.leaves:
            result[str(leaf["reference"])] = (commitment.kind, str(leaf["version_sha256"]), commitment.pk)
    return result


def committed_records(ctx: Context) -> Iterator[dict[str, Any]]:
    """The entries, by reference, in chunks (one query for the stored disclosures per chunk, one
    for the contents of those without a usable one)."""
    committed = _committed_versions(ctx)
    references = sorted(
        reference
        for reference in DecisionEntry.objects.filter(decision=ctx.decision).values_list(
            "proposal__reference", flat=True
        )
        if reference in committed
    )
    commitments = sorted({commitment for _kind, _sha256, commitment in committed.values()})
    for start in range(0, len(references), CHUNK):
        chunk = references[start : start + CHUNK]
        entries: dict[str, dict[str, Any]] = {}
        for commitment, reference, sha256, public, private_sha256 in (
            SealedDisclosure.objects.filter(commitment_id__in=commitments, reference__in=chunk)
            .order_by("reference", "pk")
            .values_list("commitment_id", "reference", "version_sha256", "public", "private_sha256")
        ):
            kind, committed_sha256, holder = committed[reference]
            if holder == commitment and sha256 == committed_sha256 and follows_allow_list(public):
                entries[reference] = disclosed_entry(reference, kind, sha256, public, private_sha256)
        missing = [reference for reference in chunk if reference not in entries]
        if missing:
            contents: dict[tuple[str, str], Any] = {
                (reference, sha256): content
                for reference, sha256, content in ProposalVersion.objects.filter(
                    proposal__call=ctx.call,
                    proposal__reference__in=missing,
                    sha256__in=[committed[reference][1] for reference in missing],
                )
                .order_by("proposal__reference", "number")
                .values_list("proposal__reference", "sha256", "content")
            }
            for reference in missing:
                kind, sha256, _commitment = committed[reference]
                entries[reference] = committed_entry(reference, kind, sha256, contents[(reference, sha256)])
        for reference in chunk:
            yield entries[reference]


def write_committed(ctx: Context, directory: Path) -> int:
    """``committed.json`` (one entry per line); returns the number of entries."""
    count = 0
    with open(directory / NAME, "w", encoding="utf-8", newline="\n") as handle:
        stream = JsonStream(handle, _head(ctx), "proposals")
        for entry in committed_records(ctx):
            stream.add(entry)
            count += 1
        stream.close()
    return count
