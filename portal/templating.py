"""Jinja filters for the domain's formats."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from flask import Flask
from flask_babel import format_date, format_datetime, get_locale, get_timezone, ngettext
from markupsafe import Markup

from portal.db import utcnow
from portal.forms import error_links, summary_title
from portal.markup import plain_text


def area(value) -> str:
    """An exclusive floor area as owners read it: "22,043.10 ㎡", two decimals with thousands separators
    (formatted from the Decimal, no float)."""
    return f"{Decimal(value).quantize(Decimal('0.01')):,} ㎡"


def heads(value: int) -> str:
    """A number of people as owners read it: "169 人" ("169 people"), with thousands separators."""
    return ngettext("%(count)s person", "%(count)s people", int(value), count=f"{int(value):,}")


# One way to write a moment and a day in each language (the glossary's "2026年12月2日 14:30"), whatever page or
# notice shows it; in Beijing time.
PATTERNS = {
    "zh": ("y年M月d日 HH:mm", "y年M月d日"),
    "en": ("d MMM y, HH:mm", "d MMM y"),
}


def _patterns() -> tuple[str, str]:
    return PATTERNS.get(get_locale().language, PATTERNS["en"])


@lru_cache(maxsize=4096)
def _minute(locale: str, zone: str, minute: datetime) -> str:
    return format_datetime(minute, _patterns()[0])


def datetimeformat(value: datetime | None = None, format: str | None = None) -> str:
    """A moment to the minute, e.g. 2026年12月2日 14:30 / 2 Dec 2026, 14:30 (`format` is not used: there is one).

    Remembered per minute: a meeting page lists hundreds of comment times, and formatting each one anew was a third
    of its render time."""
    minute = (value or utcnow()).replace(second=0, microsecond=0)
    return _minute(str(get_locale()), str(get_timezone()), minute)


def dateformat(value: date | datetime | None = None, format: str | None = None) -> str:
    """A day, e.g. 2026年12月2日 / 2 Dec 2026 (a moment is taken in Beijing time; `format` is not used)."""
    return format_date(value if value is not None else utcnow(), _patterns()[1])


def _chinese() -> bool:
    """Chinese punctuation: the request's language, or the default language (Chinese) outside a request."""
    locale = get_locale()
    return locale is None or locale.language == "zh"


def colon() -> str:
    """The colon after a label: full-width "：" in Chinese, ": " in English."""
    return "：" if _chinese() else ": "


def paren(text) -> Markup:
    """`text` in brackets: full-width "（…）" in Chinese, "(…)" in English (what `text` holds is escaped unless it is
    Markup already)."""
    left, right = ("（", "）") if _chinese() else ("(", ")")
    return Markup("{}{}{}").format(left, text, right)


def separator() -> str:
    """Between the items of a list written in one line: "；" in Chinese, "; " in English."""
    return "；" if _chinese() else "; "


def comma() -> str:
    """Between the names of a short enumeration (3栋、5栋): the enumeration comma "、" in Chinese, ", " in English."""
    return "、" if _chinese() else ", "


def init_app(app: Flask) -> None:
    """Register the filters."""
    app.jinja_env.filters["area"] = area
    app.jinja_env.filters["heads"] = heads
    app.jinja_env.filters["datetimeformat"] = datetimeformat
    app.jinja_env.filters["dateformat"] = dateformat
    app.jinja_env.filters["fromjson"] = json.loads
    # What users write is shown from its stored HTML (portal/user_text.py); excerpts take its plain words.
    app.jinja_env.filters["plain_text"] = plain_text
    app.jinja_env.globals["now_utc"] = utcnow
    app.jinja_env.globals["colon"] = colon
    app.jinja_env.globals["paren"] = paren
    app.jinja_env.globals["separator"] = separator
    app.jinja_env.globals["comma"] = comma
    app.jinja_env.globals["form_error_links"] = error_links
    app.jinja_env.globals["form_errors_title"] = summary_title
