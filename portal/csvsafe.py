"""Every CSV the portal writes goes through here, so that no cell can become a spreadsheet formula.

A name, title or room typed by a person ("=HYPERLINK(...)", "+1", "@SUM(A1)") would otherwise run as a formula when
staff open the file in Excel or WPS (CSV injection). The rule, from OWASP: a text cell that starts with `=`, `+`,
`-`, `@`, a tab or a carriage return gets a leading `'`, which spreadsheets show as plain text.

Only text is escaped; numbers (int, Decimal, float) are written as they are. A number cannot carry a formula, and a
quote would turn it into text that no longer sums; the portal's own counts and areas are never negative anyway. A
number the portal writes as a string ("598.88", "61.5% (8/13)") starts with a digit and passes unchanged.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from decimal import Decimal
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """One cell as it is written: text that a spreadsheet would read as a formula gets a leading apostrophe."""
    if value is None or (isinstance(value, int | float | Decimal) and not isinstance(value, bool)):
        return value  # csv writes None as an empty cell; a number is never a formula
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class Writer:
    """csv.writer with every cell passed through `cell` (the only CSV writer the portal uses)."""

    def __init__(self, stream: IO[str], **options: Any) -> None:
        """Write to `stream` with csv.writer's own options (dialect, lineterminator, ...)."""
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        """Write one row, each cell made safe."""
        return self._writer.writerow([cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        """Write several rows, each cell made safe."""
        for row in rows:
            self.writerow(row)


def writer(stream: IO[str], **options: Any) -> Writer:
    """A safe CSV writer on `stream` (same options as csv.writer)."""
    return Writer(stream, **options)
