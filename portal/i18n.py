"""Language, text size and local time: zh-Hans first, English second; standard or large text (each kept on the person
or in a cookie); Beijing time."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, request
from flask_login import current_user

COOKIE = "lang"
TEXT_COOKIE = "text"  # "large": 大字 for a visitor (a person's own choice is kept on the account)
TEXT_SIZES = ("large", "standard")
SHANGHAI = ZoneInfo("Asia/Shanghai")  # people type and read times in Beijing time; the database keeps UTC


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


def large_text() -> bool:
    """大字: the person's saved choice when logged in, else the browser's cookie."""
    if not has_request_context():
        return False
    if current_user and current_user.is_authenticated:
        return current_user.large_text
    return request.cookies.get(TEXT_COOKIE) == "large"


def html_lang(locale: str) -> str:
    """The BCP 47 tag for <html lang>."""
    return "zh-Hans" if str(locale).startswith("zh") else "en"


def to_utc(local: datetime) -> datetime:
    """A time typed in Asia/Shanghai, as an aware UTC datetime."""
    return local.replace(tzinfo=SHANGHAI).astimezone(ZoneInfo("UTC"))


def to_local(moment: datetime) -> datetime:
    """An aware datetime as a naive Asia/Shanghai time for a form field."""
    return moment.astimezone(SHANGHAI).replace(tzinfo=None)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """[start, end) of a calendar year in Beijing time, as UTC instants (the range of stored times in that year)."""
    start = datetime(year, 1, 1, tzinfo=SHANGHAI).astimezone(UTC)
    end = datetime(year + 1, 1, 1, tzinfo=SHANGHAI).astimezone(UTC)
    return start, end
