"""Error pages in the reader's language, as full pages or htmx fragments."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The request could not be understood. Go back and try again.")),
        403: (_("Not allowed"), _("You are not allowed to do this.")),
        404: (_("Not found"), _("This page does not exist, or you are not allowed to see it.")),
        405: (_("Not allowed"), _("This action cannot be done this way.")),
        413: (
            _("File too large"),
            _("The file is larger than the limit of %(mb)s MB.", mb=current_app.config["PORTAL_UPLOAD_LIMIT_MB"]),
        ),
        429: (_("Too many attempts"), _("Too many attempts. Please wait a minute and try again.")),
        500: (
            _("Something went wrong"),
            # A connection lost during the commit may still have saved it: never promise that nothing was saved.
            _(
                "The request could not be finished. If you were saving something, open the page again to see "
                "whether it was saved before you try again."
            ),
        ),
    }


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(CSRFError)
    def _csrf(error):
        return _page(
            400,
            lambda: (
                _("Form expired"),
                _("The form was open too long or came from elsewhere. Reload the page and send it again."),
            ),
        )

    @app.errorhandler(HTTPException)
    def _http(error):
        if error.code is None or error.code < 400:
            return error
        response = _page(error.code, lambda: _messages().get(error.code, (error.name, error.description)))
        for name in ("Allow", "Retry-After"):
            value = dict(error.get_headers()).get(name)
            if value:
                response.headers[name] = value
        return response

    if not app.testing:  # in tests a crash must surface as the exception itself

        @app.errorhandler(Exception)
        def _crash(error):
            app.logger.exception("unhandled error")
            return _page(500, lambda: _messages()[500])


def _page(status: int, texts: Callable[[], tuple[str, str]]):
    """The error page with `texts()` (title, text); it must never fail itself, or the server's bare page goes out
    without the security headers."""
    from portal.extensions import db

    template = "errors/_error.html" if getattr(request, "htmx", False) else "errors/error.html"
    try:
        # Nothing of a refused or failed request is kept (portal/db.py rolls back every error anyway), and the page
        # reads the database (the person's language, the inbox count): a session the error left failed would fail
        # the page too.
        db.session.rollback()
        title, text = texts()
        body = render_template(template, title=title, text=text, status=status)
    except Exception:  # the database itself is gone: a page that needs nothing, not even the person's language
        if current_app.testing:  # tests must see a broken error page, not its fallback
            raise
        current_app.logger.exception("error page failed")
        title = HTTP_STATUS_CODES.get(status, "Error")
        body = f"<!doctype html><title>{escape(title)}</title><h1>{status} {escape(title)}</h1>"
    return make_response(body, status)
