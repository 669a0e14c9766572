"""One helper decides between a full page and its partial, so each URL serves both kinds of request."""

from __future__ import annotations

from flask import make_response, render_template, request
from flask_babel import gettext as _


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


def form_status() -> int:
    """A form's page: 200 when first shown, 400 when shown again because what was posted was refused."""
    return 400 if request.method == "POST" else 200


def form_page(page: str, partial: str | None = None, **context):
    """`render` for a page with a form: 400 when the posted form comes back with its errors, else 200."""
    return render(page, partial, status=form_status(), **context)


def refuse(status: int, text: str):
    """The error page (or its fragment for htmx) that says exactly why a request was refused."""
    titles = {400: _("Bad request"), 403: _("Not allowed"), 409: _("Cannot be changed")}
    return render(
        "errors/error.html", partial="errors/_error.html", status=status, title=titles.get(status, ""), text=text
    )
