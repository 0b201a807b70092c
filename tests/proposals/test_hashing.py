"""The version hash in both content formats, the hash tree and selective disclosure (pure)."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from oglabs.core.canonical import canonical_json, content_hash
from oglabs.proposals import hashing
from oglabs.proposals.hashing import disclose, disclosed_hash, node_hash, version_hash
from oglabs.transparency.standalone import verify_decision

EXAMPLES = settings(max_examples=150, deadline=None, derandomize=True)

keys = st.text(min_size=0, max_size=6).filter(lambda key: not key.startswith("$"))
scalars = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.text(max_size=12)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=25,
)


def _paths(value: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Every path into ``value`` (the root included)."""
    result = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            result += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            result += _paths(item, (*prefix, index))
    return result


def _get(value: Any, path: tuple[str | int, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


def _set(value: Any, path: tuple[str | int, ...], new: Any) -> Any:
    if not path:
        return new
    copy = json.loads(json.dumps(value))
    target = _get(copy, path[:-1])
    target[path[-1]] = new
    return copy


@st.composite
def content_and_paths(draw: st.DrawFn) -> tuple[Any, list[tuple[str | int, ...]]]:
    value = draw(json_values)
    paths = _paths(value)
    chosen = draw(st.lists(st.sampled_from(paths), max_size=4))
    return value, chosen


def _content(fmt: int) -> dict[str, Any]:
    return {
        "public": {
            "format": fmt,
            "title": "Labor Nord",
            "region": "Ein langer freier Text über die Region.",
            "budget": [{"year": 2020, "category": "staff", "amount": Decimal("1000.00")}],
        },
        "private": {"partner_contacts": ["kontakt@example.org"]},
    }


def test_version_hash_of_format_1_is_the_old_formula() -> None:
    content = _content(1)
    old = hashlib.sha256(
        canonical_json(
            {"public": content_hash(content["public"]), "private": content_hash(content["private"])}
        )
    ).hexdigest()
    assert version_hash(content) == old


def test_version_hash_of_format_2_is_over_the_node_hashes_of_both_parts() -> None:
    content = _content(2)
    expected = hashlib.sha256(
        canonical_json({"public": node_hash(content["public"]), "private": node_hash(content["private"])})
    ).hexdigest()
    assert version_hash(content) == expected
    assert version_hash(content) != version_hash({**content, "public": {**content["public"], "format": 1}})


def test_version_hash_refuses_an_unknown_format() -> None:
    content = _content(3)
    with pytest.raises(ValueError, match="unknown content format: 3"):
        version_hash(content)


def test_node_hash_encoding_is_fixed() -> None:
    assert node_hash("a") == hashlib.sha256(b's"a"').hexdigest()
    assert node_hash(None) == hashlib.sha256(b"snull").hexdigest()
    assert node_hash(Decimal("1.50")) == hashlib.sha256(b's"1.50"').hexdigest()
    inner = [hashlib.sha256(b"s1").hexdigest(), hashlib.sha256(b"strue").hexdigest()]
    assert (
        node_hash([1, True])
        == hashlib.sha256(b"l" + json.dumps(inner, separators=(",", ":")).encode()).hexdigest()
    )
    assert (
        node_hash({"b": 1, "a": "x"})
        == hashlib.sha256(b"d" + canonical_json({"a": node_hash("x"), "b": node_hash(1)})).hexdigest()
    )


def test_node_hash_separates_scalars_arrays_and_objects() -> None:
    assert len({node_hash([]), node_hash({}), node_hash("[]"), node_hash("{}"), node_hash(None)}) == 5
    assert node_hash(["a"]) != node_hash("a")
    assert node_hash(1) != node_hash("1")


def test_node_hash_refuses_reserved_keys() -> None:
    with pytest.raises(ValueError, match="reserved"):
        node_hash({"$sha256": "0" * 64})


def test_disclosed_hash_refuses_a_malformed_marker() -> None:
    with pytest.raises(ValueError, match="not a withheld subtree"):
        disclosed_hash({"a": {"$sha256": "xyz"}})
    with pytest.raises(ValueError, match="not a withheld subtree"):
        disclosed_hash({"a": {"$sha256": "0" * 64, "b": 1}})


def test_disclose_with_wildcards_withholds_every_item() -> None:
    public = {"partners": [{"name": "A", "role": "lang"}, {"name": "B", "role": "auch lang"}], "t": "x"}
    disclosure = disclose(public, withhold=[("partners", "*", "role")])
    assert disclosure == {
        "partners": [
            {"name": "A", "role": {"$sha256": node_hash("lang")}},
            {"name": "B", "role": {"$sha256": node_hash("auch lang")}},
        ],
        "t": "x",
    }
    assert disclosed_hash(disclosure) == node_hash(public)


def test_disclose_refuses_a_path_that_does_not_exist() -> None:
    with pytest.raises(KeyError):
        disclose({"region": "x"}, withhold=[("regoin",)])
    with pytest.raises(IndexError):
        disclose({"tasks": []}, withhold=[("tasks", 0)])


@EXAMPLES
@given(content_and_paths())
def test_disclosed_hash_of_any_disclosure_is_the_node_hash(case: tuple[Any, list]) -> None:
    value, paths = case
    disclosure = disclose(value, withhold=paths)
    assert disclosed_hash(disclosure) == node_hash(value)
    # The stand-alone verifier's copy of the tree computes the same root.
    assert verify_decision.disclosed_hash(json.loads(json.dumps(disclosure))) == node_hash(value)


@EXAMPLES
@given(content_and_paths(), scalars, st.data())
def test_changing_a_disclosed_value_changes_the_root(
    case: tuple[Any, list], new: Any, data: st.DataObject
) -> None:
    value, paths = case
    disclosure = disclose(value, withhold=paths)
    shown = [
        path
        for path in _paths(disclosure)
        if not isinstance(_get(disclosure, path), dict | list) and hashing.WITHHELD not in path
    ]
    assume(shown)
    path = data.draw(st.sampled_from(shown))
    assume(_get(disclosure, path) != new or type(_get(disclosure, path)) is not type(new))
    changed = _set(disclosure, path, new)
    assert disclosed_hash(changed) != node_hash(value)
