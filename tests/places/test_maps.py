"""The SVG map of the Länder: projection, geometry, colour classes, contrast, well-formed SVG.

Pure: no database.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest

from oglabs.places import maps
from oglabs.places.maps import Bounds, ColourClass, Projection

SVG = "{http://www.w3.org/2000/svg}"
LAENDER = {
    "01": "Schleswig-Holstein",
    "02": "Hamburg",
    "03": "Niedersachsen",
    "04": "Bremen",
    "05": "Nordrhein-Westfalen",
    "06": "Hessen",
    "07": "Rheinland-Pfalz",
    "08": "Baden-Württemberg",
    "09": "Bayern",
    "10": "Saarland",
    "11": "Berlin",
    "12": "Brandenburg",
    "13": "Mecklenburg-Vorpommern",
    "14": "Sachsen",
    "15": "Sachsen-Anhalt",
    "16": "Thüringen",
}


def test_projection_puts_north_west_corner_at_margin() -> None:
    projection = Projection(Bounds(west=6.0, east=15.0, south=47.0, north=55.0), width=400, margin=2)
    assert projection(6.0, 55.0) == (2.0, 2.0)
    x, y = projection(15.0, 47.0)
    assert x == pytest.approx(398.0)
    assert y == pytest.approx(projection.height - 2.0)


def test_projection_scales_longitude_by_cosine_of_51_degrees() -> None:
    projection = Projection(Bounds(west=6.0, east=15.0, south=47.0, north=55.0))
    x0, y0 = projection(10.0, 51.0)
    x1, _ = projection(11.0, 51.0)
    _, y1 = projection(10.0, 50.0)
    assert (x1 - x0) / (y1 - y0) == pytest.approx(math.cos(math.radians(51.0)))


def test_simplify_drops_points_within_tolerance_and_keeps_ends() -> None:
    line = [(0.0, 0.0), (1.0, 0.1), (2.0, -0.1), (3.0, 0.0), (4.0, 5.0), (5.0, 0.0)]
    assert maps.simplify(line, 0.5) == [(0.0, 0.0), (3.0, 0.0), (4.0, 5.0), (5.0, 0.0)]


def test_path_data_moves_absolutely_then_draws_relative_lines() -> None:
    assert maps.path_data([[(1.0, 2.0), (3.5, 2.0), (3.5, 0.0)]]) == "M1 2l2.5 0 0 -2z"


def test_ring_area_of_unit_square_is_one() -> None:
    assert maps.ring_area([(0, 0), (1, 0), (1, 1), (0, 1)]) == 1.0


def test_land_shapes_have_one_closed_path_per_land() -> None:
    geometry = maps.land_shapes()
    assert {shape.ars: shape.name for shape in geometry.shapes} == LAENDER
    assert [shape.ars for shape in geometry.shapes] == sorted(LAENDER)
    for shape in geometry.shapes:
        assert shape.path.startswith("M"), shape.name
        assert shape.path.endswith("z"), shape.name
    assert geometry.width == 400.0
    assert 500 < geometry.height < 560  # Germany is taller than wide
    assert geometry.view_box == f"0 0 400 {maps._number(geometry.height)}"


def test_land_shapes_are_computed_once_per_process() -> None:
    assert maps.land_shapes() is maps.land_shapes()


def test_brandenburg_keeps_berlin_as_a_hole() -> None:
    brandenburg = next(shape for shape in maps.land_shapes().shapes if shape.ars == "12")
    assert brandenburg.path.count("M") == 2


def test_colour_classes_for_zero_have_only_the_none_class() -> None:
    assert maps.colour_classes(0) == [ColourClass(0, 0, 0, maps.ZERO_FILL)]


def test_colour_classes_give_small_counts_one_class_each_spread_over_the_palette() -> None:
    classes = maps.colour_classes(3)
    assert [(c.index, c.lower, c.upper, c.fill) for c in classes] == [
        (0, 0, 0, "#ffffff"),
        (1, 1, 1, maps.PALETTE[0]),
        (2, 2, 2, maps.PALETTE[2]),
        (3, 3, 3, maps.PALETTE[4]),
    ]


def test_colour_classes_give_a_single_class_the_darkest_tone() -> None:
    assert [(c.lower, c.upper, c.fill) for c in maps.colour_classes(1)][1:] == [(1, 1, maps.PALETTE[-1])]


def test_colour_classes_split_larger_counts_into_equal_steps() -> None:
    classes = maps.colour_classes(36)
    assert [(c.lower, c.upper) for c in classes] == [(0, 0), (1, 8), (9, 16), (17, 24), (25, 32), (33, 40)]
    assert [c.fill for c in classes[1:]] == list(maps.PALETTE)
    assert [maps.class_of(count, classes).index for count in (0, 1, 8, 9, 24, 25, 36)] == [
        0,
        1,
        1,
        2,
        3,
        4,
        5,
    ]


def test_colour_classes_refuse_negative_counts() -> None:
    with pytest.raises(ValueError, match="negative"):
        maps.colour_classes(-1)


def test_class_of_refuses_counts_above_the_classes() -> None:
    with pytest.raises(ValueError, match="outside"):
        maps.class_of(4, maps.colour_classes(3))


@pytest.mark.parametrize("fill", [maps.ZERO_FILL, *maps.PALETTE])
def test_border_contrasts_at_least_three_to_one_with_every_fill(fill: str) -> None:
    assert maps.contrast_ratio(maps.BORDER, fill) >= 3.0


def test_contrast_ratio_of_black_on_white_is_21() -> None:
    assert maps.contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)


def test_choropleth_svg_is_well_formed_with_a_titled_path_per_land() -> None:
    svg = maps.choropleth_svg(
        {"12": 4, "09": 36, "11": 0}, title="Karte der Länder", description="Je dunkler, desto mehr."
    )
    root = ET.fromstring(svg)  # noqa: S314  # our own SVG, generated in the test, not untrusted input
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "og-map-title og-map-desc"
    assert root.find(f"{SVG}title").text == "Karte der Länder"  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").text == "Je dunkler, desto mehr."  # type: ignore[union-attr]
    paths = root.findall(f".//{SVG}path")
    assert len(paths) == 16
    titles = {path.get("data-ars"): path.find(f"{SVG}title").text for path in paths}  # type: ignore[union-attr]
    assert titles["12"] == "Brandenburg: 4"
    assert titles["09"] == "Bayern: 36"
    assert titles["01"] == "Schleswig-Holstein: 0"
    fills = {path.get("data-ars"): path.get("fill") for path in paths}
    assert fills["09"] == maps.PALETTE[4]  # 33–40
    assert fills["12"] == maps.PALETTE[0]  # 1–8
    assert fills["11"] == maps.ZERO_FILL


def test_choropleth_svg_escapes_every_text() -> None:
    svg = maps.choropleth_svg(
        {"12": 1},
        title='<script>alert("x")</script> & Co',
        label=lambda shape, count: f"{shape.name} <{count}>",
    )
    root = ET.fromstring(svg)  # noqa: S314  # our own SVG, generated in the test, not untrusted input
    assert root.find(f"{SVG}title").text == '<script>alert("x")</script> & Co'  # type: ignore[union-attr]
    assert "<script>" not in svg
    assert "Brandenburg &lt;1&gt;" in svg


def test_choropleth_svg_stays_small() -> None:
    svg = maps.choropleth_svg(dict.fromkeys(LAENDER, 7), title="Karte")
    assert len(svg.encode("utf-8")) < 60_000
