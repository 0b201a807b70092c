"""A decided call for the transparency tests: one decision entry per given reason, ranked in order."""

from __future__ import annotations

from collections.abc import Sequence

from oglabs.calls.models import Call
from oglabs.selection.models import Decision, Outcome
from tests.factories.proposals import CallFactory
from tests.factories.selection import DecisionEntryFactory, DecisionFactory


def decision_with_reasons(reasons: Sequence[str], *, call: Call | None = None) -> Decision:
    """An unpublished decision of ``call`` (a new one by default), one entry per reason."""
    decision = DecisionFactory(call=call or CallFactory())
    for rank, reason in enumerate(reasons, 1):
        DecisionEntryFactory(
            decision=decision,
            rank=rank,
            reason=reason,
            **({} if rank == 1 else {"outcome": Outcome.NOT_SELECTED}),
        )
    return decision
