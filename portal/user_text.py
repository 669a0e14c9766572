"""Free text users write, kept twice: the source as typed and its HTML through `portal/markup.py`, rendered once.

A Markdown field is declared once, next to its model, with ``markdown_field(Model.source)`` and a ``<source>_html``
column from ``html_column()``. Whenever a service sets the source (in the constructor or by assignment) its HTML is
rendered and sanitised there and then, so pages show the stored ``<source>_html`` and no reader pays for parsing.
An UPDATE statement that bypasses the ORM passes its values through ``with_html``. The source stays for editing,
and `markup.plain_text` of it serves where HTML cannot go (excerpts, a request's timeline, the archive's search).

``MARKDOWN_FIELDS`` lists every field declared this way; the README names them and a test writes each through its
real form and reads its page.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import InstrumentedAttribute, MappedColumn, mapped_column

from portal.markup import render_markdown

MARKDOWN_FIELDS: list[InstrumentedAttribute] = []


def html_column() -> MappedColumn[Any]:
    """The column holding a Markdown field's sanitised HTML ("" while the source is empty)."""
    return mapped_column(sa.Text, default="", server_default="")


def html_key(source: InstrumentedAttribute) -> str:
    """The attribute that holds the HTML of `source` (``description`` → ``description_html``)."""
    return f"{source.key}_html"


def _html(text: str | None) -> str:
    return str(render_markdown(text))


def markdown_field(source: InstrumentedAttribute) -> None:
    """Render `source` into its ``_html`` column whenever it is set."""
    target_key = html_key(source)

    def render(target, value, oldvalue, initiator) -> None:
        setattr(target, target_key, _html(value))

    event.listen(source, "set", render)
    MARKDOWN_FIELDS.append(source)


def with_html(model: type, values: dict[str, Any]) -> dict[str, Any]:
    """`values` for a bulk UPDATE of `model`, with the HTML of every Markdown field among them added."""
    added = {
        html_key(field): _html(values[field.key])
        for field in MARKDOWN_FIELDS
        if field.class_ is model and field.key in values
    }
    return values | added
