"""Language: zh-Hans first, English second; the choice is kept on the person or in a cookie."""

from __future__ import annotations

from flask import current_app, has_request_context, request
from flask_login import current_user

COOKIE = "lang"


def select_locale() -> str:
    """The person's saved language, else the cookie, else zh-Hans."""
    locales = current_app.config["PORTAL_LOCALES"]
    if not has_request_context():  # the command line and scripts speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in locales:
        return current_user.locale
    chosen = request.cookies.get(COOKIE)
    if chosen in locales:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def html_lang(locale: str) -> str:
    """The BCP 47 tag for <html lang>."""
    return "zh-Hans" if str(locale).startswith("zh") else "en"
