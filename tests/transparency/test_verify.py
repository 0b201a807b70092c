"""Recomputing a published decision from its export: an untouched export is identical; one changed
score is named (with and without the manifest updated); the stand-alone file agrees with the
application's optimiser and aggregation on random instances."""

from __future__ import annotations

import csv
import hashlib
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oglabs.reviews import aggregation
from oglabs.selection import optimiser
from oglabs.transparency import merkle
from oglabs.transparency.opendata import write_export
from oglabs.transparency.standalone import verify_decision as standalone
from oglabs.transparency.verify import Difference, verify_export
from tests.factories.opendata import decided_call, seal_versions

EXAMPLES = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write_rows(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)


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


def _change_one_score(directory: Path) -> tuple[str, str, str, str, dict[str, str]]:
    """Add 1 to one "Machbarkeit" score (below 9: the file keeps its size) of the best selected
    proposal; return (reference, juror, old value, new value, the proposal's old aggregate row)."""
    columns, rows = _rows(directory / "scores.csv")
    _, proposals = _rows(directory / "proposals.csv")
    best = next(p for p in proposals if p["result"] == "selected")
    row = next(
        r
        for r in rows
        if r["reference"] == best["reference"]
        and r["row"] == "review"
        and int(r["criterion:machbarkeit"]) < 9
    )
    old = row["criterion:machbarkeit"]
    row["criterion:machbarkeit"] = str(int(old) + 1)
    _write_rows(directory / "scores.csv", columns, rows)
    aggregate = next(r for r in rows if r["reference"] == best["reference"] and r["row"] == "aggregate")
    return best["reference"], row["juror"], old, row["criterion:machbarkeit"], dict(aggregate)


def _expected_recomputation(
    directory: Path, reference: str, juror: str, old: str, new: str, aggregate: dict[str, str]
) -> list[Difference]:
    _, rows = _rows(directory / "scores.csv")
    review = next(r for r in rows if r["reference"] == reference and r["juror"] == juror)
    reviews = [r for r in rows if r["reference"] == reference and r["row"] == "review"]
    count = len(reviews)
    sums = [Decimal(r["weighted_sum"]) + (1 if r["juror"] == juror else 0) for r in reviews]
    new_score = standalone.quantise(sum(sums, Decimal(0)) / count)
    new_mean = standalone.quantise(Decimal(sum(int(r["criterion:machbarkeit"]) for r in reviews)) / count)
    decision = json.loads((directory / "decision.json").read_text(encoding="utf-8"))
    total = Decimal(decision["result"]["total_score"])
    old_score = aggregate["weighted_sum"]
    return [
        Difference("scores.json", f"{reference}, review, {juror}", "criterion:machbarkeit", old, new),
        Difference("scores.csv", f"{reference}, {juror}", "weighted_sum", review["weighted_sum"], str(Decimal(review["weighted_sum"]) + 1)),
        Difference("scores.csv", f"{reference}, aggregate", "weighted_sum", old_score, str(new_score)),
        Difference("scores.csv", f"{reference}, aggregate", "criterion:machbarkeit", aggregate["criterion:machbarkeit"], str(new_mean)),
        Difference("decision.json", reference, "inputs.proposals.score", old_score, str(new_score)),
        Difference("decision.json", reference, "inputs.candidates.score", old_score, str(new_score)),
        Difference("decision.json", "", "result.total_score", str(total), str(total - Decimal(old_score) + new_score)),
        Difference("proposals.csv", reference, "score", old_score, str(new_score)),
    ]  # fmt: skip


@pytest.mark.django_db
def test_one_changed_score_is_named_with_the_broken_hashes(tmp_path):
    built = decided_call()
    write_export(built.call, tmp_path)
    before = _sha(tmp_path / "scores.csv")
    reference, juror, old, new, aggregate = _change_one_score(tmp_path)
    report = verify_export(tmp_path)
    after = _sha(tmp_path / "scores.csv")
    assert report.differences == [
        Difference("manifest.json", "scores.csv", "sha256", before, after),
        Difference("SHA256SUMS", "scores.csv", "sha256", before, after),
        *_expected_recomputation(tmp_path, reference, juror, old, new, aggregate),
    ]
    lines = report.lines()
    assert lines[0] == f"{len(report.differences)} Abweichungen / {len(report.differences)} differences:"
    assert (
        f"- scores.csv: {reference}, {juror}, weighted_sum: veröffentlicht/published "
        f"{report.differences[3].published}, nachgerechnet/recomputed {report.differences[3].recomputed}"
    ) in lines


