"""Public statistics of a call: aggregate numbers only (by Land on a map, by kind of municipality,
by challenge, requested against available funds, by stage of the procedure)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from oglabs.calls import queries as call_queries
from oglabs.calls.models import Call
from oglabs.core.access import public
from oglabs.core.conditional import cacheable
from oglabs.public import presenters_decision as presenters
from oglabs.transparency import public_queries
from oglabs.transparency import public_wording as wording

#: Seconds a browser or proxy may reuse the page without asking again (then it revalidates by ETag).
MAX_AGE = 300


def _public_call_or_404(slug: str) -> Call:
    try:
        return call_queries.get_public_call(slug)
    except Call.DoesNotExist:
        raise Http404 from None


@public
@require_safe
@cacheable(max_age=MAX_AGE)
def call_statistics(request: HttpRequest, slug: str) -> HttpResponse:
    call = _public_call_or_404(slug)
    statistics = public_queries.call_statistics(call)
    stage_maximum = max((stage.count for stage in statistics.stages), default=0)
    context = {
        "call": call,
        "statistics": statistics,
        "stages": [
            {
                "label": wording.stage_label(stage.key),
                "count": stage.count,
                "width": _share(stage.count, stage_maximum),
            }
            for stage in statistics.stages
        ],
        "kinds": _rows(statistics.by_kind, lambda item: item.kind.label),
        "challenges": _rows(statistics.by_challenge, lambda item: item.label),
        "map": presenters.land_map(statistics),
        "budget": presenters.budget_chart(statistics),
        "language_links": presenters.language_links(request),
    }
    return render(request, "public/statistics/call_statistics.html", context)


def _share(count: int | float, maximum: int | float) -> str:
    """A bar's width 0–100 as a string with a dot (an SVG attribute, independent of the locale)."""
    if not maximum:
        return "0"
    return f"{count / maximum * 100:.1f}"


def _rows(items: Sequence[Any], label: Callable[[Any], str]) -> list[dict[str, Any]]:
    maximum = max((item.count for item in items), default=0)
    return [
        {"label": label(item), "count": item.count, "width": _share(item.count, maximum)} for item in items
    ]
