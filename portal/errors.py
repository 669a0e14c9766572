"""Error pages in the reader's language, as full pages or htmx fragments."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask, current_app, g, has_request_context, make_response, render_template, request, session
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy import event
from sqlalchemy.engine import Engine
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

    if not event.contains(Engine, "before_cursor_execute", _refuse_writes):
        event.listen(Engine, "before_cursor_execute", _refuse_writes)

    @app.errorhandler(CSRFError)
    def _csrf(error):
        again = _form_again() if request.method == "POST" else None
        if again is not None:
            return again
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


class _WriteRefused(Exception):
    """A statement that would change data, run while a form whose token failed is shown again."""


# What may run while such a form is shown again: reading, and the transaction's own bookkeeping.
_READS = re.compile(r"^\s*(SELECT|PRAGMA|SAVEPOINT|RELEASE|ROLLBACK|BEGIN|SHOW|SET)\b", re.IGNORECASE)
_WITH_READ = re.compile(r"^\s*WITH\b(?!.*\b(INSERT|UPDATE|DELETE|MERGE)\b)", re.IGNORECASE | re.DOTALL)


def _refuse_writes(conn, cursor, statement, parameters, context, executemany) -> None:
    """While a form is shown again after its token failed, any statement that writes is refused (an INSERT of an
    audit line included): its view may only read."""
    if has_request_context() and g.get("form_again") and not (_READS.match(statement) or _WITH_READ.match(statement)):
        raise _WriteRefused(statement.split(None, 1)[0])


def _form_again():
    """A POST whose CSRF token expired or is missing: its own view run again, writing nothing, so that its form
    comes back as typed with a fresh token and the expiry said in its error summary (400); None when the view does
    not answer that way (it writes without a form, redirects, refuses), and the plain error page is shown instead.

    Nothing can be written: the view's forms refuse the token themselves, any statement that writes is refused
    (`_refuse_writes`), and the transaction is rolled back whatever happens."""
    view = current_app.view_functions.get(request.endpoint) if request.url_rule is not None else None
    if view is None:
        return None
    had_flashes, flashes = "_flashes" in session, list(session.get("_flashes", ()))
    g.form_again, g.form_again_said = True, False
    response = None
    try:
        answered = _rest_of_preprocessing()
        response = current_app.make_response(answered if answered is not None else view(**request.view_args))
    except (HTTPException, _WriteRefused):
        response = None
    finally:
        g.form_again = False
        from portal.extensions import db

        db.session.rollback()
    if response is not None and response.status_code == 400 and g.form_again_said:
        return response
    # Not shown again: what the run flashed would tell of something that did not happen.
    if had_flashes:
        session["_flashes"] = flashes
    else:
        session.pop("_flashes", None)
    return None


def _rest_of_preprocessing():
    """The request hooks that the failed CSRF check kept from running (those after it, the blueprints' too); a
    response one of them gives (e.g. a refusal) ends the run."""
    hooks = list(current_app.before_request_funcs.get(None, ()))
    names = [getattr(hook, "__qualname__", "") for hook in hooks]
    after = next((i + 1 for i, name in enumerate(names) if name.startswith("CSRFProtect.")), 0)
    for hook in hooks[after:]:
        answered = hook()
        if answered is not None:
            return answered
    for name in reversed(request.blueprints):
        for hook in current_app.before_request_funcs.get(name, ()):
            answered = hook()
            if answered is not None:
                return answered
    return None