@pytest.mark.django_db
def test_one_changed_score_is_named_by_the_recomputation_when_the_hashes_are_forged(tmp_path):
    built = decided_call()
    write_export(built.call, tmp_path)
    reference, juror, old, new, aggregate = _change_one_score(tmp_path)
    _update_hashes(tmp_path)
    report = verify_export(tmp_path)
    assert report.differences == _expected_recomputation(tmp_path, reference, juror, old, new, aggregate)


@pytest.mark.django_db
def test_a_changed_granted_amount_is_named_exactly(tmp_path):
    built = decided_call()
    write_export(built.call, tmp_path)
    columns, rows = _rows(tmp_path / "proposals.csv")
    row = next(r for r in rows if r["result"] == "selected")
    published = row["granted_amount"]
    row["granted_amount"] = "999999.00"
    _write_rows(tmp_path / "proposals.csv", columns, rows)
    document = json.loads((tmp_path / "proposals.json").read_text(encoding="utf-8"))
    next(p for p in document["proposals"] if p["reference"] == row["reference"])["granted_amount"] = (
        "999999.00"
    )
    (tmp_path / "proposals.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    _update_hashes(tmp_path)
    assert verify_export(tmp_path).differences == [
        Difference("proposals.csv", row["reference"], "granted_amount", "999999.00", published)
    ]


@pytest.mark.django_db
def test_verify_command_says_identical_or_names_the_difference(tmp_path, capsys):
    built = decided_call()
    write_export(built.call, tmp_path)
    call_command("verify_decision", str(tmp_path))
    assert capsys.readouterr().out.strip() == "identisch / identical"
    _change_one_score(tmp_path)
    with pytest.raises(SystemExit) as exited:
        call_command("verify_decision", str(tmp_path))
    assert exited.value.code == 1
    out = capsys.readouterr().out
    assert "scores.csv" in out and "weighted_sum" in out
    (tmp_path / "decision.json").unlink()
    with pytest.raises(SystemExit) as broken:
        call_command("verify_decision", str(tmp_path))
    assert broken.value.code == 2
    assert "decision.json fehlt / is missing" in capsys.readouterr().err


@pytest.mark.django_db
def test_deadline_commitment_root_is_recomputed_from_the_published_leaves(tmp_path):
    built = decided_call()
    sealed = seal_versions(built)
    leaves = merkle.build_leaves((leaf["reference"], leaf["version_sha256"]) for leaf in sealed.leaves)
    write_export(built.call, tmp_path)
    assert verify_export(tmp_path).identical
    document = json.loads((tmp_path / "decision.json").read_text(encoding="utf-8"))
    commitment = document["deadline_commitments"][0]
    assert (commitment["root"], commitment["leaf_count"]) == (merkle.root([leaf.hash for leaf in leaves]), 8)
    forged = "0" * 64
    commitment["leaves"][2]["version_sha256"] = forged
    (tmp_path / "decision.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    _update_hashes(tmp_path)
    reference = commitment["leaves"][2]["reference"]
    assert verify_export(tmp_path).differences == [
        Difference(
            "decision.json",
            reference,
            "deadline_commitments.deadline.leaf",
            leaves[2].hash,
            merkle.leaf_hash(reference, forged),
        ),
        Difference(
            "decision.json",
            "",
            "deadline_commitments.deadline.root",
            merkle.root([leaf.hash for leaf in leaves]),
            merkle.root(
                [
                    *(leaf.hash for leaf in leaves[:2]),
                    merkle.leaf_hash(reference, forged),
                    *(leaf.hash for leaf in leaves[3:]),
                ]
            ),
        ),
        # The version in committed.json is no longer the one the (forged) leaf names.
        Difference(
            "committed.json",
            reference,
            "deadline_commitments.deadline.version_sha256",
            forged,
            sealed.leaves[2]["version_sha256"],
        ),
    ]


# --------------------------------------------------------------------------------------------------
# The stand-alone copy agrees with the application's pure modules


@st.composite
def instances(draw: st.DrawFn) -> tuple[list[optimiser.Candidate], optimiser.Rules]:
    n = draw(st.integers(0, 8))
    candidates = [
        optimiser.Candidate(
            id=f"P{i}",
            score=Decimal(draw(st.integers(0, 400))) / draw(st.sampled_from([1, 4, 10000])),
            requested=Decimal(draw(st.integers(1, 30)) * 10_000),
            state_key=draw(st.sampled_from(["01", "02", "03"])),
            rural=draw(st.booleans()),
            tie_rank=draw(st.integers(0, 5)),
        )
        for i in range(n)
    ]
    rules = optimiser.Rules(
        budget=Decimal(draw(st.integers(0, 120)) * 5_000),
        max_labs=draw(st.integers(0, 5)),
        max_per_state=draw(st.none() | st.integers(1, 3)),
        min_rural_share=draw(st.none() | st.sampled_from([Decimal("0.5"), Decimal("0.25"), Decimal(1)])),
        min_score=draw(st.none() | st.sampled_from([Decimal(10), Decimal("25.5")])),
        min_funding_share=draw(st.none() | st.sampled_from([Decimal("0.5"), Decimal("0.8")])),
    )
    return candidates, rules


@EXAMPLES
@given(instances())
def test_standalone_selection_equals_the_optimiser(instance):
    candidates, rules = instance
    expected = optimiser.optimise(candidates, rules, explain_top=0)
    got = standalone.select(
        [
            standalone.Candidate(c.id, Decimal(c.score), c.requested, c.state_key, c.rural, c.tie_rank)
            for c in candidates
        ],
        standalone.Rules(**{name: getattr(rules, name) for name in optimiser.Rules.__dataclass_fields__}),
    )
    assert got.selected == tuple((grant.id, grant.granted) for grant in expected.selected)
    assert got.waitlist == expected.waitlist
    assert (got.total_score, got.total_granted) == (expected.total_score, expected.total_granted)
    assert (got.status, got.proven_optimal, got.unique) == (
        expected.status.value,
        expected.proven_optimal,
        expected.unique,
    )
    ineligible = {
        cid: e.reasons[0].code.value
        for cid, e in expected.explanations.items()
        if cid not in expected.waitlist
    }
    assert got.ineligible == {cid: code for cid, code in ineligible.items() if code != "reduced"}


reviews_strategy = st.lists(
    st.tuples(st.sampled_from("ABCDE"), st.sampled_from(["J1", "J2", "J3", "J4"]), st.integers(0, 4000)),
    max_size=25,
    unique_by=lambda item: (item[0], item[1]),
)


@EXAMPLES
@given(reviews_strategy, st.sampled_from(["mean", "median"]), st.booleans())
def test_standalone_aggregation_equals_the_aggregation_module(items, method, normalised):
    app = [aggregation.Review(p, j, Decimal(v) / 100) for p, j, v in items]
    copy = [standalone.Review(p, j, Decimal(v) / 100) for p, j, v in items]
    assert standalone.aggregate(copy, method=method, normalised=normalised) == aggregation.aggregate(
        app, method=method, normalised=normalised
    )
    assert [r.total for r in standalone.normalise(copy)] == [r.total for r in aggregation.normalise(app)]


@EXAMPLES
@given(
    st.dictionaries(st.sampled_from(["a", "b", "c"]), st.integers(-1, 11)),
    st.lists(st.sampled_from(["0.50", "1.00", "2.25"]), min_size=3, max_size=3),
)
def test_standalone_weighted_sum_equals_the_aggregation_module(scores, weights):
    app = [aggregation.Criterion(k, Decimal(w)) for k, w in zip("abc", weights, strict=True)]
    copy = [standalone.Criterion(k, Decimal(w)) for k, w in zip("abc", weights, strict=True)]
    try:
        expected: Decimal | str = aggregation.weighted_sum(scores, app)
    except aggregation.ScoringError as error:
        expected = str(error)
    try:
        got: Decimal | str = standalone.weighted_sum(scores, copy)
    except standalone.ScoringError as error:
        got = str(error)
    assert got == expected
