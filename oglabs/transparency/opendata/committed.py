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

The disclosure is an allow-list: what is not named here is withheld. The private part (partner
contact addresses) is read to be hashed and never written.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from oglabs.proposals.hashing import (
    FORMAT_WHOLE_PARTS,
    WITHHELD,
    content_format,
    disclose,
    disclosed_hash,
    part_hashes,
    version_hash_from_parts,
    withheld,
)
from oglabs.proposals.models import ProposalVersion
from oglabs.selection.models import DecisionEntry
from oglabs.transparency.models import DeadlineCommitment
from oglabs.transparency.opendata.collect import CHUNK, Context
from oglabs.transparency.opendata.tables import JsonStream, _head

NAME = "committed.json"
#: Top-level fields of the public part shown in full (all published elsewhere in the export).
DISCLOSED = frozenset(
    {
        "format",
        "call",
        "reference",
        "stage",
        "title",
        "lead_municipality",
        "further_municipalities",
        "challenges",
        "lab_form",
        "partners",
        "budget",
        "own_contribution",
        "state_contribution",
    }
)
#: Fields of each partner shown in full (``role_in_lab`` is free text and withheld).
DISCLOSED_PARTNER = frozenset({"kind", "name", "cooperation_exists", "confirmation"})


def withheld_paths(public: Mapping[str, Any]) -> list[tuple[str | int, ...]]:
    """Every path of ``public`` that :data:`DISCLOSED` and :data:`DISCLOSED_PARTNER` do not show."""
    paths: list[tuple[str | int, ...]] = [(key,) for key in sorted(public) if key not in DISCLOSED]
    partners = public.get("partners")
    if isinstance(partners, list):
        keys = sorted({key for partner in partners if isinstance(partner, dict) for key in partner})
        for index, partner in enumerate(partners):
            if not isinstance(partner, dict):
                paths.append(("partners", index))
                continue
            paths += [
                ("partners", index, key) for key in keys if key in partner and key not in DISCLOSED_PARTNER
            ]
    return paths


def committed_entry(
    reference: str, kind: str, version_sha256: str, content: Mapping[str, Any]
) -> dict[str, Any]:
    """The entry of one committed version. ``ValueError`` unless what is written gives the
    committed hash (the same recomputation as the verifier's, so the tree is hashed once)."""
    entry: dict[str, Any] = {"reference": reference, "commitment": kind, "version_sha256": version_sha256}
    fmt = content_format(content)
    entry["content_format"] = fmt
    if fmt == FORMAT_WHOLE_PARTS:
        hashes = part_hashes(content)
        entry.update(disclosure=False, public_sha256=hashes["public"], private_sha256=hashes["private"])
        recomputed = version_hash_from_parts(hashes["public"], hashes["private"])
    else:
        public = disclose(content["public"], withhold=withheld_paths(content["public"]))
        private = withheld(content["private"])
        entry.update(disclosure=True, public=public, private=private)
        recomputed = version_hash_from_parts(disclosed_hash(public), private[WITHHELD])
    if recomputed != version_sha256:
        raise ValueError(f"{reference}: stored content does not match the committed version hash")
    return entry


def _committed_versions(ctx: Context) -> dict[str, tuple[str, str]]:
    """Reference → (commitment kind, version hash) from the latest commitment that holds it."""
    result: dict[str, tuple[str, str]] = {}
    for commitment in DeadlineCommitment.objects.filter(call=ctx.call).order_by("deadline_at", "pk"):
        for leaf in commitment.leaves:
            result[str(leaf["reference"])] = (commitment.kind, str(leaf["version_sha256"]))
    return result


def committed_records(ctx: Context) -> Iterator[dict[str, Any]]:
    """The entries, by reference, in chunks (one query for the contents per chunk)."""
    committed = _committed_versions(ctx)
    references = sorted(
        reference
        for reference in DecisionEntry.objects.filter(decision=ctx.decision).values_list(
            "proposal__reference", flat=True
        )
        if reference in committed
    )
    for start in range(0, len(references), CHUNK):
        chunk = references[start : start + CHUNK]
        contents: dict[tuple[str, str], Any] = {
            (reference, sha256): content
            for reference, sha256, content in ProposalVersion.objects.filter(
                proposal__call=ctx.call,
                proposal__reference__in=chunk,
                sha256__in=[committed[reference][1] for reference in chunk],
            )
            .order_by("proposal__reference", "number")
            .values_list("proposal__reference", "sha256", "content")
        }
        for reference in chunk:
            kind, sha256 = committed[reference]
            yield committed_entry(reference, kind, sha256, contents[(reference, sha256)])


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
