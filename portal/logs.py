"""Log lines: INFO by default, each carrying its request's id, as text or as one JSON object per line.

The id comes from the proxy's `X-Request-ID` (nginx: `proxy_set_header X-Request-ID $request_id;`) when it is a
short safe token, else it is made here; the response carries it back, so a complaint, the proxy's access log and the
application's lines can be put side by side.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from datetime import UTC, datetime

from flask import Flask, has_request_context, request

HEADER = "X-Request-ID"
SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")  # anything else (spaces, CR/LF, markup) could forge or break a line
NO_REQUEST = "-"  # lines written outside a request: start-up, commands, the timer
_ENVIRON_KEY = "linli.request_id"  # on the request itself: tests keep one app context (and `g`) across requests
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def request_id() -> str:
    """This request's id: the proxy's when it is a short safe token, else a new random one; "-" outside requests."""
    if not has_request_context():
        return NO_REQUEST
    environ = request.environ
    found = environ.get(_ENVIRON_KEY)
    if found is None:
        given = environ.get("HTTP_X_REQUEST_ID", "")
        found = environ[_ENVIRON_KEY] = given if SAFE_ID.fullmatch(given) else uuid.uuid4().hex
    return found


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, request id, message and any traceback."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON (non-ASCII kept readable)."""
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", NO_REQUEST),
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def _install_record_factory() -> None:
    """Give every record in the process its request id (set on the record, so every handler sees it)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "linli", False):
        return

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.request_id = request_id()
        return record

    factory.linli = True
    logging.setLogRecordFactory(factory)


def _level(app: Flask) -> int:
    """The configured level, or a clear start-up error."""
    from portal.config import ConfigError

    name = str(app.config.get("PORTAL_LOG_LEVEL") or "INFO").upper()
    level = logging.getLevelName(name)
    if not isinstance(level, int):
        raise ConfigError(f"PORTAL_LOG_LEVEL={name} is not a log level: use DEBUG, INFO, WARNING or ERROR.")
    return level


def init_app(app: Flask) -> None:
    """Configure the root logger once per process (level and format from this app) and tag responses with the id."""
    from flask.logging import default_handler

    level = _level(app)
    _install_record_factory()
    as_json = str(app.config.get("PORTAL_LOG_JSON") or "0").strip().lower() in ("1", "true", "yes", "on")
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, "linli", False)), None)
    if handler is None:
        # Added beside whatever is there (pytest's capture, a server's own handlers), never replacing it.
        handler = logging.StreamHandler(sys.stderr)
        handler.linli = True
        root.addHandler(handler)
    handler.setFormatter(JsonFormatter() if as_json else logging.Formatter(TEXT_FORMAT))
    root.setLevel(level)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # a line per plugin whenever it loads
    app.logger.removeHandler(default_handler)  # the root handler writes the app's lines: once, with the id

    @app.after_request
    def _tag(response):
        response.headers[HEADER] = request_id()
        return response
