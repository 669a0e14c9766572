"""One word per state: portal/labels.py says every enum member in both languages, and it agrees with the glossary
(portal/translations/glossary.md), which fixes one Chinese and one English word for each state."""

from __future__ import annotations

import enum
import importlib
import pkgutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale

import portal
from portal import labels

TRANSLATIONS = Path(__file__).resolve().parent.parent / "portal" / "translations"


def glossary_rows(text: str) -> list[dict[str, str]]:
    """The glossary's table rows (state, zh-Hans, English, members, rejected words), header and rule left out."""
    rows = []
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) != 5 or cells[0] in ("state", "") or set(cells[0]) <= {"-", ":"}:
            continue
        state, zh, en, members, rejected = cells
        rows.append(
            {
                "state": state,
                "zh": zh,
                "en": en,
                "members": members.replace("`", "").split(),
                "rejected": [w.strip() for w in rejected.split("、") if w.strip() and w.strip() != "—"],
            }
        )
    return rows


def member_of(path: str) -> enum.Enum:
    """`needs.models.NeedStatus.taken` → the member."""
    module, cls, name = path.rsplit(".", 2)
    return getattr(getattr(importlib.import_module(f"portal.{module}"), cls), name)


@pytest.fixture(scope="module")
def glossary() -> list[dict[str, str]]:
    return glossary_rows((TRANSLATIONS / "glossary.md").read_text(encoding="utf-8"))


def every_enum_in_portal() -> set[type[enum.Enum]]:
    found = set()
    for info in pkgutil.walk_packages(portal.__path__, "portal."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, enum.Enum) and value.__module__ == info.name:
                found.add(value)
    return found


def test_every_enum_has_labels_or_is_said_in_sentences():
    """A new enum must get labels (or be named, with a reason, as one told only in whole sentences)."""
    missing = {e.__module__ + "." + e.__qualname__ for e in every_enum_in_portal()} - {
        e.__module__ + "." + e.__qualname__ for e in labels.LABELS
    }
    assert missing == set(labels.SENTENCES), "give these enums labels in portal/labels.py"


def test_every_member_has_exactly_one_label():
    for kind, words in labels.LABELS.items():
        assert set(words) == set(kind), f"{kind.__name__}: members without a label or labels without a member"


def test_every_member_is_in_the_glossary_once(glossary):
    # (kind, member): members of a StrEnum equal their plain values, so "declined" of two enums would be one
    listed = [(type(m), m) for m in map(member_of, (m for row in glossary for m in row["members"]))]
    assert len(listed) == len(set(listed)), "a member is listed under two states"
    assert set(listed) == {(kind, member) for kind in labels.LABELS for member in kind}


def test_no_state_has_two_words(app, glossary):
    """Each state has one Chinese and one English word; a state's members all say it."""
    states = [row["state"] for row in glossary]
    assert len(states) == len(set(states)), "a state is given two rows (two words)"
    for row in glossary:
        assert row["zh"] and row["en"], row["state"]
        for path in row["members"]:
            member = member_of(path)
            with app.test_request_context(), force_locale("zh_Hans"):
                zh = labels.label(member)
            with app.test_request_context(), force_locale("en"):
                en = labels.label(member)
            assert (zh, en) == (row["zh"], row["en"]), f"{path} reads {zh} / {en}, the glossary says {row['zh']}"


def test_rejected_words_appear_nowhere_in_chinese(glossary):
    """A word the glossary turned down (办理中 was once 处理中 elsewhere) is not used by any translation."""
    with open(TRANSLATIONS / "zh_Hans" / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalogue = read_po(handle)
    rejected = {word: row["state"] for row in glossary for word in row["rejected"]}
    used = []
    for message in catalogue:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        used += [(word, message.id) for word in rejected for s in strings if s and word in s]
    assert not used, f"rejected words still in use: {used[:5]}"


def test_the_template_filter_says_the_label(app):
    from portal.needs.models import NeedStatus

    with app.test_request_context(), force_locale("zh_Hans"):
        render = app.jinja_env.from_string("{{ s|label }}/{{ 'taken'|label('NeedStatus') }}").render
        assert render(s=NeedStatus.taken) == "办理中/办理中"


def test_a_plain_string_needs_its_kind():
    with pytest.raises(TypeError):
        labels.label("taken")
    with pytest.raises(ValueError):
        labels.label("nonsense", "NeedStatus")


def test_a_label_of_a_constant_follows_the_language_of_each_request(app):
    """Jinja folds filters of constants when it compiles a template: a label must not be frozen in the language of
    the first request that drew the page (the staff page once said 业主 to English readers)."""
    template = app.jinja_env.from_string('{{ "owner"|label("Role") }}')
    with app.test_request_context(), force_locale("zh_Hans"):
        assert template.render() == "业主"
    with app.test_request_context(), force_locale("en"):
        assert template.render() == "owner"
