"""Error pages in the reader's language, as full pages or htmx fragments."""

from __future__ import annotations

from flask import Flask, current_app, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


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
        500: (_("Something went wrong"), _("Nothing was saved. Please try again later.")),
    }


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(CSRFError)
    def _csrf(error):
        title = _("Form expired")
        text = _("The form was open too long or came from elsewhere. Reload the page and send it again.")
        return _page(400, title, text)

    @app.errorhandler(HTTPException)
    def _http(error):
        if error.code is None or error.code < 400:
            return error
        title, text = _messages().get(error.code, (error.name, error.description))
        response = _page(error.code, title, text)
        for name in ("Allow", "Retry-After"):
            value = dict(error.get_headers()).get(name)
            if value:
                response.headers[name] = value
        return response

    if not app.testing:  # in tests a crash must surface as the exception itself

        @app.errorhandler(Exception)
        def _crash(error):
            app.logger.exception("unhandled error")
            title, text = _messages()[500]
            return _page(500, title, text)


def _page(status: int, title: str, text: str):
    template = "errors/_error.html" if getattr(request, "htmx", False) else "errors/error.html"
    return make_response(render_template(template, title=title, text=text, status=status), status)
