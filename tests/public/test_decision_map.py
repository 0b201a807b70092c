"""The points layer of the Länder map (the selected labs on the public decision page)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from oglabs.places import maps

SVG = "{http://www.w3.org/2000/svg}"


def test_choropleth_svg_with_points_draws_a_titled_circle_per_point_inside_the_map() -> None:
    svg = maps.choropleth_svg(
        {},
        title="Ausgewählte Labore",
        points=[maps.MapPoint(13.405, 52.52, "Berlin"), maps.MapPoint(9.99, 53.55, "Hamburg <Nord>")],
    )
    root = ET.fromstring(svg)  # noqa: S314  # our own SVG, generated in the test
    circles = root.findall(f".//{SVG}circle")
    assert [circle.find(f"{SVG}title").text for circle in circles] == ["Berlin", "Hamburg <Nord>"]  # type: ignore[union-attr]
    _, _, width, height = (float(v) for v in root.get("viewBox", "").split())
    for circle in circles:
        assert 0 < float(circle.get("cx", "-1")) < width
        assert 0 < float(circle.get("cy", "-1")) < height
    # Berlin lies east of and south of Hamburg.
    berlin, hamburg = circles
    assert float(berlin.get("cx", "0")) > float(hamburg.get("cx", "0"))
    assert float(berlin.get("cy", "0")) > float(hamburg.get("cy", "0"))


def test_choropleth_svg_without_points_has_no_points_layer() -> None:
    assert "og-map__points" not in maps.choropleth_svg({}, title="Karte")


def test_points_need_a_geometry_with_projection() -> None:
    geometry = maps.land_shapes()
    bare = maps.MapGeometry(width=geometry.width, height=geometry.height, shapes=geometry.shapes)
    with pytest.raises(ValueError, match="projection"):
        maps.choropleth_svg({}, title="Karte", geometry=bare, points=[maps.MapPoint(10, 50, "x")])


@pytest.mark.parametrize("fill", [maps.ZERO_FILL, *maps.PALETTE])
def test_point_ring_contrasts_at_least_three_to_one_with_every_fill(fill: str) -> None:
    assert maps.contrast_ratio(maps.POINT_RING, fill) >= 3.0
