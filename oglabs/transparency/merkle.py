"""The deadline commitment: a SHA-256 Merkle tree over the handed-in proposals. Pure: no Django.

Format ``oglabs-merkle-v1`` — the Merkle Tree Hash of RFC 6962 (Certificate Transparency, §2.1):

* a **leaf** is one proposal's version at the deadline, ``reference + "\\n" + version_sha256``
  (UTF-8; the reference as published, e.g. ``OGL-2019-007``; the version hash as 64 lower-case
  hex digits, see ``oglabs.proposals.hashing``). Its hash is ``sha256(b"\\x00" + leaf)``;
* leaves are **sorted by reference** (by code point), each reference once;
* an **inner node** is ``sha256(b"\\x01" + left + right)`` over the raw 32-byte hashes;
* level by level, neighbours are paired from the left; an **odd last node is promoted** to the
  next level unchanged (never paired with itself). This is the same tree as RFC 6962's split at
  the largest power of two below the size (a test checks it), so RFC 6962 tools can verify it;
* the **root of the empty tree** is ``sha256(b"")``.

The version hash is ``sha256(canonical_json({"public": sha256(public), "private": sha256(private)}))``:
publishing a proposal's public part with the hash of its private part (never the private part)
and the inclusion proof lets anyone recompute the leaf and the root.

An inclusion proof is the list of sibling hashes from the leaf up, each with the side it sits on.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

FORMAT = "oglabs-merkle-v1"
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
#: The root of a tree without leaves: SHA-256 of the empty string (RFC 6962).
EMPTY_ROOT = hashlib.sha256(b"").hexdigest()

_HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class ProofStep:
    """A sibling on the way from a leaf to the root: ``side`` is where the sibling sits."""

    side: str  # "left" or "right"
    hash: str

    def as_dict(self) -> dict[str, str]:
        return {"side": self.side, "hash": self.hash}

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> ProofStep:
        return cls(side=data["side"], hash=data["hash"])


@dataclass(frozen=True)
class Leaf:
    reference: str
    version_sha256: str
    hash: str

    def as_dict(self) -> dict[str, str]:
        return {"reference": self.reference, "version_sha256": self.version_sha256, "leaf": self.hash}


def _check_hex(value: str, what: str) -> None:
    if not isinstance(value, str) or not _HEX64.fullmatch(value):
        raise ValueError(f"{what} must be 64 lower-case hex digits: {value!r}")


def leaf_hash(reference: str, version_sha256: str) -> str:
    """The hash of one leaf: ``sha256(0x00 || reference "\\n" version_sha256)``, hex."""
    if not reference or "\n" in reference:
        raise ValueError(f"a reference must be non-empty and on one line: {reference!r}")
    _check_hex(version_sha256, "version_sha256")
    data = f"{reference}\n{version_sha256}".encode()
    return hashlib.sha256(LEAF_PREFIX + data).hexdigest()


def node_hash(left: str, right: str) -> str:
    """An inner node: ``sha256(0x01 || left || right)`` over the raw bytes, hex."""
    return hashlib.sha256(NODE_PREFIX + bytes.fromhex(left) + bytes.fromhex(right)).hexdigest()


def build_leaves(items: Iterable[tuple[str, str]]) -> list[Leaf]:
    """Leaves for ``(reference, version_sha256)`` pairs, sorted by reference; duplicates refused."""
    leaves = sorted(
        (Leaf(reference, version, leaf_hash(reference, version)) for reference, version in items),
        key=lambda leaf: leaf.reference,
    )
    for before, after in itertools.pairwise(leaves):
        if before.reference == after.reference:
            raise ValueError(f"reference appears twice: {before.reference!r}")
    return leaves


def _next_level(level: Sequence[str]) -> list[str]:
    paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
    if len(level) % 2:
        paired.append(level[-1])
    return paired


def root(leaf_hashes: Sequence[str]) -> str:
    """The root over leaf hashes (hex) in the given order."""
    for value in leaf_hashes:
        _check_hex(value, "leaf hash")
    if not leaf_hashes:
        return EMPTY_ROOT
    level = list(leaf_hashes)
    while len(level) > 1:
        level = _next_level(level)
    return level[0]


def levels(leaf_hashes: Sequence[str]) -> list[list[str]]:
    """Every level of the tree, leaves first, root last (one level for zero or one leaf)."""
    for value in leaf_hashes:
        _check_hex(value, "leaf hash")
    level = [bytes.fromhex(value) for value in leaf_hashes]
    raw = [level]
    while len(level) > 1:
        paired = [
            hashlib.sha256(NODE_PREFIX + level[i] + level[i + 1]).digest()
            for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
        raw.append(level)
    return [list(leaf_hashes), *([node.hex() for node in nodes] for nodes in raw[1:])]


def proof_from_levels(tree: Sequence[Sequence[str]], index: int) -> list[ProofStep]:
    """The inclusion proof of leaf ``index`` from precomputed ``levels`` (cheap for many proofs)."""
    if not 0 <= index < len(tree[0]):
        raise IndexError(f"no leaf {index} among {len(tree[0])}")
    steps: list[ProofStep] = []
    position = index
    for level in tree[:-1]:
        sibling = position ^ 1
        if sibling < len(level):
            steps.append(ProofStep("left" if sibling < position else "right", level[sibling]))
        # else: the odd last node is promoted; nothing to combine at this level.
        position //= 2
    return steps


def proof(leaf_hashes: Sequence[str], index: int) -> list[ProofStep]:
    """The inclusion proof of the leaf at ``index``: siblings from the bottom up."""
    if not 0 <= index < len(leaf_hashes):
        raise IndexError(f"no leaf {index} among {len(leaf_hashes)}")
    return proof_from_levels(levels(leaf_hashes), index)


def root_from_proof(leaf: str, steps: Sequence[ProofStep]) -> str:
    _check_hex(leaf, "leaf hash")
    current = leaf
    for step in steps:
        _check_hex(step.hash, "proof hash")
        if step.side == "left":
            current = node_hash(step.hash, current)
        elif step.side == "right":
            current = node_hash(current, step.hash)
        else:
            raise ValueError(f"side must be 'left' or 'right': {step.side!r}")
    return current


def verify_proof(leaf: str, steps: Sequence[ProofStep], expected_root: str) -> bool:
    """Whether ``leaf`` (a leaf hash, hex) with ``steps`` leads to ``expected_root``."""
    try:
        return root_from_proof(leaf, steps) == expected_root
    except ValueError:
        return False
