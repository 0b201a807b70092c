"""The published decision of a call: the overview with its table of every proposal (paginated,
filtered and sorted by GET parameters, without JavaScript), one proposal's page, and the map of
the selected labs as an SVG file. Before publication a page says so and shows nothing else."""

from __future__ import annotations

import re
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from oglabs.calls import queries as call_queries
from oglabs.calls.models import Call
from oglabs.core.access import public
from oglabs.core.conditional import cacheable
from oglabs.public import presenters_decision as presenters
from oglabs.transparency import public_queries
from oglabs.transparency import public_wording as wording
from oglabs.transparency.opendata.published import ARCHIVE, DOWNLOADS
from oglabs.transparency.public_queries import PublishedDecision

#: What a proposal's reference looks like (anything else is not looked up at all).
REFERENCE = re.compile(r"[-A-Za-z0-9_]{1,32}")
#: Short: the "not yet published" page turns into the decision when it is published.
MAX_AGE = 60

SORT_LABELS = {
    "result": gettext_lazy("Ergebnis (ausgewählte zuerst), dann Rang"),
    "rank": gettext_lazy("Rang"),
    "municipality": gettext_lazy("Kommune"),
    "land": gettext_lazy("Land"),
    "requested": gettext_lazy("beantragter Betrag (höchster zuerst)"),
    "granted": gettext_lazy("bewilligter Betrag (höchster zuerst)"),
}


class EntryFilterForm(forms.Form):
    """The table's GET form. Invalid values are ignored (shown as "all")."""

    outcome = forms.ChoiceField(label=gettext_lazy("Ergebnis"), required=False)
    land = forms.ChoiceField(label=gettext_lazy("Land"), required=False)
    sort = forms.ChoiceField(label=gettext_lazy("Sortierung"), required=False)

    def __init__(self, data: Any, *, decision: PublishedDecision) -> None:
        super().__init__(data)
        everything = [("", _("alle"))]
        cast(forms.ChoiceField, self.fields["outcome"]).choices = everything + [
            (outcome.value, outcome.label) for outcome in public_queries.OUTCOME_ORDER
        ]
        cast(forms.ChoiceField, self.fields["land"]).choices = everything + [
            (land.ars, land.name) for land in decision.lands
        ]
        cast(forms.ChoiceField, self.fields["sort"]).choices = list(SORT_LABELS.items())

    def entry_filter(self) -> public_queries.EntryFilter:
        if not self.is_bound:
            return public_queries.EntryFilter()
        self.is_valid()
        data = {name: self.cleaned_data.get(name) or "" for name in self.fields}
        return public_queries.EntryFilter(
            outcome=data["outcome"], land=data["land"], sort=data["sort"] or public_queries.DEFAULT_SORT
        )


def _public_call_or_404(slug: str) -> Call:
    try:
        return call_queries.get_public_call(slug)
    except Call.DoesNotExist:
        raise Http404 from None


def _page_number(raw: str | None) -> int:
    try:
        return max(1, int(raw or "1"))
    except ValueError:
        return 1


def _query(params: dict[str, str], **changes: str) -> str:
    merged = {**params, **changes}
    return "?" + urlencode({key: value for key, value in merged.items() if value})


def _open_data_links(call: Call) -> list[tuple[str, str]]:
    """(file name, URL) of every open-data download of the published decision, the ZIP first."""
    archive = reverse("public:open_data_file", kwargs={"slug": call.slug, "filename": ARCHIVE})
    folder = archive[: -len(ARCHIVE)]
    return [(ARCHIVE, archive)] + [(name, folder + name) for name in DOWNLOADS if name != ARCHIVE]


@public
@require_safe
@cacheable(max_age=MAX_AGE)
def call_decision(request: HttpRequest, slug: str) -> HttpResponse:
    call = _public_call_or_404(slug)
    decision = public_queries.published_decision(call)
    links = presenters.language_links(request)
    if decision is None:
        return render(request, "public/decision/not_published.html", {"call": call, "language_links": links})
    form = EntryFilterForm(request.GET or None, decision=decision)
    entry_filter = form.entry_filter()
    entries = public_queries.entry_page(decision, entry_filter, page=_page_number(request.GET.get("page")))
    params = {
        "outcome": entry_filter.outcome,
        "land": entry_filter.land,
        "sort": entry_filter.sort if entry_filter.sort != public_queries.DEFAULT_SORT else "",
    }
    context = {
        "call": call,
        "decision": decision,
        "form": form,
        "entries": entries,
        "entry_rows": presenters.entry_rows_html(
            entries.rows, decision.criteria, currency=call.currency, data_lang=wording.data_language()
        ),
        "filtered": bool(entry_filter.outcome or entry_filter.land),
        "previous_url": _query(params, page=str(entries.page - 1)) if entries.page > 1 else "",
        "next_url": _query(params, page=str(entries.page + 1)) if entries.page < entries.pages else "",
        "rules": wording.rules_sentences(decision),
        "aggregation": wording.aggregation_sentences(decision),
        "run_status": wording.run_status_text(decision.run_status),
        "points_without_place": presenters.points_without_place(decision.selected),
        "map_width": presenters.map_size()[0],
        "map_height": presenters.map_size()[1],
        "open_data": _open_data_links(call),
        "language_links": links,
    }
    return render(request, "public/decision/call_decision.html", context)


@public
@require_safe
@cacheable(max_age=MAX_AGE)
def decision_map(request: HttpRequest, slug: str) -> HttpResponse:
    """The map of the selected labs as an image file (kept out of the page to keep it small)."""
    call = _public_call_or_404(slug)
    decision = public_queries.published_decision(call)
    if decision is None:
        raise Http404
    svg = presenters.selected_map_svg(decision.selected)
    return HttpResponse(svg.encode("utf-8"), content_type="image/svg+xml; charset=utf-8")


@public
@require_safe
@cacheable(max_age=MAX_AGE)
def decision_proposal(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    if not REFERENCE.fullmatch(reference):
        raise Http404
    call = _public_call_or_404(slug)
    decision = public_queries.published_decision(call)
    if decision is None:
        raise Http404
    detail = public_queries.entry_detail(decision, reference)
    if detail is None:
        raise Http404
    context = {
        "call": call,
        "decision": decision,
        "detail": detail,
        "entry": detail.row,
        "criteria": [
            {"criterion": criterion, "mean": detail.row.per_criterion.get(criterion.key)}
            for criterion in decision.criteria
        ],
        "decision_url": reverse("public:call_decision", kwargs={"slug": call.slug}),
        "language_links": presenters.language_links(request),
    }
    return render(request, "public/decision/proposal.html", context)
