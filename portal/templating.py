"""Jinja filters for the domain's formats."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from functools import lru_cache

from flask import Flask
from flask_babel import format_datetime, get_locale, get_timezone
from jinja2 import pass_context
from markupsafe import Markup

from portal.db import utcnow
from portal.markup import render_markdown


def area(value) -> str:
    """An exclusive floor area as owners read it: two decimals and ㎡ (formatted from the Decimal, no float)."""
    return f"{Decimal(value).quantize(Decimal('0.01'))} ㎡"


def notice_title(notice) -> str:
    """A notice's title in the reader's language (the portal's own notices are translated, others as written)."""
    if notice.event and notice.event.startswith("vote.") and notice.vote is not None:
        from portal.voting.lifecycle import notice_title as vote_notice_title

        return vote_notice_title(notice.event, notice.vote.title)
    return notice.title


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


@pass_context  # never folded into a constant when the template compiles: the language is the request's
def label_filter(context, value, kind: str | None = None) -> Markup:
    """`{{ need.status|label }}`, `{{ "taken"|label("NeedStatus") }}`: the state's one word (portal/labels.py). A label
    is translator text from the catalogue, as trusted as gettext's in templates (which Jinja marks safe), so it is
    marked safe the same way: "Owners' committee" is printed as before, not as &#39;."""
    from portal.labels import label  # the models it names are loaded by the time a page is drawn

    return Markup(label(value, kind))  # noqa: S704


def init_app(app: Flask) -> None:
    """Register the filters."""
    app.jinja_env.filters["area"] = area
    app.jinja_env.filters["datetimeformat"] = datetimeformat
    app.jinja_env.filters["notice_title"] = notice_title
    app.jinja_env.filters["fromjson"] = json.loads
    app.jinja_env.filters["label"] = label_filter
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.globals["now_utc"] = utcnow
