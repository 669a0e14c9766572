"""portal/user_text.py: a Markdown field's HTML follows its source however a service sets it."""

from __future__ import annotations

import portal.models  # noqa: F401 (every model, so that the mappers can be configured)
from portal.boards.models import Commitment
from portal.needs.models import Need
from portal.user_text import with_html

TYPED = "**修好了**\n<b>x</b>"
HTML = "<p><strong>修好了</strong><br>\n&lt;b&gt;x&lt;/b&gt;</p>\n"


def test_the_constructor_and_an_assignment_render_the_html():
    need = Need(description=TYPED)
    assert need.description_html == HTML
    need.description = "第二版"
    assert need.description_html == "<p>第二版</p>\n"


def test_clearing_a_source_clears_its_html():
    commitment = Commitment(target="10盏", fulfilled_note=TYPED)
    commitment.fulfilled_note = None
    assert commitment.fulfilled_note_html == ""


def test_an_update_statement_gets_the_html_of_the_markdown_fields_among_its_values():
    """Only the model's own Markdown fields gain an _html value; other values pass as they are."""
    values = with_html(Need, {"done_note": TYPED, "declined_reason": None, "stars": 5})
    assert values == {
        "done_note": TYPED, "done_note_html": HTML, "declined_reason": None, "declined_reason_html": "", "stars": 5
    }  # fmt: skip
    assert with_html(Commitment, {"done_note": TYPED}) == {"done_note": TYPED}  # not a field of Commitment
