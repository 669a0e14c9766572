"""One helper decides between a full page and its partial, so each URL serves both kinds of request."""

from __future__ import annotations

from flask import make_response, render_template, request


def wants_partial() -> bool:
    """An htmx request that is not a history restore gets the fragment."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def render(page: str, partial: str | None = None, status: int = 200, **context):
    """Render `partial` for htmx requests and `page` (which includes it) otherwise; vary on HX-Request."""
    template = partial if partial and wants_partial() else page
    response = make_response(render_template(template, **context), status)
    response.headers["Vary"] = "HX-Request"
    return response
