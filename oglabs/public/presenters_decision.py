"""What the public statistics and decision pages print: labels, the selection rules in plain
language, the budget chart (an SVG drawn here), the maps, and the language links.

Everything is computed from :mod:`oglabs.transparency.public_queries` results; no queries here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _

from oglabs.core.templatetags.oglabs_format import format_money
from oglabs.places import maps
from oglabs.transparency.public_queries import (
    CallStatistics,
    EntryRow,
    PublicCriterion,
    SelectedLab,
)
from oglabs.transparency.public_wording import (
    format_number,
)

# --- language links (cacheable pages carry no CSRF token) -----------------------------------------


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str
    url: str
    current: bool


def language_links(request: HttpRequest) -> list[LanguageLink]:
    """A link per language to this page in that language (the form of the other pages posts a
    CSRF token, which would make every copy of a cacheable page different)."""
    current = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    links = []
    for code, _name in settings.LANGUAGES:
        url = translate_url(request.get_full_path(), code)
        links.append(
            LanguageLink(code, str(get_language_info(code)["name_local"]).capitalize(), url, code == current)
        )
    return links


# --- the budget chart ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    amount: Decimal
    fill: str
    stroke: str = "none"


CHART_WIDTH = 400
_ROW = 52
_BAR = 20
_FONT = 15


def budget_bars(statistics: CallStatistics) -> list[Bar]:
    bars = [
        Bar("available", _("Fördervolumen"), statistics.budget, "#f3f4f7", "#1f1f1f"),
        Bar("requested", _("Beantragt (alle eingereichten)"), statistics.requested_total, "#3182bd"),
    ]
    if statistics.granted_total is not None:
        bars.append(Bar("granted", _("Bewilligt (ausgewählte Labore)"), statistics.granted_total, "#08519c"))
    return bars


def bar_chart_svg(bars: Sequence[Bar], *, title: str, description: str, currency: str, id_prefix: str) -> str:
    """A horizontal bar chart as an SVG element: a label with the amount above each bar, the bars
    to one scale (the largest amount fills the width). Named by its title and description; the
    page shows the same numbers in a table. All text is escaped."""
    scale = max((bar.amount for bar in bars), default=Decimal(0))
    height = len(bars) * _ROW + 4
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {CHART_WIDTH} {height}" class="og-chart" '
        f'role="img" aria-labelledby="{title_id} {desc_id}">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
    ]
    for index, bar in enumerate(bars):
        top = index * _ROW
        width = float(bar.amount / scale * (CHART_WIDTH - 2)) if scale > 0 else 0.0
        text = f"{bar.label}: {format_money(bar.amount, currency)}"
        parts.append(
            f'<text x="1" y="{top + _FONT + 2}" font-size="{_FONT}" fill="#1f1f1f">{escape(text)}</text>'
        )
        parts.append(
            f'<rect x="1" y="{top + _FONT + 9}" width="{max(width, 0.0):.1f}" height="{_BAR}" '
            f'fill="{bar.fill}" stroke="{bar.stroke}" data-key="{escape(bar.key)}"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def budget_chart(statistics: CallStatistics) -> dict[str, Any]:
    bars = budget_bars(statistics)
    svg = bar_chart_svg(
        bars,
        title=_("Beantragte Mittel und Fördervolumen"),
        description=_("Balkendiagramm; die Beträge stehen auch in der Tabelle unter dem Diagramm."),
        currency=statistics.call.currency,
        id_prefix="chart-budget",
    )
    share = (
        (statistics.requested_total / statistics.budget * 100).quantize(Decimal(1))
        if statistics.budget
        else None
    )
    # bar_chart_svg escapes every text it writes.
    return {"svg": mark_safe(svg), "bars": bars, "requested_percent": share}  # noqa: S308


# --- maps -----------------------------------------------------------------------------------------


def legend(classes: Sequence[maps.ColourClass]) -> list[dict[str, str]]:
    items = []
    for colour_class in classes:
        if colour_class.index == 0:
            label = _("keine")
        elif colour_class.lower == colour_class.upper:
            label = str(colour_class.lower)
        else:
            label = f"{colour_class.lower}–{colour_class.upper}"
        items.append({"label": label, "fill": colour_class.fill})
    return items


def land_map(statistics: CallStatistics) -> dict[str, Any]:
    counts = {land.ars: land.count for land in statistics.by_land}
    classes = maps.colour_classes(max(counts.values(), default=0))
    svg = maps.choropleth_svg(
        counts,
        title=_("Karte: Interessenbekundungen nach Land der federführenden Kommune"),
        description=_(
            "Je dunkler ein Land, desto mehr Interessenbekundungen. Die Zahlen stehen in der Tabelle neben der Karte."
        ),
        id_prefix="map-laender",
        label=lambda shape, count: _("%(land)s: %(count)s") % {"land": shape.name, "count": count},
        classes=classes,
    )
    # maps.choropleth_svg escapes every text it writes.
    return {"svg": mark_safe(svg), "legend": legend(classes)}  # noqa: S308


def selected_map_svg(selected: Sequence[SelectedLab]) -> str:
    """The Länder with a dot for each selected lab's lead municipality (a standalone SVG file)."""
    points = [
        maps.MapPoint(lab.longitude, lab.latitude, f"{lab.municipality} ({lab.reference})")
        for lab in selected
        if lab.longitude is not None and lab.latitude is not None
    ]
    return maps.choropleth_svg(
        {},
        title=_("Karte: die ausgewählten Labore"),
        description=_("Ein Punkt je ausgewähltem Labor am Ort seiner federführenden Kommune."),
        id_prefix="map-selected",
        points=points,
    )


