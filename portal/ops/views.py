"""/healthz and /readyz: small JSON for the proxy, systemd and the monitor; no login, never cached."""

from __future__ import annotations

import logging

from flask import current_app, jsonify

from portal.extensions import csrf
from portal.ops import bp, checks

log = logging.getLogger(__name__)


@bp.route("/healthz")
@csrf.exempt
def healthz():
    """The process is alive and answers; touches nothing else."""
    return _answer({"status": "ok"}, 200)


@bp.route("/readyz")
@csrf.exempt
def readyz():
    """Ready for traffic: the database answers and is at the latest migration, and Redis answers when configured."""
    results = {"database": checks.database(current_app)}
    if results["database"].ok:
        results["migrations"] = checks.migrations(current_app)
    else:
        results["migrations"] = checks.Result("migrations", False, "the database is not reachable")
    # Whether production must have Redis is `portal check`'s question; readiness only asks whether it answers.
    configured = checks.redis_url(current_app) is not None
    results["redis"] = checks.redis(current_app) if configured else checks.Result("redis", True)
    ready = all(result.ok for result in results.values())
    body = {"status": "ready" if ready else "not ready"}
    for part, result in results.items():
        body[part] = "ok" if result.ok else "failed"
        if not result.ok:
            # The reason goes to the log, not to whoever asks: it may name hosts and versions.
            log.warning("readyz: %s", result.line())
    if not configured:
        body["redis"] = "not configured"
    return _answer(body, 200 if ready else 503)


def _answer(body: dict, status: int):
    """JSON that no proxy or browser keeps."""
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
