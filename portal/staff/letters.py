"""Activation letters: the QR code (SVG) that opens the activation page, the code filled in by static/js/activate.js."""

from __future__ import annotations

from flask import current_app, url_for

from portal import qr


def activation_page_url() -> str:
    """The absolute URL of the activation page (PORTAL_BASE_URL when set), as printed under the QR code."""
    base = current_app.config.get("PORTAL_BASE_URL")
    return base.rstrip("/") + url_for("accounts.activate") if base else url_for("accounts.activate", _external=True)


def activation_url(code: str) -> str:
    """The QR code's URL: the code rides in the fragment (#code=...), which browsers never send to a server or proxy."""
    return f"{activation_page_url()}#code={code}"


qr_svg = qr.svg  # one drawing for every QR code the portal prints
