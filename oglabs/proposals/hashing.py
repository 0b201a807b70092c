"""The hash a submission commits to. Pure: no Django.

A version's SHA-256 covers the public and the private part of the content separately:

    sha256(canonical_json({"public": sha256(public), "private": sha256(private)}))

so that, once the public part is published together with the private part's hash, anyone can
check that the published proposal is the one that was submitted, without seeing personal data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oglabs.core.canonical import canonical_json, content_hash, sha256_hex


def part_hashes(content: Mapping[str, Any]) -> dict[str, str]:
    return {"public": content_hash(content["public"]), "private": content_hash(content["private"])}


def version_hash(content: Mapping[str, Any]) -> str:
    return sha256_hex(canonical_json(part_hashes(content)))


def version_hash_from_parts(public_sha256: str, private_sha256: str) -> str:
    return sha256_hex(canonical_json({"public": public_sha256, "private": private_sha256}))
