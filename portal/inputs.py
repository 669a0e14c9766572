"""Hostile input stopped at the door: NUL bytes and invalid UTF-8 are refused (400), ids beyond the database's INTEGER
match no route (404), and numbers read from query strings and forms are bounded before they reach a query.

PostgreSQL refuses NUL in text and overflows INTEGER above 2**31 - 1 (SQLite overflows above 2**63 - 1): either
would otherwise surface as a 500 from deep inside a view. Werkzeug does not refuse invalid UTF-8 either: it keeps it
as literal "%FF" text in a query or form, and as U+FFFD in a path.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

DB_INT_MAX = 2**31 - 1  # PostgreSQL INTEGER, the type of every id
PAGE_MAX = 100_000  # far past the last page of any list; keeps OFFSET inside BIGINT


class IdConverter(IntegerConverter):
    """`<int:…>` bounded by the database's INTEGER: a larger number matches no route (404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=DB_INT_MAX, signed=False):  # noqa: A002 (Werkzeug's names)
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def db_int(value) -> int | None:
    """A whole number written in ASCII digits that fits the database's INTEGER; None for anything else ("²" is a
    digit to str.isdigit but not to int)."""
    text = str(value if value is not None else "").strip()
    if not text or len(text) > 10 or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if number <= DB_INT_MAX else None


def page_number(value) -> int:
    """A page number from the query string: 1 when missing or malformed, never past PAGE_MAX."""
    return min(max(db_int(value) or 1, 1), PAGE_MAX)


def _hostile_bytes(raw: bytes | str) -> bool:
    """NUL, or bytes that are not UTF-8, once the percent-encoding is undone (Werkzeug would keep invalid UTF-8 as
    literal "%FF" text in a query or form, and as U+FFFD in a path)."""
    data = unquote_to_bytes(raw)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return b"\x00" in data


def _hostile_text(text: str | None) -> bool:
    """NUL, or U+FFFD: what Werkzeug makes of bytes that are not UTF-8 in a multipart form."""
    return bool(text) and ("\x00" in text or "\ufffd" in text)


def init_app(app: Flask) -> None:
    """Bound `<int:…>` (before any route is added) and refuse NUL bytes and invalid UTF-8 in every request."""
    app.url_map.converters["int"] = IdConverter

    @app.before_request
    def _refuse_hostile_input():
        """400 for a NUL byte or invalid UTF-8 anywhere in the path, the query string or the form (names, values
        and file names): no view has to think about them, and none reaches the database."""
        raw = [request.environ.get("PATH_INFO", "").encode("latin-1", "replace"), request.query_string]
        if request.mimetype == "application/x-www-form-urlencoded":
            raw.append(request.get_data(cache=True))  # the form is still parsed from this cached copy
        texts = [request.path]  # Werkzeug's test client hands the path over with U+FFFD already in it
        if request.mimetype == "multipart/form-data":
            texts += [text for pair in request.form.items(multi=True) for text in pair]
            texts += [upload.filename for upload in request.files.values()]
        if any(_hostile_bytes(data) for data in raw) or any(_hostile_text(text) for text in texts):
            abort(400)
