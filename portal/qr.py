"""QR codes as inline SVG, for activation letters and the turnout drive's printed sheets.

The qrcode library computes the module matrix; the drawing is one path with a rectangle per run of dark modules in a
row, with a fixed mask: a building's print holds a thousand codes or more, and the library's own SVG writer (a path
piece per module, each mask tried) took about 9 ms a code against about 1 ms here.
"""

from __future__ import annotations

import qrcode
from markupsafe import Markup

MASK = 0  # fixed: choosing the best of eight masks is most of the library's time, and any mask reads back


def svg(data: str, label: str) -> Markup:
    """An inline SVG QR code of `data` (error correction M), with an accessible label."""
    code = qrcode.QRCode(border=2, mask_pattern=MASK)
    code.add_data(data)
    code.make(fit=True)
    rows = code.get_matrix()
    size = len(rows)
    runs = []
    for y, row in enumerate(rows):
        x = 0
        while x < size:
            if not row[x]:
                x += 1
                continue
            start = x
            while x < size and row[x]:
                x += 1
            runs.append(f"M{start} {y}h{x - start}v1h{start - x}z")
    return Markup(  # noqa: S704 (drawn from our own addresses; the label is escaped)
        f'<svg role="img" aria-label="{Markup.escape(label)}" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {size} {size}" shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path d="{"".join(runs)}"/></svg>'
    )
