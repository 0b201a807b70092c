"""The hash a submission commits to, and selective disclosure of its content. Pure: no Django.

A version's content is ``{"public": …, "private": …}``; ``public["format"]`` says how its SHA-256
is computed (``queries.CONTENT_FORMAT`` is the format new versions get):

- **format 1** (versions made before the hash tree): one hash per part,
  ``sha256(canonical_json({"public": sha256(canonical_json(public)), "private": sha256(…private)}))``.
  Checking it needs the whole public part, free texts included.
- **format 2**: a hash tree over each part (:func:`node_hash`),
  ``sha256(canonical_json({"public": node_hash(public), "private": node_hash(private)}))``.
  Any subtree can be replaced by its hash (a *disclosure*, :func:`disclose`) and the root is still
  recomputable (:func:`disclosed_hash`): the open data show the published fields in full and the
  free texts and the private part only as hashes, and anyone can check them against the deadline
  commitment.

The tree, exactly (``canonical_json`` as in ``oglabs.core.canonical``: keys sorted, no
whitespace, UTF-8; ``node_hash`` gives 64 lower-case hex digits):

- object: ``sha256(b"d" + canonical_json({key: node_hash(value), …}))``
- array: ``sha256(b"l" + canonical_json([node_hash(item), …]))``
- scalar (``null``, ``true``/``false``, integer, string): ``sha256(b"s" + canonical_json(value))``

The one-byte prefixes separate the three kinds, so no scalar, array or object can have the hash
of another kind of node. Values are normalised first (``Decimal`` and dates become strings, as
they are stored). Keys beginning with ``$`` are reserved: a disclosure marks a withheld subtree as
``{"$sha256": "<hex>"}``, and content with such a key is refused (``ValueError``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from oglabs.core.canonical import JSONValue, canonical_json, content_hash, normalise, sha256_hex

#: The content formats :func:`version_hash` knows.
FORMAT_WHOLE_PARTS = 1
FORMAT_HASH_TREE = 2
#: The key of a withheld subtree in a disclosure.
WITHHELD = "$sha256"
#: In a path of :func:`disclose`: every item of an array (or every value of an object).
EVERY = "*"
_HEX = re.compile(r"[0-9a-f]{64}")

Path = Sequence[str | int]


# ------------------------------------------------------------------------------------------------
# Version hashes


def part_hashes(content: Mapping[str, Any]) -> dict[str, str]:
    """The two part hashes of ``content`` in its own format."""
    if content_format(content) == FORMAT_WHOLE_PARTS:
        return {"public": content_hash(content["public"]), "private": content_hash(content["private"])}
    return {"public": node_hash(content["public"]), "private": node_hash(content["private"])}


def content_format(content: Mapping[str, Any]) -> int:
    """The format of ``content`` (``public["format"]``); ``ValueError`` for an unknown one."""
    value = content["public"].get("format")
    if value not in (FORMAT_WHOLE_PARTS, FORMAT_HASH_TREE) or isinstance(value, bool):
        raise ValueError(f"unknown content format: {value!r}")
    return int(value)


def version_hash(content: Mapping[str, Any]) -> str:
    """The SHA-256 a version of ``content`` is stored and committed with (by its format)."""
    return version_hash_from_parts(**part_hashes(content))


def version_hash_from_parts(public: str, private: str) -> str:
    """The version hash from the hashes of the two parts (the same formula in both formats)."""
    return sha256_hex(canonical_json({"public": public, "private": private}))


# ------------------------------------------------------------------------------------------------
# The hash tree


_string = json.JSONEncoder(ensure_ascii=False).encode
_LITERALS = {None: "null", True: "true", False: "false"}


def _tree(value: JSONValue, *, disclosed: bool) -> str:
    """The hash tree over a normalised value. The canonical JSON of an object or array of hashes
    is written directly (keys sorted as ``canonical_json`` sorts them, every hash a plain ASCII
    string): the same bytes, without normalising each node again."""
    if isinstance(value, dict):
        if disclosed and WITHHELD in value:
            marker = value[WITHHELD]
            if len(value) != 1 or not isinstance(marker, str) or not _HEX.fullmatch(marker):
                raise ValueError(f"not a withheld subtree: {value!r}")
            return marker
        items = []
        for key in sorted(value):
            if key.startswith("$"):
                raise ValueError(f"keys beginning with '$' are reserved: {key!r}")
            items.append(f'{_string(key)}:"{_tree(value[key], disclosed=disclosed)}"')
        return hashlib.sha256(("d{" + ",".join(items) + "}").encode("utf-8")).hexdigest()
    if isinstance(value, list):
        hashes = ",".join(f'"{_tree(item, disclosed=disclosed)}"' for item in value)
        return hashlib.sha256(f"l[{hashes}]".encode()).hexdigest()
    if isinstance(value, float):
        raise TypeError(f"floats are not canonical, use Decimal or str: {value!r}")
    if isinstance(value, str):
        text = _string(value)
    elif value is None or isinstance(value, bool):
        text = _LITERALS[value]
    else:
        text = str(value)  # an int: its JSON is its decimal digits
    return hashlib.sha256(b"s" + text.encode("utf-8")).hexdigest()


def node_hash(value: Any) -> str:
    """The root of the hash tree over ``value`` (any JSON value; normalised first)."""
    return _tree(normalise(value), disclosed=False)


def disclosed_hash(disclosure: Any) -> str:
    """The root of a disclosure: as :func:`node_hash`, a ``{"$sha256": hex}`` counting as its hash.

    ``disclosed_hash(disclose(value, withhold=paths)) == node_hash(value)`` for any paths."""
    return _tree(normalise(disclosure), disclosed=True)


def withheld(value: Any) -> dict[str, str]:
    """``value`` replaced by its hash: ``{"$sha256": node_hash(value)}``."""
    return {WITHHELD: node_hash(value)}


def disclose(content_public: Any, *, withhold: Iterable[Path]) -> JSONValue:
    """``content_public`` with the subtree at each path of ``withhold`` replaced by its hash.

    A path is a sequence of object keys and array indices from the root (``("region",)``,
    ``("partners", 0, "role_in_lab")``); ``"*"`` stands for every item of an array (or every value
    of an object). The empty path withholds everything. A key or index that does not exist raises
    ``KeyError``/``IndexError``, so that a misspelt path never discloses by accident."""
    result = normalise(content_public)
    for path in withhold:
        result = _withhold(result, tuple(path))
    return result


def _withhold(value: JSONValue, path: tuple[str | int, ...]) -> JSONValue:
    if not path:
        if isinstance(value, dict) and WITHHELD in value:
            return value  # already withheld (overlapping paths)
        return {WITHHELD: _tree(value, disclosed=True)}
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        if WITHHELD in value:
            return value  # a parent is withheld already
        if head == EVERY:
            return {key: _withhold(item, rest) for key, item in value.items()}
        if not isinstance(head, str) or head not in value:
            raise KeyError(head)
        return {**value, head: _withhold(value[head], rest)}
    if isinstance(value, list):
        if head == EVERY:
            return [_withhold(item, rest) for item in value]
        if not isinstance(head, int) or isinstance(head, bool) or not -len(value) <= head < len(value):
            raise IndexError(head)
        index = head % len(value)
        return [*value[:index], _withhold(value[index], rest), *value[index + 1 :]]
    raise KeyError(head)
