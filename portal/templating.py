"""Jinja filters for the domain's formats."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from functools import lru_cache

from flask import Flask
from flask_babel import format_datetime, get_locale, get_timezone

from portal.db import utcnow
from portal.markup import plain_text


def area(value) -> str:
    """An exclusive floor area as owners read it: two decimals and ㎡ (formatted from the Decimal, no float)."""
    return f"{Decimal(value).quantize(Decimal('0.01'))} ㎡"


@lru_cache(maxsize=4096)
def _short(locale: str, zone: str, minute: datetime) -> str:
    return format_datetime(minute, "short")


def datetimeformat(value: datetime | None = None, format: str | None = None, rebase: bool = True) -> str:
    """flask-babel's datetimeformat, with "short" (which shows no seconds) remembered per minute: a meeting page
    lists hundreds of comment times, and formatting each one anew was a third of its render time."""
    if format != "short" or not rebase or value is None:
        return format_datetime(value, format, rebase)
    minute = value.replace(second=0, microsecond=0)
    return _short(str(get_locale()), str(get_timezone()), minute)


def init_app(app: Flask) -> None:
    """Register the filters."""
    app.jinja_env.filters["area"] = area
    app.jinja_env.filters["datetimeformat"] = datetimeformat
    app.jinja_env.filters["fromjson"] = json.loads
    # What users write is shown from its stored HTML (portal/user_text.py); excerpts take its plain words.
    app.jinja_env.filters["plain_text"] = plain_text
    app.jinja_env.globals["now_utc"] = utcnow
