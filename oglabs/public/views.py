"""Public site: no login. The calls and their details."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from oglabs.calls import queries as call_queries
from oglabs.calls.models import Call
from oglabs.core.access import public
from oglabs.public import presenters
from oglabs.transparency import queries as transparency_queries

__all__ = ["call_detail", "home", "public"]


@public
def home(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    summaries = [presenters.summarise(call, now=now) for call in call_queries.public_calls(now=now)]
    return render(request, "public/home.html", {"summaries": summaries})


@public
def call_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        call = call_queries.get_public_call(slug)
    except Call.DoesNotExist:
        raise Http404 from None
    now = timezone.now()
    return render(
        request,
        "public/call_detail.html",
        {
            "call": call,
            "summary": presenters.summarise(call, now=now),
            "phases": presenters.phase_rows(call, now=now),
            "eligibility": presenters.eligibility_sentences(call),
            "commitments": transparency_queries.commitments_of(call),
        },
    )
