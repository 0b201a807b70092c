"""Writing calls. Each function is one transaction and leaves exactly one audit event.

Input is a mapping of field names to values (see :mod:`oglabs.calls.validation` for the fields
and accepted formats). The schedule is given as flat instants (``opens_at``, ``deadline_at``,
``workshop_starts_at`` …) and stored as :class:`~oglabs.calls.models.Phase` rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from oglabs.audit.services import record_event
from oglabs.calls import timeline
from oglabs.calls.models import Call, Challenge, EligibilityRules, Phase
from oglabs.calls.validation import (
    CALL_FIELDS,
    ELIGIBILITY_FIELDS,
    SCHEDULE_FIELDS,
    UPDATABLE_FIELDS,
    Cleaned,
    clean_call_data,
    default_challenges,
)


class CallValidationError(ValidationError):
    """The call data is invalid. ``message_dict`` maps field names to German messages."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        super().__init__({name: list(messages) for name, messages in errors.items()})


def _raise_if_invalid(cleaned: Cleaned) -> None:
    if cleaned.errors:
        raise CallValidationError(cleaned.errors)


def _check_slug_free(slug: str, *, exclude_pk: int | None) -> None:
    taken = Call.objects.filter(slug=slug)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise CallValidationError({"slug": [_("Diese Kurzbezeichnung ist bereits vergeben.")]})


def call_record(call: Call) -> dict[str, Any]:
    """The call's current data in the shape ``update_call`` accepts (schedule in UTC)."""
    record: dict[str, Any] = {name: getattr(call, name) for name in CALL_FIELDS}
    record.update(timeline.schedule_of(call.phase_spans()))
    rules = call.eligibility
    record.update({name: getattr(rules, name) for name in ELIGIBILITY_FIELDS})
    return record


def _write_phases(call: Call, record: Mapping[str, Any]) -> None:
    """Make the call's phase rows match the schedule in ``record``."""
    spans = {span.kind: span for span in timeline.phase_spans(record)}
    existing = {phase.kind: phase for phase in call.phases.all()}
    for kind, old in existing.items():
        if kind not in spans:
            old.delete()
    for kind, span in spans.items():
        phase = existing.get(kind)
        if phase is None:
            Phase.objects.create(call=call, kind=kind, starts_at=span.starts_at, ends_at=span.ends_at)
        elif (phase.starts_at, phase.ends_at) != (span.starts_at, span.ends_at):
            phase.starts_at, phase.ends_at = span.starts_at, span.ends_at
            phase.save(update_fields=["starts_at", "ends_at"])


def create_call(*, actor: AbstractBaseUser | None, data: Mapping[str, Any], now: datetime) -> Call:
    """Create a call with its phases, eligibility rules and challenges.

    ``data`` must hold the required fields (see ``validation.REQUIRED_FIELDS``); ``challenges``
    (a list of ``(key, label)``) defaults to the twelve challenges of the 2019 call.
    Raises :class:`CallValidationError`; then nothing is written.
    """
    cleaned = clean_call_data(data, base=None, allowed=(*UPDATABLE_FIELDS, "challenges"))
    _raise_if_invalid(cleaned)
    record = cleaned.values
    challenges = record.pop("challenges") if "challenges" in record else default_challenges()
    with transaction.atomic():
        _check_slug_free(record["slug"], exclude_pk=None)
        call = Call.objects.create(
            **{name: record[name] for name in CALL_FIELDS}, created_at=now, updated_at=now
        )
        EligibilityRules.objects.create(call=call, **{name: record[name] for name in ELIGIBILITY_FIELDS})
        _write_phases(call, record)
        Challenge.objects.bulk_create(
            Challenge(call=call, key=key, label=label, position=position)
            for position, (key, label) in enumerate(challenges, start=1)
        )
        record_event(
            actor=actor,
            action="call.created",
            target=call,
            data={
                **{name: record[name] for name in UPDATABLE_FIELDS},
                "challenges": [k for k, _l in challenges],
            },
            now=now,
        )
    return call


def update_call(
    call: Call, *, actor: AbstractBaseUser | None, changes: Mapping[str, Any], now: datetime
) -> Call:
    """Change a call's fields, schedule or eligibility rules.

    ``changes`` maps field names to new values; a schedule field set to ``None`` removes that
    phase (``opens_at`` and ``deadline_at`` are required). The whole record is checked after
    the change. Raises :class:`CallValidationError`; then nothing is written.

    If no value actually changes, nothing is written and no audit event is recorded (the demo
    loader relies on this to be idempotent).
    """
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        before = call_record(call)
        cleaned = clean_call_data(changes, base=before, allowed=UPDATABLE_FIELDS)
        _raise_if_invalid(cleaned)
        after = cleaned.values
        diff = {name: [before[name], after[name]] for name in UPDATABLE_FIELDS if before[name] != after[name]}
        if not diff:
            return call
        if "slug" in diff:
            _check_slug_free(after["slug"], exclude_pk=call.pk)
        changed_call_fields = [name for name in CALL_FIELDS if name in diff]
        for name in changed_call_fields:
            setattr(call, name, after[name])
        call.updated_at = now
        call.revision += 1  # the row is locked
        call.save(update_fields=[*changed_call_fields, "updated_at", "revision"])
        changed_rules = [name for name in ELIGIBILITY_FIELDS if name in diff]
        if changed_rules:
            rules = call.eligibility
            for name in changed_rules:
                setattr(rules, name, after[name])
            rules.save(update_fields=changed_rules)
        if any(name in diff for name in SCHEDULE_FIELDS):
            _write_phases(call, after)
        record_event(actor=actor, action="call.updated", target=call, data={"changes": diff}, now=now)
    return call
