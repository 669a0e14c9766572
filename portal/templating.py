"""Jinja filters for the domain's formats."""

from __future__ import annotations

import json
from decimal import Decimal

from flask import Flask

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


def init_app(app: Flask) -> None:
    """Register the filters."""
    app.jinja_env.filters["area"] = area
    app.jinja_env.filters["notice_title"] = notice_title
    app.jinja_env.filters["fromjson"] = json.loads
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.globals["now_utc"] = utcnow
