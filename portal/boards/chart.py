"""Small horizontal bar charts drawn as inline SVG on the server (no chart script; the CSP allows inline <svg>).

Geometry is exact and in integers: each bar's width *is* its figure, drawn in a nested <svg> whose viewBox spans
0 … the largest figure and is stretched across the bar area, so bars are exactly proportional to the figures whatever
their size. The chart is a picture for sighted readers: it is role="img" with a <title> and a <desc> giving every
figure, and the page shows a table with the same figures beside it. Labels come in translated from the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from portal.templating import colon, separator

WIDTH = 320  # fits a 360 px phone inside the page's padding; CSS lets it shrink further
PAD = 8
ROW = 40  # label line (font 14) + bar (14) + gap
LABEL_BASELINE = 15
BAR_TOP = 20
BAR_HEIGHT = 14
BAR_WIDTH = WIDTH - 2 * PAD

BACKGROUND = "#ffffff"  # a light card in both colour schemes, so the contrasts below always hold
TEXT = "#1a1a1a"  # 17:1 on white
TRACK = "#e8e8e8"  # the full scale behind each bar (decorative)
# Bar colours, each at least 5:1 against white and 4:1 against the track (WCAG 1.4.11 asks 3:1).
BLUE, GREEN, TEAL, RED, GREY, AMBER = "#1f4e8c", "#1b6e3a", "#00695c", "#a11212", "#595959", "#8a5a00"


@dataclass(frozen=True)
class Bar:
    """One labelled figure."""

    label: str
    value: int
    colour: str = BLUE


def height(rows: int) -> int:
    """The chart's height for this many bars."""
    return 2 * PAD + rows * ROW - (ROW - BAR_TOP - BAR_HEIGHT)


def bars(chart_id: str, title: str, bars: Sequence[Bar]) -> Markup:
    """An accessible horizontal bar chart of non-negative integer figures, as inline SVG markup."""
    if any(bar.value < 0 for bar in bars):
        raise ValueError("bar charts show counts, never negative")
    scale = max([bar.value for bar in bars] + [1])
    total_height = height(len(bars))
    description = separator().join(f"{bar.label}{colon()}{bar.value}" for bar in bars)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" role="img" '
        f'width="{WIDTH}" height="{total_height}" viewBox="0 0 {WIDTH} {total_height}" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>',
        f'<rect width="{WIDTH}" height="{total_height}" rx="6" fill="{BACKGROUND}"/>',
    ]
    for i, bar in enumerate(bars):
        y = PAD + i * ROW
        out.append(
            f'<text x="{PAD}" y="{y + LABEL_BASELINE}" font-size="14" fill="{TEXT}">'
            f'{escape(bar.label)} <tspan font-weight="700">{bar.value}</tspan></text>'
        )
    out.append(
        f'<svg x="{PAD}" y="0" width="{BAR_WIDTH}" height="{total_height}" '
        f'viewBox="0 0 {scale} {total_height}" preserveAspectRatio="none">'
    )
    for i, bar in enumerate(bars):
        y = PAD + i * ROW + BAR_TOP
        out.append(f'<rect class="track" x="0" y="{y}" width="{scale}" height="{BAR_HEIGHT}" fill="{TRACK}"/>')
        out.append(
            f'<rect class="bar" x="0" y="{y}" width="{bar.value}" height="{BAR_HEIGHT}" fill="{escape(bar.colour)}" '
            f'data-value="{bar.value}"/>'
        )
    out.append("</svg></svg>")
    return Markup("".join(out))  # noqa: S704 (our own tags; every text and attribute value is escaped or an int)
