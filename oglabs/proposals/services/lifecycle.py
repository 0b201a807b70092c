"""The proposal lifecycle: start, transitions (the only writer of ``state``), withdrawal."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import transaction

from oglabs.accounts.models import User
from oglabs.audit.services import record_event
from oglabs.calls import timeline
from oglabs.calls.models import Call
from oglabs.places.models import Municipality
from oglabs.proposals.exceptions import (
    CallClosed,
    InvalidContent,
    NotEditable,
    TransitionNotAllowed,
)
from oglabs.proposals.models import (
    ConsortiumMember,
    MemberRole,
    Proposal,
)
from oglabs.proposals.states import EDITABLE_STATES, ProposalState, can_transition


def transition_proposal(
    proposal: Proposal,
    *,
    to: ProposalState,
    actor: User | None,
    now: datetime,
    reason: str = "",
    data: Mapping[str, Any] | None = None,
    also: Mapping[str, Any] | None = None,
) -> Proposal:
    """The only code that writes ``Proposal.state``. Refuses a transition the table does not allow.

    ``also`` names further fields that change with the transition (e.g. ``submitted_at``); they
    are written in the same UPDATE.
    """
    with transaction.atomic():
        source_value = (
            Proposal.objects.select_for_update().filter(pk=proposal.pk).values_list("state", flat=True).get()
        )
        changes = _write_transition(
            proposal,
            source=ProposalState(source_value),
            to=to,
            actor=actor,
            now=now,
            reason=reason,
            data=data,
            also=also,
        )
    for name, value in changes.items():
        setattr(proposal, name, value)
    return proposal


def _write_transition(
    proposal: Proposal,
    *,
    source: ProposalState,
    to: ProposalState,
    actor: User | None,
    now: datetime,
    reason: str = "",
    data: Mapping[str, Any] | None = None,
    also: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """``transition_proposal`` for a caller that already holds the row lock in its transaction
    and has read the state under it (``source``): the submission, whose lock also guards its
    version. Same table, same UPDATE, same audit event; no second read, no savepoint. Returns
    the fields written, for the caller to set on ``proposal`` once its transaction is done.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("_write_transition needs the caller's transaction and row lock")
    if not can_transition(source, to):
        raise TransitionNotAllowed(str(source.label), str(ProposalState(to).label))
    if also and "state" in also:
        raise ValueError("the state is given by `to`")
    changes = {**(also or {}), "state": to, "updated_at": now}
    Proposal.objects.filter(pk=proposal.pk).update(**changes)
    record_event(
        actor=actor,
        action=f"proposal.{to}",
        target=proposal,
        data={"from": source.value, "to": str(to), "reason": reason, **(data or {})},
        now=now,
    )
    return changes


def _submission_deadline(call: Call) -> datetime | None:
    window = timeline.submission_window(call.phase_spans())
    return window[1] if window else None


def _revision_deadline(call: Call) -> datetime | None:
    for span in call.phase_spans():
        if span.kind == timeline.REVISION_DEADLINE:
            return span.ends_at
    return None


def _ensure_open_for_editing(proposal: Proposal, now: datetime) -> None:
    state = ProposalState(proposal.state)
    if state not in EDITABLE_STATES:
        raise NotEditable(str(state.label))
    if state == ProposalState.DRAFT and not timeline.is_open(proposal.call.phase_spans(), now):
        raise CallClosed(_submission_deadline(proposal.call))
    if state == ProposalState.IN_REVISION:
        deadline = _revision_deadline(proposal.call)
        if deadline is not None and now > deadline:
            raise CallClosed(deadline)


def next_reference(call: Call) -> str:
    """The next free reference of the call, such as ``OGL-2019-0007``."""
    prefix = f"OGL-{call.funding_starts_on.year - 1}-"
    count = Proposal.objects.filter(call=call).count()
    candidate = count + 1
    while Proposal.objects.filter(reference=f"{prefix}{candidate:04d}").exists():
        candidate += 1
    return f"{prefix}{candidate:04d}"


def start_proposal(
    *, call: Call, actor: User, title: str, lead_municipality: Municipality | None, now: datetime
) -> Proposal:
    """A new draft; ``actor`` becomes the lead member of the consortium."""
    title = title.strip()
    if not title:
        raise InvalidContent({"title": ["Bitte geben Sie einen Titel an."]})
    if not timeline.is_open(call.phase_spans(), now):
        raise CallClosed(_submission_deadline(call))
    with transaction.atomic():
        proposal = Proposal.objects.create(
            call=call,
            reference=next_reference(call),
            title=title,
            lead_municipality=lead_municipality,
            created_at=now,
            updated_at=now,
        )
        ConsortiumMember.objects.create(proposal=proposal, user=actor, role=MemberRole.LEAD, joined_at=now)
        record_event(
            actor=actor,
            action="proposal.created",
            target=proposal,
            data={"reference": proposal.reference, "call": call.slug},
            now=now,
        )
    return proposal


def withdraw_proposal(proposal: Proposal, *, actor: User, reason: str, now: datetime) -> Proposal:
    reason = reason.strip()
    if not reason:
        raise InvalidContent({"reason": ["Bitte geben Sie einen Grund für den Rückzug an."]})
    with transaction.atomic():
        Proposal.objects.filter(pk=proposal.pk).update(withdrawn_reason=reason)
        transition_proposal(proposal, to=ProposalState.WITHDRAWN, actor=actor, now=now, reason=reason)
    proposal.refresh_from_db()
    return proposal
