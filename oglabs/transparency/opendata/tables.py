"""The tabular files, streamed: ``proposals.csv``/``.json`` and ``scores.csv``/``.json``.

Each CSV is written row by row from an iterator (``csv.writer``), each JSON incrementally (one
item per line between a fixed head and tail), so memory does not grow with the proposals. The
CSV is UTF-8 without BOM, comma-separated, ``\\r\\n`` line ends (RFC 4180); decimals with a point
and no thousands separator; lists joined with ``"; "`` (the JSON twin has them structured).
A CSV row and its JSON twin say the same (``verify_decision.py`` checks it).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from oglabs.transparency.opendata.collect import Context, ProposalRecord, ScoreRecord
from oglabs.transparency.standalone.verify_decision import CRITERION_PREFIX, FORMAT

PROPOSAL_COLUMNS = (
    "reference",
    "title",
    "lead_municipality",
    "lead_municipality_ars",
    "lead_municipality_kind",
    "land",
    "land_ars",
    "further_municipalities",
    "partners",
    "challenges",
    "requested_amount",
    "own_contribution",
    "state_contribution",
    "score",
    "result",
    "rank",
    "granted_amount",
    "waitlist_position",
    "explanation",
    "reason",
)


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def dumps(value: Any) -> str:
    """Compact, deterministic JSON (UTF-8 characters kept); one encoder for every call."""
    return _ENCODER.encode(value)


class JsonStream:
    """``{"head": …, "<key>": [item, item, …]}`` written one item per line."""

    def __init__(self, handle: IO[str], head: dict[str, Any], key: str) -> None:
        self.handle = handle
        self.first = True
        handle.write("{\n")
        for name, value in head.items():
            handle.write(f"{dumps(name)}:{dumps(value)},\n")
        handle.write(f"{dumps(key)}:[\n")

    def add(self, item: Any) -> None:
        if not self.first:
            self.handle.write(",\n")
        self.first = False
        self.handle.write(dumps(item))

    def close(self) -> None:
        self.handle.write("\n]}\n")


def _cell(value: Any) -> str:
    """A JSON value as its CSV cell (the rule ``verify_decision._flatten`` undoes)."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(_cell(item) for item in value)
    if isinstance(value, dict):
        rest = ", ".join(str(v) for k, v in value.items() if k != "name")
        return f"{value['name']} ({rest})"
    return str(value)


def proposal_item(record: ProposalRecord) -> dict[str, Any]:
    """One proposal as its JSON object (decimals as strings, so that nothing is rounded)."""
    return {
        "reference": record.reference,
        "title": record.title,
        "lead_municipality": record.lead_municipality,
        "lead_municipality_ars": record.lead_municipality_ars,
        "lead_municipality_kind": record.lead_municipality_kind,
        "land": record.land,
        "land_ars": record.land_ars,
        "further_municipalities": [{"name": p.name, "ars": p.ars} for p in record.further_municipalities],
        "partners": [{"name": p.name, "kind": p.kind} for p in record.partners],
        "challenges": list(record.challenges),
        "requested_amount": str(record.requested_amount),
        "own_contribution": str(record.own_contribution),
        "state_contribution": str(record.state_contribution),
        "score": str(record.score),
        "result": record.result,
        "rank": record.rank,
        "granted_amount": str(record.granted_amount),
        "waitlist_position": record.waitlist_position,
        "explanation": record.explanation,
        "reason": record.reason,
    }


def _head(ctx: Context) -> dict[str, Any]:
    return {"format": FORMAT, "call": ctx.call.slug, "issued": ctx.issued_at.date().isoformat()}


def write_proposals(ctx: Context, records: Iterable[ProposalRecord], directory: Path) -> int:
    """``proposals.csv`` and ``proposals.json`` in one pass; returns the number of rows."""
    count = 0
    with (
        open(directory / "proposals.csv", "w", encoding="utf-8", newline="") as table,
        open(directory / "proposals.json", "w", encoding="utf-8", newline="\n") as document,
    ):
        writer = csv.writer(table)
        writer.writerow(PROPOSAL_COLUMNS)
        stream = JsonStream(document, _head(ctx), "proposals")
        for record in records:
            item = proposal_item(record)
            writer.writerow([_cell(item[column]) for column in PROPOSAL_COLUMNS])
            stream.add(item)
            count += 1
        stream.close()
    return count


def score_columns(keys: Sequence[str]) -> list[str]:
    return [
        "reference",
        "row",
        "juror",
        *(CRITERION_PREFIX + key for key in keys),
        "weighted_sum",
        "normalised",
    ]


def _str(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def score_item(record: ScoreRecord) -> dict[str, Any]:
    return {
        "reference": record.reference,
        "score": str(record.score),
        "criteria": {key: str(value) for key, value in record.criteria.items()},
        "reviews": [
            {
                "juror": review.juror,
                "scores": review.scores,
                "weighted_sum": str(review.weighted_sum),
                "normalised": _str(review.normalised),
            }
            for review in record.reviews
        ],
    }


def write_scores(ctx: Context, records: Iterable[ScoreRecord], directory: Path) -> int:
    """``scores.csv`` (a ``review`` row per counted review, then an ``aggregate`` row per proposal)
    and ``scores.json``; returns the number of reviews."""
    keys = [str(c["key"]) for c in ctx.criteria]
    count = 0
    with (
        open(directory / "scores.csv", "w", encoding="utf-8", newline="") as table,
        open(directory / "scores.json", "w", encoding="utf-8", newline="\n") as document,
    ):
        writer = csv.writer(table)
        writer.writerow(score_columns(keys))
        head = {
            **_head(ctx),
            "method": ctx.method,
            "normalised": ctx.normalised,
            "criteria": [str(c["key"]) for c in ctx.criteria],
        }
        stream = JsonStream(document, head, "proposals")
        for record in records:
            for review in record.reviews:
                writer.writerow(
                    [
                        record.reference,
                        "review",
                        review.juror,
                        *(_cell(review.scores.get(key)) for key in keys),
                        str(review.weighted_sum),
                        _cell(_str(review.normalised)),
                    ]
                )
                count += 1
            writer.writerow(
                [
                    record.reference,
                    "aggregate",
                    "",
                    *(_cell(_str(record.criteria.get(key))) for key in keys),
                    str(record.score),
                    "",
                ]
            )
            stream.add(score_item(record))
        stream.close()
    return count
