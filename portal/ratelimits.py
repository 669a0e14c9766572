"""Rate limits on guessing: login, activation and the inline code check.

Each app gets its own Limiter (in memory by default, Redis through REDIS_URL), and the limits are attached
here, by endpoint, from the configuration — so tests and several apps in one process never share counters.
"""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

# endpoint → (config key with the limit, HTTP methods it applies to)
LIMITS = {
    "accounts.login": ("PORTAL_LOGIN_LIMIT", ["POST"]),
    "accounts.activate": ("PORTAL_ACTIVATION_LIMIT", ["POST"]),
    "accounts.check_code": ("PORTAL_ACTIVATION_LIMIT", ["GET"]),
}


def init_app(app: Flask) -> Limiter:
    """Create the app's limiter and wrap the guessable endpoints."""
    limiter = Limiter(get_remote_address, app=app)
    for endpoint, (key, methods) in LIMITS.items():
        view = app.view_functions[endpoint]
        app.view_functions[endpoint] = limiter.limit(app.config[key], methods=methods)(view)
    app.extensions["portal_limiter"] = limiter  # the limits refer back to it weakly: keep it alive
    return limiter
