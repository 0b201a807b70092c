"""Reading calls."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db.models import Prefetch, QuerySet

from oglabs.calls import timeline
from oglabs.calls.models import Call, Challenge, Phase

#: An instant before every deadline: sorts calls without a deadline last.
_NO_DEADLINE = datetime.min.replace(tzinfo=UTC)


def _with_details(calls: QuerySet[Call]) -> QuerySet[Call]:
    return calls.select_related("eligibility").prefetch_related(
        Prefetch("phases", queryset=Phase.objects.order_by("starts_at", "ends_at", "kind")),
        Prefetch("challenges", queryset=Challenge.objects.order_by("position")),
    )


def _deadline(call: Call) -> datetime:
    window = timeline.submission_window(call.phase_spans())
    return window[1] if window is not None else _NO_DEADLINE


def public_calls(*, now: datetime) -> list[Call]:
    """Published calls with phases, challenges and eligibility rules loaded.

    Calls open for submissions at ``now`` come first, the nearest deadline first; then all
    others, the latest deadline first (calls without a deadline last); ties by slug. "Open" is
    :func:`oglabs.calls.timeline.is_open`, the same test the submission uses.
    """
    calls = list(_with_details(Call.objects.filter(is_published=True)).order_by("slug"))
    open_calls: list[Call] = []
    others: list[Call] = []
    for call in calls:
        (open_calls if timeline.is_open(call.phase_spans(), now) else others).append(call)
    # Python's sort is stable, also with reverse=True: equal deadlines keep the slug order.
    open_calls.sort(key=_deadline)
    others.sort(key=_deadline, reverse=True)
    return open_calls + others


def get_public_call(slug: str) -> Call:
    """The published call with this slug, details loaded. Raises ``Call.DoesNotExist``."""
    return _with_details(Call.objects.filter(is_published=True)).get(slug=slug)


def get_call(slug: str) -> Call:
    """Any call (published or not) with details loaded, for staff. Raises ``Call.DoesNotExist``."""
    return _with_details(Call.objects.all()).get(slug=slug)
