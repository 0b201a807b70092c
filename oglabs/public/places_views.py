"""Public look-up of local authorities (Gemeinde, Stadt, Landkreis) by name or official key."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from oglabs.core.access import public
from oglabs.places.queries import search_municipalities

__all__ = ["municipality_search"]

#: Longest query taken into account; official names are shorter than this.
MAX_QUERY_LENGTH = 100
RESULT_LIMIT = 10


@public
@require_GET
def municipality_search(request: HttpRequest) -> HttpResponse:
    """``GET ?q=``: an HTML fragment listing matching local authorities (for HTMX or as is)."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    municipalities = search_municipalities(query, limit=RESULT_LIMIT) if query else []
    return render(
        request,
        "public/_municipality_options.html",
        {"query": query, "municipalities": municipalities},
    )
