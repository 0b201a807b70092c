"""The call's review settings: reviews per proposal, maximum load, blind scoring, aggregation,
normalisation and the automatic conflict rules."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from oglabs.audit.services import record_event
from oglabs.calls.models import Call
from oglabs.reviews.exceptions import InvalidSettings
from oglabs.reviews.models import Aggregation, ReviewSettings
from oglabs.reviews.services.common import lock_call, require_staff

_FIELDS = (
    "reviews_per_proposal",
    "max_load",
    "blind_until_submitted",
    "aggregation",
    "normalise",
    "conflict_same_district",
    "conflict_same_organisation",
    "conflict_same_state",
)

#: Upper bounds (the columns are small integers; more would be no jury anyone can staff).
MAX_REVIEWS_PER_PROPOSAL = 50
MAX_LOAD = 1000


def update_review_settings(
    call: Call,
    *,
    reviews_per_proposal: int,
    max_load: int,
    blind_until_submitted: bool,
    aggregation: str,
    normalise: bool,
    conflict_same_district: bool,
    conflict_same_organisation: bool,
    conflict_same_state: bool,
    actor: Any,
    now: datetime,
) -> ReviewSettings:
    """Save the call's review settings (created on first save). Switching a conflict rule off does
    not remove conflicts found earlier; staff override those with a reason. Audit:
    ``reviews.settings_updated`` with the old and new values."""
    require_staff(actor)
    if not 1 <= reviews_per_proposal <= MAX_REVIEWS_PER_PROPOSAL:
        raise InvalidSettings(
            f"Die Zahl der Gutachten je Interessenbekundung muss zwischen 1 und {MAX_REVIEWS_PER_PROPOSAL} liegen."
        )
    if not 1 <= max_load <= MAX_LOAD:
        raise InvalidSettings(
            f"Die Höchstzahl der Gutachten je Jurymitglied muss zwischen 1 und {MAX_LOAD} liegen."
        )
    if aggregation not in Aggregation.values:
        raise InvalidSettings("Bitte wählen Sie Mittelwert oder Median.")
    values: dict[str, Any] = {
        "reviews_per_proposal": reviews_per_proposal,
        "max_load": max_load,
        "blind_until_submitted": bool(blind_until_submitted),
        "aggregation": aggregation,
        "normalise": bool(normalise),
        "conflict_same_district": bool(conflict_same_district),
        "conflict_same_organisation": bool(conflict_same_organisation),
        "conflict_same_state": bool(conflict_same_state),
    }
    with transaction.atomic():
        lock_call(call)
        settings = ReviewSettings.objects.filter(call=call).order_by("pk").first()
        created = settings is None
        if settings is None:
            settings = ReviewSettings(call=call)
        before = {name: getattr(settings, name) for name in _FIELDS}
        for name, value in values.items():
            setattr(settings, name, value)
        settings.updated_at = now
        settings.save()
        record_event(
            actor=actor,
            action="reviews.settings_updated",
            target=call,
            data={"created": created, "before": before, "after": values},
            now=now,
        )
    return settings
