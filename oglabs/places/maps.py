"""A map of Germany's 16 Länder drawn on the server as inline SVG: projection, simplification,
the classes and colours of a choropleth, and the SVG text. Pure: no Django.

Geometry: the BKG VG5000 boundaries shipped in ``data/`` (see ``data/PROVENANCE.md``; pages
showing the map must carry the attribution "© GeoBasis-DE / BKG 2021 (Daten verändert)").
Projection: equirectangular, longitudes scaled by cos(51°) — at the scale of one country the
distortion is invisible. The projected rings are simplified (Douglas–Peucker) and rounded to
one decimal, which keeps the whole map at about 40 KB. The geometry is computed once per
process (:func:`land_shapes` is cached).

The SVG carries ``role="img"`` and is named by its ``<title>`` and ``<desc>``; every Land's
path has its own ``<title>`` ("Brandenburg: 4") that browsers show on hover. Pages put the same
numbers in a table next to the map: that table is the text alternative.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any

LAENDER_GEOJSON = Path(__file__).resolve().parent / "data" / "bkg_vg5000_2021-01-01_laender.geojson"

#: Latitude whose scale is kept true: about the middle of Germany.
REFERENCE_LATITUDE = 51.0
#: Width of the SVG's coordinate system (its height follows from the projection).
MAP_WIDTH = 400.0
#: Empty margin around the country, in map units (half the border stroke must fit).
MARGIN = 2.0
#: Douglas–Peucker tolerance in map units (about 0.9 km at MAP_WIDTH 400).
TOLERANCE = 0.5
#: Islands smaller than this (map units squared) are left out — except a Land's largest part.
MIN_RING_AREA = 0.6

Point = tuple[float, float]
Ring = list[Point]

#: Sequential blues (ColorBrewer "Blues", light to mid); class 0 ("none") is white. The darkest
#: tone stops at mid-blue so that the dark border keeps a contrast of at least 3:1 to every fill.
ZERO_FILL = "#ffffff"
PALETTE: tuple[str, ...] = ("#deebf7", "#b5d4ea", "#89bedc", "#5b9fcf", "#3182bd")
BORDER = "#1f1f1f"
BORDER_WIDTH = 0.8
#: Points (a place on the map): dark red with a ring in the border colour, which contrasts at
#: least 3:1 with every fill (like the borders), so a dot stands out on every Land.
POINT_FILL = "#b2182b"
POINT_RING = BORDER
POINT_RADIUS = 3.5


# --- projection --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bounds:
    west: float
    east: float
    south: float
    north: float


@dataclass(frozen=True)
class Projection:
    """Equirectangular with x scaled by cos(reference latitude), fitted to ``width``."""

    bounds: Bounds
    width: float = MAP_WIDTH
    margin: float = MARGIN
    reference_latitude: float = REFERENCE_LATITUDE

    @property
    def _x_factor(self) -> float:
        return math.cos(math.radians(self.reference_latitude))

    @property
    def scale(self) -> float:
        """Map units per degree of latitude."""
        span = (self.bounds.east - self.bounds.west) * self._x_factor
        return (self.width - 2 * self.margin) / span

    @property
    def height(self) -> float:
        return (self.bounds.north - self.bounds.south) * self.scale + 2 * self.margin

    def __call__(self, longitude: float, latitude: float) -> Point:
        x = self.margin + (longitude - self.bounds.west) * self._x_factor * self.scale
        y = self.margin + (self.bounds.north - latitude) * self.scale
        return x, y


def _polygons(geometry: Mapping[str, Any]) -> list[list[list[list[float]]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["coordinates"])
    raise ValueError(f"unsupported geometry type: {geometry['type']!r}")


def bounds_of(features: Iterable[Mapping[str, Any]]) -> Bounds:
    longitudes: list[float] = []
    latitudes: list[float] = []
    for feature in features:
        for polygon in _polygons(feature["geometry"]):
            for ring in polygon:
                for longitude, latitude in ring:
                    longitudes.append(longitude)
                    latitudes.append(latitude)
    if not longitudes:
        raise ValueError("no coordinates")
    return Bounds(min(longitudes), max(longitudes), min(latitudes), max(latitudes))


# --- simplification ----------------------------------------------------------------------------


def _distance_to_segment(point: Point, start: Point, end: Point) -> float:
    (px, py), (ax, ay), (bx, by) = point, start, end
    dx, dy = bx - ax, by - ay
    length_squared = dx * dx + dy * dy
    if length_squared == 0:
        return math.hypot(px - ax, py - ay)
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length_squared))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def simplify(points: Sequence[Point], tolerance: float) -> Ring:
    """Douglas–Peucker: keep the first and last point and every point farther than
    ``tolerance`` from the simplified line (iterative, so long rings cannot overflow the stack)."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        farthest, distance = -1, tolerance
        for index in range(first + 1, last):
            candidate = _distance_to_segment(points[index], points[first], points[last])
            if candidate > distance:
                farthest, distance = index, candidate
        if farthest >= 0:
            keep[farthest] = True
            stack.append((first, farthest))
            stack.append((farthest, last))
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def ring_area(ring: Sequence[Point]) -> float:
    """Unsigned area (shoelace formula)."""
    total = 0.0
    for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True):
        total += x1 * y2 - x2 * y1
    return abs(total) / 2