def points_without_place(selected: Sequence[SelectedLab]) -> int:
    return sum(1 for lab in selected if lab.longitude is None or lab.latitude is None)


def map_size() -> tuple[int, int]:
    """The map's size in CSS pixels (its viewBox), for the ``<img>`` of the selected labs."""
    geometry = maps.land_shapes()
    return round(geometry.width), round(geometry.height)


# --- the table of entries -----------------------------------------------------------------------


#: Longer reasons are cut in the table (at a word) and read in full on the proposal's page.
REASON_IN_TABLE = 280


def _reason_cell(reason: str, reference: str) -> str:
    if not reason:
        return "–"
    if len(reason) <= REASON_IN_TABLE:
        return escape(reason)
    cut = reason[:REASON_IN_TABLE].rsplit(" ", 1)[0].rstrip(" ,;:.")
    more = escape(_("ganze Begründung"))
    return f'{escape(cut)} … <a href="{reference}/">{more}</a>'


def entry_rows_html(
    rows: Sequence[EntryRow], criteria: Sequence[PublicCriterion], *, currency: str, data_lang: str
) -> SafeString:
    """The ``<tr>`` elements of the decision table, built here rather than in the template: with
    50 rows and a dozen cells each, Django's template engine would take most of the page's time.
    Every value is escaped. Links are relative to the decision page (``OGL-2019-0001/``).
    ``data_lang`` is the ``lang`` of entered texts on a page in another language (or "")."""
    lang = f' lang="{escape(data_lang)}"' if data_lang else ""
    keys = [criterion.key for criterion in criteria]
    parts: list[str] = []
    for row in rows:
        reference = escape(row.reference)
        partners = "; ".join(escape(partner.name) for partner in row.partners) or "–"
        means = "".join(
            f"<td>{format_number(row.per_criterion[key]) if key in row.per_criterion else '–'}</td>"
            for key in keys
        )
        outcome = escape(str(row.outcome.label))
        if row.waitlist_position:
            outcome += f" ({row.waitlist_position})"
        parts.append(
            f"<tr><td>{row.rank}</td>"
            f'<th scope="row"><a href="{reference}/">{escape(row.municipality) or "–"}</a>'
            f'<span class="og-ref">{reference}</span></th>'
            f"<td>{escape(row.land) or '–'}</td>"
            f"<td{lang}>{partners}</td>"
            f"{means}"
            f"<td>{format_number(row.score)}</td>"
            f"<td>{escape(format_money(row.requested, currency))}</td>"
            f"<td>{escape(format_money(row.granted, currency))}</td>"
            f"<td>{outcome}</td>"
            f"<td{lang}>{_reason_cell(row.reason, reference)}</td></tr>"
        )
    return mark_safe("".join(parts))  # noqa: S308  # every value above is escaped
