"""A selection run's JSON ⇄ the optimiser's dataclasses, exactly (amounts and scores as strings).

Everything a run stores must come back identical: ``result_from_json(result_to_json(r)) == r``
except ``solve_seconds``, which is the only non-deterministic field. Decimals are written with
``str`` (no rounding) and read with ``Decimal``; reason parameters carry a type tag so that an
``int`` stays an ``int`` and a ``Decimal`` a ``Decimal``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from oglabs.selection.optimiser import (
    Candidate,
    Explanation,
    Grant,
    Reason,
    ReasonCode,
    Result,
    Rules,
    Status,
)


def _decimal_or_none(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _str_or_none(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


# --- candidates -------------------------------------------------------------------------------------


def candidate_to_json(candidate: Candidate) -> dict[str, Any]:
    return {
        "id": candidate.id,
        "score": str(candidate.score),
        "requested": str(candidate.requested),
        "state_key": candidate.state_key,
        "rural": candidate.rural,
        "tie_rank": candidate.tie_rank,
    }


def candidate_from_json(data: Mapping[str, Any]) -> Candidate:
    return Candidate(
        id=str(data["id"]),
        score=Decimal(str(data["score"])),
        requested=Decimal(str(data["requested"])),
        state_key=str(data["state_key"]),
        rural=bool(data["rural"]),
        tie_rank=int(data["tie_rank"]),
    )


def candidates_from_json(items: Sequence[Mapping[str, Any]]) -> list[Candidate]:
    return [candidate_from_json(item) for item in items]


# --- rules ------------------------------------------------------------------------------------------


def rules_to_json(rules: Rules) -> dict[str, Any]:
    """Shares as decimal fractions (``"0.5"`` is 50 %), amounts and scores as decimal strings."""
    return {
        "budget": str(rules.budget),
        "max_labs": rules.max_labs,
        "max_per_state": rules.max_per_state,
        "min_rural_share": _str_or_none(rules.min_rural_share),
        "min_score": _str_or_none(rules.min_score),
        "min_funding_share": _str_or_none(rules.min_funding_share),
    }


def rules_from_json(data: Mapping[str, Any]) -> Rules:
    max_per_state = data.get("max_per_state")
    return Rules(
        budget=Decimal(str(data["budget"])),
        max_labs=int(data["max_labs"]),
        max_per_state=None if max_per_state is None else int(max_per_state),
        min_rural_share=_decimal_or_none(data.get("min_rural_share")),
        min_score=_decimal_or_none(data.get("min_score")),
        min_funding_share=_decimal_or_none(data.get("min_funding_share")),
    )


# --- results ----------------------------------------------------------------------------------------


def _param_to_json(value: Decimal | int | str) -> dict[str, Any]:
    if isinstance(value, bool):  # bool is an int; the optimiser never passes one
        raise TypeError("boolean reason parameters are not supported")
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, int):
        return {"int": value}
    return {"str": str(value)}


def _param_from_json(data: Mapping[str, Any]) -> Decimal | int | str:
    if "decimal" in data:
        return Decimal(str(data["decimal"]))
    if "int" in data:
        return int(data["int"])
    return str(data["str"])


def explanation_to_json(explanation: Explanation) -> dict[str, Any]:
    return {
        "candidate_id": explanation.candidate_id,
        "reasons": [
            {
                "code": reason.code.value,
                "params": {name: _param_to_json(value) for name, value in reason.params.items()},
            }
            for reason in explanation.reasons
        ],
        "text": explanation.text,
        "needed_score": _str_or_none(explanation.needed_score),
        "displaces": list(explanation.displaces),
    }


def explanation_from_json(data: Mapping[str, Any]) -> Explanation:
    return Explanation(
        candidate_id=str(data["candidate_id"]),
        reasons=tuple(
            Reason(
                ReasonCode(reason["code"]),
                {name: _param_from_json(value) for name, value in reason["params"].items()},
            )
            for reason in data["reasons"]
        ),
        text=str(data["text"]),
        needed_score=_decimal_or_none(data.get("needed_score")),
        displaces=tuple(str(item) for item in data.get("displaces", [])),
    )


def result_to_json(result: Result) -> dict[str, Any]:
    return {
        "status": result.status.value,
        "proven_optimal": result.proven_optimal,
        "mip_gap": result.mip_gap,
        "selected": [{"id": grant.id, "granted": str(grant.granted)} for grant in result.selected],
        "waitlist": list(result.waitlist),
        "total_score": str(result.total_score),
        "total_granted": str(result.total_granted),
        "solver": result.solver,
        # Sorted by id so the stored JSON does not depend on the order the optimiser filled it.
        "explanations": {
            key: explanation_to_json(result.explanations[key]) for key in sorted(result.explanations)
        },
        "message": result.message,
        "unique": result.unique,
        "score_scale": result.score_scale,
        "solve_seconds": result.solve_seconds,
    }


def result_from_json(data: Mapping[str, Any]) -> Result:
    gap = data.get("mip_gap")
    return Result(
        status=Status(data["status"]),
        proven_optimal=bool(data["proven_optimal"]),
        mip_gap=None if gap is None else float(gap),
        selected=tuple(Grant(str(item["id"]), Decimal(str(item["granted"]))) for item in data["selected"]),
        waitlist=tuple(str(item) for item in data["waitlist"]),
        total_score=Decimal(str(data["total_score"])),
        total_granted=Decimal(str(data["total_granted"])),
        solver=str(data["solver"]),
        explanations={str(key): explanation_from_json(value) for key, value in data["explanations"].items()},
        message=str(data.get("message", "")),
        unique=data.get("unique"),
        score_scale=int(data.get("score_scale", 1)),
        solve_seconds=float(data.get("solve_seconds", 0.0)),
    )


def comparable(result: Result) -> Result:
    """The result without what legitimately differs between two solves of the same input: the
    time taken, the solver's reported gap (any gap below one unit is a proof, see ADR 0005) and
    the solver's name (a recompute on a newer HiGHS must still agree on the outcome)."""
    return replace(result, solve_seconds=0.0, mip_gap=None, solver="")