def _rounded(ring: Iterable[Point]) -> Ring:
    """Round to one decimal and drop points that became equal to their predecessor."""
    result: Ring = []
    for x, y in ring:
        point = (round(x, 1), round(y, 1))
        if not result or point != result[-1]:
            result.append(point)
    if len(result) > 1 and result[0] == result[-1]:
        result.pop()  # the path closes itself with "z"
    return result


def _number(value: float) -> str:
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def path_data(rings: Iterable[Sequence[Point]]) -> str:
    """SVG path data: each ring as an absolute move, then relative lines, closed with ``z``."""
    parts: list[str] = []
    for ring in rings:
        if not ring:
            continue
        x0, y0 = ring[0]
        commands = [f"M{_number(x0)} {_number(y0)}l"]
        previous = ring[0]
        steps = []
        for x, y in ring[1:]:
            steps.append(f"{_number(round(x - previous[0], 1))} {_number(round(y - previous[1], 1))}")
            previous = (x, y)
        commands.append(" ".join(steps))
        commands.append("z")
        parts.append("".join(commands))
    return "".join(parts)


# --- shapes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LandShape:
    """One Land, projected and simplified: its key (ARS), name and SVG path."""

    ars: str
    name: str
    path: str


@dataclass(frozen=True)
class MapGeometry:
    width: float
    height: float
    shapes: tuple[LandShape, ...]
    #: The projection the shapes were drawn with; places points (:class:`MapPoint`) on the map.
    projection: Projection | None = None

    @property
    def view_box(self) -> str:
        return f"0 0 {_number(self.width)} {_number(self.height)}"


def build_geometry(
    collection: Mapping[str, Any],
    *,
    width: float = MAP_WIDTH,
    tolerance: float = TOLERANCE,
    min_ring_area: float = MIN_RING_AREA,
) -> MapGeometry:
    """Project, simplify and round every feature of a GeoJSON FeatureCollection of Länder
    (properties ``ars`` and ``name``); shapes in the order of their ARS."""
    features = sorted(collection["features"], key=lambda feature: str(feature["properties"]["ars"]))
    projection = Projection(bounds_of(features), width=width)
    shapes: list[LandShape] = []
    for feature in features:
        rings: list[Ring] = []
        for polygon in _polygons(feature["geometry"]):
            for ring in polygon:
                projected = [projection(longitude, latitude) for longitude, latitude in ring]
                simplified = _rounded(simplify(projected, tolerance))
                if len(simplified) >= 3:
                    rings.append(simplified)
        if not rings:
            raise ValueError(f"Land {feature['properties']['ars']} has no drawable ring")
        largest = max(rings, key=ring_area)
        kept = [ring for ring in rings if ring is largest or ring_area(ring) >= min_ring_area]
        shapes.append(
            LandShape(
                ars=str(feature["properties"]["ars"]),
                name=str(feature["properties"]["name"]),
                path=path_data(kept),
            )
        )
    return MapGeometry(
        width=width, height=round(projection.height, 1), shapes=tuple(shapes), projection=projection
    )


@lru_cache(maxsize=1)
def land_shapes() -> MapGeometry:
    """The 16 Länder from the shipped BKG file, computed once per process."""
    with LAENDER_GEOJSON.open(encoding="utf-8") as source:
        return build_geometry(json.load(source))


# --- choropleth classes -----------------------------------------------------------------------


@dataclass(frozen=True)
class ColourClass:
    """Counts from ``lower`` to ``upper`` (inclusive) are drawn in ``fill``; class 0 is "none"."""

    index: int
    lower: int
    upper: int
    fill: str


