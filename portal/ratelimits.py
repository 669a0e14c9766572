"""Rate limits on guessing: login, activation and the inline code check.

Each app gets its own Limiter (in memory by default, Redis through REDIS_URL), and the limits are attached
here, by endpoint, from the configuration — so tests and several apps in one process never share counters.

Only failed attempts count (a 400 answer: wrong password, unusable code, invalid form), each twice: per client address
(PORTAL_LOGIN_LIMIT, PORTAL_ACTIVATION_LIMIT) and per account typed (PORTAL_LOGIN_ACCOUNT_LIMIT, per activation code:
PORTAL_ACTIVATION_ACCOUNT_LIMIT), so guesses at one account from many addresses stop too. The per-account window is
short (15 minutes by default): a stranger's junk attempts lock the owner out for at most that long after they stop.

Redis gets a short socket timeout; when it refuses or hangs, the limits go on in this process's memory with one
warning (Flask-Limiter's in-memory fallback) and return to Redis once it answers again. The request that finds Redis
gone waits for it once, not twice (`PortalLimiter`).
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import time

from flask import Flask, Response, has_request_context, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address

REDIS_TIMEOUT_S = 0.5  # connect and read: a Redis that hangs must not hold a worker for long

# endpoint → (config key with the limit, HTTP methods, what the limit is counted per, whether only failures count)
LIMITS = {
    "accounts.login": [
        ("PORTAL_LOGIN_LIMIT", ["POST"], "address", True),
        ("PORTAL_LOGIN_ACCOUNT_LIMIT", ["POST"], "account", True),
    ],
    "accounts.activate": [
        ("PORTAL_ACTIVATION_LIMIT", ["POST"], "address", True),
        ("PORTAL_ACTIVATION_ACCOUNT_LIMIT", ["POST"], "code", True),
    ],
    # The code step of activation (a POST; its GET only shows the empty form): counted like activation itself.
    "accounts.check_code": [
        ("PORTAL_ACTIVATION_LIMIT", ["POST"], "address", True),
        ("PORTAL_ACTIVATION_ACCOUNT_LIMIT", ["POST"], "code", True),
    ],
}


def _digest(kind: str, text: str) -> str:
    """A fixed-length key that keeps neither phone numbers nor codes readable in Redis."""
    return f"{kind}:" + hashlib.sha256(text.encode()).hexdigest()[:32]


def account_key() -> str:
    """The account number or phone typed at login, normalised: spaces, dashes and a +86 prefix make no difference."""
    typed = re.sub(r"[\s\-.()]", "", request.form.get("login", "")).casefold()
    typed = re.sub(r"^(\+86|0086)", "", typed)
    return _digest("account", typed)  # an empty field is one account too, never a skipped limit


def code_key() -> str:
    """The activation code typed, normalised as letters and digits only, upper case."""
    return _digest("code", re.sub(r"[^0-9A-Za-z]", "", request.form.get("code", "")).upper())


KEYS = {"address": get_remote_address, "account": account_key, "code": code_key}


def failed(response: Response) -> bool:
    """A refused attempt (the pages answer 400); successes (303) never count."""
    return response.status_code == 400


def storage_options(uri: str) -> dict:
    """Short connect and read timeouts for Redis, so an unresponsive one fails fast into the fallback."""
    if not uri.startswith(("redis://", "rediss://", "redis+")):
        return {}
    return {"socket_timeout": REDIS_TIMEOUT_S, "socket_connect_timeout": REDIS_TIMEOUT_S}


_JUST_FAILED = "linli.rate_limit_storage_failed"  # in the request's environ: it has just found the storage gone


class PortalLimiter(Limiter):
    """Flask-Limiter's Limiter, without its second wait on a hung Redis. When a request finds the storage unreachable,
    Flask-Limiter falls back to memory and, in the same request, asks the storage at once whether it is back, which a
    hung Redis answers only after another REDIS_TIMEOUT_S: the first login in each worker would wait twice (about a
    second). Here that request takes the fallback at once; later requests ask again on Flask-Limiter's schedule."""

    _dead = False

    @property
    def _storage_dead(self) -> bool:
        """Flask-Limiter's flag: the storage is unreachable and the limits are counted in memory."""
        return self._dead

    @_storage_dead.setter
    def _storage_dead(self, dead: bool) -> None:
        if dead and not self._dead and has_request_context():
            request.environ[_JUST_FAILED] = True  # the request itself, not `g`: tests keep one app context
        self._dead = dead

    def init_app(self, app: Flask) -> None:
        """Flask-Limiter's set-up; then its check whether the storage is back goes through `_storage_is_back`."""
        super().init_app(app)
        if self.enabled:
            self.storage.check = functools.partial(self._storage_is_back, self.storage.check)

    @staticmethod
    def _storage_is_back(check) -> bool:
        """The storage's own check, skipped in the request that has just waited for the storage in vain."""
        if has_request_context() and request.environ.get(_JUST_FAILED):
            return False
        return check()


def init_app(app: Flask) -> Limiter:
    """Create the app's limiter and wrap the guessable endpoints."""
    uri = app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
    limiter = PortalLimiter(
        get_remote_address,
        app=app,
        storage_options=storage_options(uri),
        in_memory_fallback_enabled=True,  # Redis down or hanging: limits per process, not 500s
        swallow_errors=True,  # a Redis that dies mid-request is logged, never turned into a 500
    )
    for endpoint, limits in LIMITS.items():
        view = app.view_functions[endpoint]
        for key, methods, per, only_failures in limits:
            deduct_when = failed if only_failures else None
            view = limiter.limit(app.config[key], key_func=KEYS[per], methods=methods, deduct_when=deduct_when)(view)
        app.view_functions[endpoint] = view
    app.extensions["portal_limiter"] = limiter  # the limits refer back to it weakly: keep it alive

    @app.errorhandler(RateLimitExceeded)
    def _too_many(error):
        from portal.errors import _page

        return _page(429, lambda: (_("Too many attempts"), retry_text(limiter)))

    return limiter


def retry_text(limiter: Limiter) -> str:
    """When the refused person may try again, in whole minutes."""
    try:
        reset_at = limiter.current_limit.window[0]  # not reset_at, which adds a second and rounds
    except Exception:  # the storage failed between the refusal and the page: say it without the time
        return _("Too many attempts. Please wait a minute and try again.")
    minutes = max(1, math.ceil((reset_at - time.time()) / 60))
    return ngettext(
        "Too many failed attempts. Please try again in %(num)d minute.",
        "Too many failed attempts. Please try again in %(num)d minutes.",
        minutes,
    )
