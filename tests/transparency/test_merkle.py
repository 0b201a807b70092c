"""The deadline commitment tree: known vectors, RFC 6962 equivalence, proofs for every leaf,
tampering detected."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oglabs.transparency import merkle
from oglabs.transparency.merkle import ProofStep

EXAMPLES = settings(max_examples=80, deadline=None, derandomize=True)

A = merkle.leaf_hash("OGL-2019-001", "0" * 64)
B = merkle.leaf_hash("OGL-2019-002", "f" * 64)
C = merkle.leaf_hash("OGL-2019-003", "a" * 64)


def _rfc6962(leaves: list[str]) -> str:
    """RFC 6962 §2.1 Merkle Tree Hash, written independently from the module (recursive split)."""
    if not leaves:
        return hashlib.sha256(b"").hexdigest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    left, right = _rfc6962(leaves[:k]), _rfc6962(leaves[k:])
    return hashlib.sha256(b"\x01" + bytes.fromhex(left) + bytes.fromhex(right)).hexdigest()


def _leaves(n: int) -> list[str]:
    return [
        merkle.leaf_hash(f"OGL-2019-{i:03d}", hashlib.sha256(str(i).encode()).hexdigest()) for i in range(n)
    ]


def test_leaf_hash_is_sha256_of_prefix_reference_and_version():
    assert hashlib.sha256(b"\x00OGL-2019-001\n" + b"0" * 64).hexdigest() == A
    assert A == "a0b49fb4e6412803b98214cb1c514a6b84402e50b6e5343422ac88a2e4bc4795"


def test_root_known_vectors():
    assert merkle.root([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert merkle.root([A]) == A
    assert merkle.root([A, B]) == hashlib.sha256(b"\x01" + bytes.fromhex(A) + bytes.fromhex(B)).hexdigest()
    assert merkle.root([A, B]) == "cbd366600b678f60567d46fa1b9c4710246f53cd393f1600113397b2d3522c94"
    # Three leaves: the odd third is promoted, not paired with itself.
    assert merkle.root([A, B, C]) == merkle.node_hash(merkle.node_hash(A, B), C)
    assert merkle.root([A, B, C]) == "c0bc374ea10ff9b5af75ea5a6e8462d1f3688e9f0a85d005d9fb294e80d48980"
    assert merkle.root([A, B, C]) != merkle.root([A, B, C, C])


@EXAMPLES
@given(st.integers(min_value=0, max_value=70))
def test_root_equals_rfc6962_tree_hash(n):
    leaves = _leaves(n)
    assert merkle.root(leaves) == _rfc6962(leaves)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 17, 33])
def test_proof_verifies_for_every_leaf(n):
    leaves = _leaves(n)
    root = merkle.root(leaves)
    for index, leaf in enumerate(leaves):
        steps = merkle.proof(leaves, index)
        assert merkle.verify_proof(leaf, steps, root)
        assert len(steps) <= max(1, (n - 1).bit_length())


@pytest.mark.parametrize("n", [2, 3, 5, 8])
def test_proof_fails_for_a_tampered_leaf_a_tampered_step_or_another_root(n):
    leaves = _leaves(n)
    root = merkle.root(leaves)
    for index, leaf in enumerate(leaves):
        steps = merkle.proof(leaves, index)
        tampered = merkle.leaf_hash(f"OGL-2019-{index:03d}", "1" * 64)
        assert not merkle.verify_proof(tampered, steps, root)
        flipped = [ProofStep("left" if s.side == "right" else "right", s.hash) for s in steps]
        assert not merkle.verify_proof(leaf, flipped, root)
        changed = [ProofStep(steps[0].side, "0" * 64), *steps[1:]]
        assert not merkle.verify_proof(leaf, changed, root)
        assert not merkle.verify_proof(leaf, steps, merkle.root(leaves[:-1]))


def test_changing_any_leaf_changes_the_root():
    leaves = _leaves(9)
    root = merkle.root(leaves)
    for index in range(9):
        changed = list(leaves)
        changed[index] = merkle.leaf_hash("OGL-2019-999", "0" * 64)
        assert merkle.root(changed) != root


def test_build_leaves_sorts_by_reference_and_refuses_duplicates():
    leaves = merkle.build_leaves([("OGL-2019-002", "f" * 64), ("OGL-2019-001", "0" * 64)])
    assert [leaf.reference for leaf in leaves] == ["OGL-2019-001", "OGL-2019-002"]
    assert [leaf.hash for leaf in leaves] == [A, B]
    assert leaves[0].as_dict() == {"reference": "OGL-2019-001", "version_sha256": "0" * 64, "leaf": A}
    with pytest.raises(ValueError, match="twice"):
        merkle.build_leaves([("OGL-2019-001", "0" * 64), ("OGL-2019-001", "f" * 64)])


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        merkle.leaf_hash("OGL-2019-001", "ABC")
    with pytest.raises(ValueError):
        merkle.leaf_hash("OGL\n2019", "0" * 64)
    with pytest.raises(ValueError):
        merkle.root(["xyz"])
    with pytest.raises(IndexError):
        merkle.proof([A], 1)
    assert merkle.proof([A], 0) == []
    assert merkle.verify_proof(A, [], A)
    assert not merkle.verify_proof(A, [ProofStep("up", B)], A)
    assert ProofStep.from_dict(ProofStep("left", B).as_dict()) == ProofStep("left", B)


def test_proofs_from_precomputed_levels_equal_single_proofs():
    leaves = _leaves(13)
    tree = merkle.levels(leaves)
    assert tree[-1] == [merkle.root(leaves)]
    assert [merkle.proof_from_levels(tree, i) for i in range(13)] == [
        merkle.proof(leaves, i) for i in range(13)
    ]
    assert merkle.levels([]) == [[]]
