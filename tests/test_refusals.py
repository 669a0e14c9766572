"""One refusal type (issue 12): every code a service refuses with has one sentence, in both languages, and no page
can show a bare code. The codes are found in the source, so a new `Refused("…")` without a sentence fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask_babel import force_locale

from portal import refusals
from portal.refusals import Refused, sentence

PORTAL = Path(__file__).resolve().parent.parent / "portal"
# Refused("code" …), sentence("code"), Refused.text(…, code="code") and the "too_long" that text() raises itself.
RAISED = re.compile(r'(?:Refused|sentence)\(\s*"([a-z_]+)"|code="([a-z_]+)"')


def _raised() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in PORTAL.rglob("*.py"):
        for match in RAISED.finditer(path.read_text(encoding="utf-8")):
            found.setdefault(match.group(1) or match.group(2), set()).add(str(path.relative_to(PORTAL)))
    return found


def test_the_services_refuse_with_codes_that_all_have_a_sentence():
    raised = _raised()
    assert len(raised) >= 60, sorted(raised)
    assert sorted(set(raised) - set(refusals.SENTENCES)) == []


def test_no_feature_keeps_a_refusal_class_or_a_table_of_its_own():
    for path in PORTAL.rglob("*.py"):
        assert not re.search(r"def \w*error_text\(", path.read_text(encoding="utf-8")), path
    classes = {
        match.group(1)
        for path in PORTAL.rglob("*.py")
        for match in re.finditer(r"^class (\w+)\((?:ValueError|Refused)\)", path.read_text(encoding="utf-8"), re.M)
    }
    # Left apart on purpose: a file to replace (its message names the size or kinds read), the register's file report
    # (a list of row errors), an activation code (never says why, to outsiders) and a seal found damaged (not a
    # refusal: verify-vote reports it).
    assert classes == {"Refused", "UploadError", "RegisterError", "ActivationError", "SealError"}, classes


@pytest.mark.parametrize("locale", ["zh_Hans", "en"])
def test_every_sentence_is_words_not_a_code_and_one_code_one_sentence(app, locale):
    with app.test_request_context(), force_locale(locale):
        texts = {code: sentence(code) for code in refusals.SENTENCES}
        generic = sentence("no_such_code")
    assert generic and generic != "no_such_code"
    for code, text in texts.items():
        assert text and not re.fullmatch(r"[a-z_]+", text) and text != generic, code
    repeated = {text for text in texts.values() if list(texts.values()).count(text) > 1}
    assert repeated == set(), repeated  # two codes saying the same thing are one code
    if locale == "zh_Hans":
        assert all(re.search(r"[\u4e00-\u9fff]", text) for text in texts.values())


def test_a_refusal_fills_its_sentence_with_its_values(app):
    with app.test_request_context(), force_locale("en"):
        assert Refused("too_long", limit=500).sentence == "This text is too long: at most 500 characters."
        assert "3 owners" in Refused("cap", cap=3).sentence
        with pytest.raises(Refused) as refused:
            Refused.text("x" * 11, limit=10)
        assert refused.value.code == "too_long" and "10" in refused.value.sentence
