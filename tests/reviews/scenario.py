"""Helpers shared by the review service and query tests (not a test module)."""

from __future__ import annotations

from typing import Any

from oglabs.audit.models import AuditEvent
from oglabs.proposals.models import Proposal
from oglabs.proposals.states import ProposalState
from tests.factories.proposals import ProposalFactory


def last_sequence() -> int:
    return AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0


def events_since(sequence: int) -> list[tuple[str, str, dict[str, Any]]]:
    """(action, target, data) of every audit event after ``sequence``, in order."""
    return [
        (action, f"{target_type}:{target_id}", data)
        for action, target_type, target_id, data in AuditEvent.objects.filter(sequence__gt=sequence)
        .order_by("sequence")
        .values_list("action", "target_type", "target_id", "data")
    ]


def actions_since(sequence: int) -> list[str]:
    return [action for action, _, _ in events_since(sequence)]


def competing(call: Any, **fields: Any) -> Proposal:
    """A proposal of ``call`` in the competition."""
    return ProposalFactory(call=call, state=ProposalState.IN_COMPETITION, **fields)
