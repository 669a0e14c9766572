"""zh-Hans first, English second; the choice is remembered per person or by cookie; catalogues are complete."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale

TRANSLATIONS = Path(__file__).resolve().parent.parent / "portal" / "translations"


def test_default_language_is_simplified_chinese(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="zh-Hans">' in page
    assert "登录" in page


def test_cookie_remembers_english_for_visitors(client):
    response = client.post("/lang", data={"lang": "en", "next": "/login"})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Log in" in page


def test_unknown_language_is_ignored(client):
    client.post("/lang", data={"lang": "fr"})
    assert '<html lang="zh-Hans">' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""])
def test_language_switch_never_follows_a_foreign_next(client, target):
    response = client.post("/lang", data={"lang": "en", "next": target})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert "lang=en" in response.headers["Set-Cookie"]


def test_unknown_language_goes_back_without_a_cookie(client):
    response = client.post("/lang", data={"lang": "fr", "next": "/login"})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert "Set-Cookie" not in response.headers or "lang=" not in response.headers["Set-Cookie"]


def test_person_keeps_language_across_logins(client, make, login, database):
    person = make.person()
    login(person)
    client.post("/lang", data={"lang": "en"})
    client.post("/logout")
    client.delete_cookie("lang")
    assert '<html lang="zh-Hans">' in client.get("/").get_data(as_text=True)
    login(person)
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_every_message_is_translated_into_chinese():
    with open(TRANSLATIONS / "messages.pot", "rb") as handle:
        template = read_po(handle)
    with open(TRANSLATIONS / "zh_Hans" / "LC_MESSAGES" / "messages.po", "rb") as handle:
        chinese = read_po(handle)
    missing = []
    for message in template:
        if not message.id:
            continue
        translated = chinese.get(message.id)
        strings = translated.string if translated is not None else None
        values = strings if isinstance(strings, tuple) else (strings,)
        if translated is None or translated.fuzzy or not all(values):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    assert not missing, f"{len(missing)} untranslated, e.g. {missing[:5]}"


def test_catalogue_template_is_up_to_date():
    """Every string marked in the code is in messages.pot (run `make i18n-update` after adding strings)."""
    import subprocess
    import sys
    import tempfile

    root = TRANSLATIONS.parent.parent
    with tempfile.NamedTemporaryFile(suffix=".pot") as fresh:
        subprocess.run(
            [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(TRANSLATIONS / "babel.cfg"),
             "-k", "_l", "-k", "lazy_gettext", "-o", fresh.name, "."],
            cwd=root, check=True, capture_output=True,
        )  # fmt: skip
        with open(fresh.name, "rb") as handle:
            current = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    with open(TRANSLATIONS / "messages.pot", "rb") as handle:
        committed = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    assert current - committed == set(), "strings missing from messages.pot: run `make i18n-update`"


def test_moments_and_days_are_written_one_way_per_language(app):
    """One way to write a moment and a day per language (2026年12月2日 14:30), in Beijing time, remembered per
    minute by the page filter: across midnight in Beijing, for seconds that differ within a minute, and with the
    cache keeping languages apart; whatever format name a template still passes."""
    from datetime import UTC, date, datetime, timedelta

    from portal.templating import dateformat, datetimeformat

    start = datetime(2026, 12, 31, 15, 58, 7, 123456, tzinfo=UTC)  # 23:58 in Beijing, the last day of the year
    with app.test_request_context():
        with force_locale("zh_Hans"):
            assert {datetimeformat(start + timedelta(seconds=s)) for s in range(0, 52, 13)} == {"2026年12月31日 23:58"}
            assert datetimeformat(start + timedelta(minutes=2), "short") == "2027年1月1日 00:00"
            assert datetimeformat(start, "medium") == "2026年12月31日 23:58"
            assert dateformat(start + timedelta(minutes=2)) == "2027年1月1日"  # the day in Beijing
            assert dateformat(date(2026, 12, 2), "long") == "2026年12月2日"
        with force_locale("en"):
            assert datetimeformat(start) == "31 Dec 2026, 23:58"  # the cache keeps languages apart
            assert dateformat(date(2030, 6, 1), "medium") == "1 Jun 2030"


def _catalogue(lang: str):
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle)


def _strings(value) -> tuple[str, ...]:
    return tuple(v for v in (value if isinstance(value, tuple) else (value,)) if v)


@pytest.mark.parametrize("lang", ["zh_Hans", "en"])
def test_hints_say_what_people_can_do_not_markdown(lang):
    """ "可用 **粗体**、列表和链接" / "You can use **bold**, lists and links": nobody is told the name of a markup
    language (issue 13)."""
    said = [
        text
        for message in _catalogue(lang)
        if message.id
        for text in (*_strings(message.id), *_strings(message.string))
        if "markdown" in text.casefold()
    ]
    assert said == []


def test_chinese_says_nin_never_ni():
    """您 throughout: one polite form on every page (issue 13)."""
    informal = [
        message.id
        for message in _catalogue("zh_Hans")
        if message.id and any("你" in text for text in _strings(message.string))
    ]
    assert informal == []