def colour_classes(maximum: int, *, palette: Sequence[str] = PALETTE) -> list[ColourClass]:
    """Class 0 for zero, then up to ``len(palette)`` classes of equal width covering 1..maximum.

    With a maximum up to the number of colours every count has its own class (1, 2, 3 …);
    above, the width is ``ceil(maximum / colours)`` (maximum 36, 5 colours → 1–8, 9–16, 17–24,
    25–32, 33–40). Only as many classes as are needed to reach ``maximum``; their colours are
    spread over the whole palette, so the highest class always gets the darkest tone and
    neighbouring classes differ as much as the palette allows.
    """
    if maximum < 0:
        raise ValueError("counts cannot be negative")
    classes = [ColourClass(0, 0, 0, ZERO_FILL)]
    if maximum == 0:
        return classes
    width = max(1, math.ceil(maximum / len(palette)))
    count = math.ceil(maximum / width)
    for index in range(1, count + 1):
        tone = len(palette) - 1 if count == 1 else round((index - 1) * (len(palette) - 1) / (count - 1))
        lower = (index - 1) * width + 1
        classes.append(ColourClass(index, lower, lower + width - 1, palette[tone]))
    return classes


def class_of(count: int, classes: Sequence[ColourClass]) -> ColourClass:
    for colour_class in classes:
        if colour_class.lower <= count <= colour_class.upper:
            return colour_class
    raise ValueError(f"count {count} is outside the classes")


# --- contrast (WCAG 2.x) ------------------------------------------------------------------------


def relative_luminance(colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


# --- SVG ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapPoint:
    """A place drawn as a dot (WGS84), with the title browsers show on hover."""

    longitude: float
    latitude: float
    label: str


def _points_layer(points: Sequence[MapPoint], geometry: MapGeometry) -> str:
    if geometry.projection is None:
        raise ValueError("this geometry has no projection: points cannot be placed")
    parts = [f'<g class="og-map__points" fill="{POINT_FILL}" stroke="{POINT_RING}" stroke-width="1">']
    for point in points:
        x, y = geometry.projection(point.longitude, point.latitude)
        parts.append(
            f'<circle cx="{_number(round(x, 1))}" cy="{_number(round(y, 1))}" r="{_number(POINT_RADIUS)}" '
            f'class="og-map__point"><title>{escape(point.label)}</title></circle>'
        )
    parts.append("</g>")
    return "".join(parts)


def _default_label(shape: LandShape, count: int) -> str:
    return f"{shape.name}: {count}"


def choropleth_svg(
    counts: Mapping[str, int],
    *,
    title: str,
    description: str = "",
    id_prefix: str = "og-map",
    label: Callable[[LandShape, int], str] = _default_label,
    geometry: MapGeometry | None = None,
    classes: Sequence[ColourClass] | None = None,
    points: Sequence[MapPoint] = (),
) -> str:
    """The map as an SVG element (text), one path per Land filled by its count's class.

    ``counts`` maps a Land's ARS ("12") to a number (missing: 0). ``title`` names the image
    (``aria-labelledby``); ``label`` gives each Land's hover title. ``points`` are drawn on top
    as dots, each with its own title (pages list them as text, too). All text is escaped.
    """
    geometry = geometry or land_shapes()
    if classes is None:
        classes = colour_classes(max((counts.get(shape.ars, 0) for shape in geometry.shapes), default=0))
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    labelled_by = f"{title_id} {desc_id}" if description else title_id
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{geometry.view_box}" '
        f'class="og-map__svg" role="img" aria-labelledby="{labelled_by}">',
        f'<title id="{title_id}">{escape(title)}</title>',
    ]
    if description:
        parts.append(f'<desc id="{desc_id}">{escape(description)}</desc>')
    parts.append(
        f'<g stroke="{BORDER}" stroke-width="{BORDER_WIDTH}" stroke-linejoin="round" fill-rule="evenodd">'
    )
    for shape in geometry.shapes:
        count = counts.get(shape.ars, 0)
        colour_class = class_of(count, classes)
        parts.append(
            f'<path d="{shape.path}" fill="{colour_class.fill}" data-ars="{escape(shape.ars)}" '
            f'data-count="{count}" class="og-map__land og-map__land--c{colour_class.index}">'
            f"<title>{escape(label(shape, count))}</title></path>"
        )
    parts.append("</g>")
    if points:
        parts.append(_points_layer(points, geometry))
    parts.append("</svg>")
    return "".join(parts)
