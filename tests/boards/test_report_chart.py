"""The report card's charts: well-formed SVG, bars exactly proportional to the figures, accessible, 360 px wide."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from fractions import Fraction

import pytest

from portal.boards import chart

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))  # noqa: S314 (the portal's own output)


def _bars(root) -> list[ET.Element]:
    return [r for r in root.iter(SVG + "rect") if r.get("class") == "bar"]


@pytest.mark.parametrize("values", [[7, 4, 3, 2, 1], [0, 0, 0, 0, 0], [1000, 999, 1, 0, 250], [1]])
def test_bars_are_proportional_to_the_figures(values):
    root = _parse(chart.bars("c", "图", [chart.Bar(f"项{i}", v) for i, v in enumerate(values)]))
    inner = root.find(SVG + "svg")
    scale = int(inner.get("viewBox").split()[2])
    assert scale == max(values + [1]) and inner.get("preserveAspectRatio") == "none"
    area = int(inner.get("width"))
    for bar, value in zip(_bars(root), values, strict=True):
        assert int(bar.get("width")) == value == int(bar.get("data-value"))
        # drawn length: exactly value / largest of the bar area (the viewBox scales the bar's width to the area)
        assert Fraction(int(bar.get("width")), scale) * area == Fraction(value, max(values) or 1) * area
    tracks = [r for r in root.iter(SVG + "rect") if r.get("class") == "track"]
    assert {int(t.get("width")) for t in tracks} == {scale}


def test_every_coordinate_is_an_integer_and_the_chart_fits_a_phone():
    root = _parse(chart.bars("c", "图", [chart.Bar("a", 3), chart.Bar("b", 5)]))
    assert int(root.get("width")) <= 328  # 360 px less the page's padding
    for element in root.iter():
        for name in ("x", "y", "width", "height"):
            if element.get(name) is not None:
                int(element.get(name))
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"


def test_the_chart_is_an_image_with_a_name_and_every_figure_in_words():
    root = _parse(chart.bars("fig", "2026年承诺", [chart.Bar("已兑现", 4), chart.Bar("逾期", 2)]))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "fig-title fig-desc"
    assert root.find(SVG + "title").text == "2026年承诺"
    assert root.find(SVG + "desc").text == "已兑现：4；逾期：2"
    texts = ["".join(t.itertext()) for t in root.iter(SVG + "text")]
    assert texts == ["已兑现 4", "逾期 2"]


def test_labels_are_escaped():
    root = _parse(chart.bars("x", "<b>&", [chart.Bar('<script>"', 1)]))
    assert root.find(SVG + "title").text == "<b>&"
    assert "".join(next(root.iter(SVG + "text")).itertext()) == '<script>" 1'


def test_negative_figures_are_refused():
    with pytest.raises(ValueError):
        chart.bars("x", "t", [chart.Bar("a", -1)])


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("colour", [chart.BLUE, chart.GREEN, chart.TEAL, chart.RED, chart.GREY, chart.AMBER])
def test_bar_colours_stand_out(colour):
    assert _contrast(colour, chart.BACKGROUND) >= 4.5
    assert _contrast(colour, chart.TRACK) >= 3


def test_text_is_readable():
    assert _contrast(chart.TEXT, chart.BACKGROUND) >= 7
