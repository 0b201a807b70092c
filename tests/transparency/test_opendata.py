"""The open-data export: every file, what is in it (exactly), what is never in it, determinism,
the refusal for unpublished decisions, and the command."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from oglabs.selection.models import DecisionEntry, Outcome
from oglabs.transparency.opendata import FILES, NoDecision, NotPublished, write_export
from oglabs.transparency.opendata.export import SCRIPT_SOURCE
from oglabs.transparency.verify import verify_export
from tests.factories.opendata import PARTNER_CONTACT, PUBLISHED_AT, decided_call
from tests.factories.proposals import CallFactory

pytestmark = pytest.mark.django_db


def _csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_export_writes_every_file_and_an_untouched_export_verifies(tmp_path):
    built = decided_call()
    export = write_export(built.call, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(FILES)
    assert (export.proposals, export.reviews, export.published) == (8, 23, True)
    report = verify_export(tmp_path)
    assert report.differences == []
    assert report.lines() == ["identisch / identical"]


def test_proposals_csv_has_one_row_per_entry_in_the_published_ranking(tmp_path):
    built = decided_call()
    write_export(built.call, tmp_path)
    rows = _csv(tmp_path / "proposals.csv")
    entries = list(DecisionEntry.objects.filter(decision=built.decision).order_by("rank"))
    assert [row["reference"] for row in rows] == [e.proposal.reference for e in entries]
    assert [row["rank"] for row in rows] == [str(n) for n in range(1, 9)]
    first = next(e for e in entries if e.outcome == Outcome.SELECTED)
    row = next(r for r in rows if r["reference"] == first.proposal.reference)
    proposal = first.proposal
    lead = proposal.lead_municipality
    number = int(proposal.reference[-4:])
    assert row == {
        "reference": proposal.reference,
        "title": f"Offenes Labor {number}",
        "lead_municipality": f"Gemeinde {number}",
        "lead_municipality_ars": lead.ars,
        "lead_municipality_kind": "gemeinde",
        "land": lead.state.name,
        "land_ars": lead.state.ars,
        "further_municipalities": f"Nachbargemeinde {number} ({lead.ars[:5]}{int(lead.ars[5:]) + 500:07d})",
        "partners": f"Bürgerverein {number} e. V. (civil_society); Hochschule Beispielstadt (science)",
        "challenges": proposal.challenges.get().label,
        "requested_amount": str(first.requested_amount),
        "own_contribution": f"{1000 * number}.00",
        "state_contribution": "500.00" if number % 2 == 0 else "0.00",
        "score": str(first.score),
        "result": "selected",
        "rank": str(first.rank),
        "granted_amount": str(first.granted_amount),
        "waitlist_position": "",
        "explanation": first.explanation,
        "reason": f"Begründung für {proposal.reference}: Ansprechpartnerin [geschwärzt].",
    }
    twins = json.loads((tmp_path / "proposals.json").read_text(encoding="utf-8"))
    twin = next(p for p in twins["proposals"] if p["reference"] == first.proposal.reference)
    assert twin["partners"] == [
        {"name": f"Bürgerverein {number} e. V.", "kind": "civil_society"},
        {"name": "Hochschule Beispielstadt", "kind": "science"},
    ]
    assert (twin["rank"], twin["waitlist_position"], twin["granted_amount"]) == (
        first.rank,
        None,
        str(first.granted_amount),
    )
    waitlisted = [r for r in rows if r["result"] == "waitlisted"]
    assert [r["waitlist_position"] for r in waitlisted] == ["1", "2", "3"]
    assert {r["granted_amount"] for r in rows if r["result"] != "selected"} == {"0.00"}


def test_scores_name_jurors_only_by_pseudonym_and_leave_out_void_and_draft_reviews(tmp_path):
    built = decided_call()
    write_export(built.call, tmp_path)
    rows = _csv(tmp_path / "scores.csv")
    assert list(rows[0]) == [
        "reference",
        "row",
        "juror",
        "criterion:relevanz",
        "criterion:beteiligung",
        "criterion:machbarkeit",
        "weighted_sum",
        "normalised",
    ]
    reviews = [r for r in rows if r["row"] == "review"]
    assert {r["juror"] for r in reviews} == {"J1", "J2", "J3", "J4"}
    first = built.proposals[0].reference
    # Jurors 1–3 reviewed the first proposal; juror 4's review is void (declared conflict).
    assert [r["juror"] for r in reviews if r["reference"] == first] == ["J1", "J2", "J3"]
    last = built.proposals[-1].reference  # its third review is a draft
    assert len([r for r in reviews if r["reference"] == last]) == 2
    aggregates = {r["reference"]: r for r in rows if r["row"] == "aggregate"}
    entry = DecisionEntry.objects.get(decision=built.decision, proposal=built.proposals[0])
    assert aggregates[first]["weighted_sum"] == str(entry.score)
    one = reviews[0]
    weighted = (
        Decimal("2.00") * int(one["criterion:relevanz"])
        + Decimal("1.50") * int(one["criterion:beteiligung"])
        + Decimal("1.00") * int(one["criterion:machbarkeit"])
    )
    assert Decimal(one["weighted_sum"]) == weighted


def test_export_contains_no_personal_data(tmp_path):
    built = decided_call()
    for proposal in built.proposals:
        member = proposal.members.get()
        member.user.first_name, member.user.last_name = "Heinrich", "Geheimnisträger"
        member.user.save()
    for seat in built.call.jurors.all():
        seat.user.first_name, seat.user.last_name = "Juliane", "Jurorengeheim"
        seat.user.save()
    write_export(built.call, tmp_path)
    planted = [
        "Geheimnisträger",
        "Jurorengeheim",
        "Erika Musterfrau",  # in every original reason; only the redacted text is published
        "Interner Kommentar",  # review comments
        "Nicht öffentlich",  # score comments
        "Ich berate die Gemeinde",  # the conflict's reason
        "@example.org",  # every user's e-mail address
        PARTNER_CONTACT.format(n=1),  # a partner's contact address
        "verein.example",
    ]
    for name in FILES:
        content = (tmp_path / name).read_text(encoding="utf-8")
        for marker in planted:
            assert marker not in content, (name, marker)


def test_export_is_byte_identical_when_repeated(tmp_path):
    built = decided_call()
    first = write_export(built.call, tmp_path / "a")
    second = write_export(built.call, tmp_path / "b")
    assert first.files == second.files
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_export_copies_the_standalone_script_verbatim(tmp_path):
    built = decided_call()
    write_export(built.call, tmp_path)
    assert (tmp_path / "verify_decision.py").read_bytes() == SCRIPT_SOURCE.read_bytes()


def test_manifest_and_checksums_list_every_file(tmp_path):
    import hashlib

    built = decided_call()
    write_export(built.call, tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    listed = [item["name"] for item in manifest["files"]]
    assert listed == [name for name in FILES if name not in ("manifest.json", "SHA256SUMS")]
    for item in manifest["files"]:
        data = (tmp_path / item["name"]).read_bytes()
        assert (item["sha256"], item["bytes"]) == (hashlib.sha256(data).hexdigest(), len(data))
    sums = (tmp_path / "SHA256SUMS").read_text(encoding="ascii").splitlines()
    assert [line.split("  ")[1] for line in sums] == sorted([*listed, "manifest.json"])
    for line in sums:
        digest, name = line.split("  ")
        assert hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() == digest


def test_decision_json_carries_the_runs_inputs_rules_and_result(tmp_path):
    built = decided_call()
    write_export(built.call, tmp_path)
    document = json.loads((tmp_path / "decision.json").read_text(encoding="utf-8"))
    run = built.decision.run
    assert document["format"] == "oglabs-open-data/1"
    assert document["rules"] == run.parameters
    assert document["inputs"] == {
        "candidates": run.inputs["candidates"],
        "excluded": run.inputs["excluded"],
        "proposals": run.inputs["proposals"],
    }
    assert document["result"] == run.result
    assert document["criteria"] == run.aggregation["criteria"]
    assert document["aggregation"] == {
        "method": "mean",
        "normalised": False,
        "places": 4,
        "reviews_per_proposal": 3,
        "max_score": "45.00",
    }
    assert document["decision"]["code_version"] == run.code_version
    assert document["decision"]["solver_version"] == run.solver_version
    assert document["decision"]["published_at"] == PUBLISHED_AT.isoformat()
    assert document["jury"] == {
        "members": 4,
        "organisations": [
            {"organisation": "Bertelsmann Stiftung", "members": 1},
            {"organisation": "Deutscher Landkreistag", "members": 2},
            {"organisation": "Deutscher Städtetag", "members": 1},
        ],
        "conflicts_declared": 1,
        "conflicts_detected": 0,
    }


def test_export_refuses_an_unpublished_decision_and_writes_nothing(tmp_path):
    built = decided_call(published=False)
    with pytest.raises(NotPublished) as refused:
        write_export(built.call, tmp_path / "out")
    assert "keine Förderentscheidung veröffentlicht" in str(refused.value)
    assert not (tmp_path / "out").exists()
    with pytest.raises(NoDecision):
        write_export(CallFactory(), tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_unpublished_export_for_staff_tests_leaves_every_reason_out(tmp_path):
    built = decided_call(published=False)
    export = write_export(built.call, tmp_path, allow_unpublished=True)
    assert export.published is False
    rows = _csv(tmp_path / "proposals.csv")
    assert {row["reason"] for row in rows} == {""}
    assert "Begründung für" not in (tmp_path / "proposals.json").read_text(encoding="utf-8")
    assert "NICHT veröffentlicht" in (tmp_path / "README.txt").read_text(encoding="utf-8")
    assert verify_export(tmp_path).identical


def test_normalised_median_aggregation_exports_and_verifies(tmp_path):
    built = decided_call(method="median", normalise=True, seed=11)
    write_export(built.call, tmp_path)
    rows = _csv(tmp_path / "scores.csv")
    assert all(r["normalised"] for r in rows if r["row"] == "review")
    assert verify_export(tmp_path).identical


def test_command_writes_the_export_and_refuses_unpublished(tmp_path, capsys):
    built = decided_call()
    call_command("export_open_data", "--call", built.call.slug, "--out", str(tmp_path / "out"))
    assert "8 Interessenbekundungen, 23 Gutachten, 3 Förderungen" in capsys.readouterr().out
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(FILES)
    hidden = decided_call(published=False)
    with pytest.raises(CommandError, match="keine Förderentscheidung veröffentlicht"):
        call_command("export_open_data", "--call", hidden.call.slug, "--out", str(tmp_path / "hidden"))
    assert not (tmp_path / "hidden").exists()
    with pytest.raises(CommandError, match="Kein Aufruf"):
        call_command("export_open_data", "--call", "gibt-es-nicht", "--out", str(tmp_path / "none"))
