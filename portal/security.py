"""Security headers (a strict Content-Security-Policy), password hashing, one-time codes and safe redirect targets."""

from __future__ import annotations

import hashlib
import secrets
from urllib.parse import urlsplit

from flask import Flask, current_app, request, session
from werkzeug.security import check_password_hash, generate_password_hash

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# Crockford's base32 without I, L, O, U: nothing an older owner could misread when typing from paper.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12  # 12 × 5 bits = 60 bits of entropy


def init_headers(app: Flask) -> None:
    """Send the security headers on every response."""

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        _personal_not_stored(response)
        return response


def _personal_not_stored(response) -> None:
    """Whatever a logged-in person is shown stays out of every cache, their browser's included (shared phones)."""
    if (request.endpoint or "").split(".")[-1] == "static":
        return  # the same file for everyone
    # A page that chose its own private policy keeps it: the ballot pages' "no-store, no-transform", the turnout
    # fragment's "no-cache, private" (revalidated by ETag, never kept by a shared cache), private uploaded photos.
    given = response.headers.get("Cache-Control")
    if given and "public" not in given:
        return
    # Judged from the login cookies rather than by loading the person: this also runs for error pages, when the
    # database may be the very thing that failed. A stale login gets no-store too, which costs nothing.
    remember = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    if "_user_id" in session or remember in request.cookies:
        response.headers["Cache-Control"] = "no-store, private"


def hash_password(password: str) -> str:
    """scrypt, as Werkzeug does it."""
    return generate_password_hash(password, method="scrypt")


def password_matches(stored: str | None, password: str) -> bool:
    """Compare in constant time; a missing hash is checked against a dummy so timing reveals nothing."""
    if not stored:
        check_password_hash(_DUMMY_HASH, password)
        return False
    return check_password_hash(stored, password)


_DUMMY_HASH = generate_password_hash(secrets.token_hex(8), method="scrypt")


def new_code() -> str:
    """A new activation code, grouped for reading: XXXX-XXXX-XXXX."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(typed: str) -> str:
    """Accept what people type: lower case, spaces, missing dashes, O for 0, I/L for 1."""
    cleaned = "".join(ch for ch in typed.upper() if ch.isalnum())
    cleaned = cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    return "-".join(cleaned[i : i + 4] for i in range(0, len(cleaned), 4))


def hash_code(code: str) -> str:
    """The stored form of a code: SHA-256 of its normalised text (60 random bits make salting moot)."""
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def safe_next(target: str | None, default: str) -> str:
    """Only same-site relative paths are followed after login."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return default
