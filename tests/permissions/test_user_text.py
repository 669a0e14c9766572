"""Every free text users write reaches its page through the one Markdown renderer (portal/markup.py), stored once.

Each case writes `**bold**` and a script tag through the real form (logged in as someone allowed to), then reads the
page that shows the field: the Markdown is formatted and the script is text, never a tag. The cases reuse the
permission tests' worlds (in this folder) because there every form's data is known to succeed. A second test
holds every template and the stylesheet to the one renderer: no `pre-line`, no `splitlines`, `|safe` only on stored
`*_html`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest
from test_board_routes import ROUTES as BOARD
from test_board_routes import board_world  # noqa: F401 (a fixture the cases ask for by name)
from test_list_routes import ROUTES as LISTS
from test_list_routes import lists_world  # noqa: F401
from test_meeting_routes import ROUTES as MEETINGS
from test_meeting_routes import meetings  # noqa: F401
from test_need_routes import ROUTES as NEEDS
from test_need_routes import needs  # noqa: F401
from test_voting_routes import ROUTES as VOTING
from test_voting_routes import votes  # noqa: F401

from portal.boards.models import Commitment, Organisation, Progress, Rating
from portal.compounds.models import Notice
from portal.extensions import db
from portal.lists.models import Project, ProjectUpdate, Resource
from portal.meetings.models import Addendum, AgendaItem, Comment, Meeting, Minutes
from portal.needs.models import Need
from portal.user_text import MARKDOWN_FIELDS
from portal.voting.models import Candidate, Objection, Vote, VoteItem

ROOT = Path(__file__).resolve().parents[2]
TYPED = "**bold**\n<script>x</script>"
FORMATTED = "<strong>bold</strong>"
SCRIPT = "<script>x</script>"


class Writer:
    """What a case needs: the world's ids and people, the client, and a way to post one of the route tables' forms."""

    def __init__(self, client, login, world):
        self.client, self.login, self.ids, self.people = client, login, world.ids, world.people

    def post(self, table: dict, route: str, role: str, field: str, **extra: str):
        """Post `route`'s succeeding data with `field` set to the typed text, as `role`; return the response."""
        _method, template, _expected, data = table[route]
        form = {k.format_map(self.ids): v.format_map(self.ids) for k, v in (data or {}).items()}
        form |= extra | {field: TYPED}
        self.login(self.people[role])
        response = self.client.post(template.format_map(self.ids), data=form)
        if response.status_code != 303:
            refused = re.findall(r"(?:field-error|flash-error)[^>]*>([^<]*)", response.get_data(as_text=True))
            pytest.fail(f"{route}: {response.status_code} {refused}")
        return response

    def page(self, template: str) -> str:
        return template.format_map(self.ids)


M, V, N, L, B = "/c/{b}/meetings", "/c/{b}/votes", "/c/{b}/needs", "/c/{b}/lists", "/c/{b}/board"


def _agenda_item(w: Writer) -> str:
    # No form writes an item's description yet (the agenda form takes one title per line): the service does.
    from portal.meetings import services

    meeting = db.session.get(Meeting, w.ids["draft"])
    services.add_item(meeting, w.people["committee_b"], "另一议题", TYPED)
    db.session.commit()
    w.login(w.people["committee_b"])
    return w.page(M + "/{draft}/")


def _notice(w: Writer) -> str:
    w.login(w.people["committee_b"])
    response = w.client.post(w.page("/c/{b}/notices"), data={"title": "停水通知", "body": TYPED, "is_public": "y"})
    assert response.status_code == 303
    notice_id = db.session.scalar(db.select(Notice.id).where(Notice.title == "停水通知"))
    return f"/c/compound-b/notices/{notice_id}"


def form(
    table: dict, route: str, role: str, field: str, page: str | None = None, reader: str | None = None
) -> Callable[[Writer], str]:
    """Write through `route`'s form as `role`; the page is `page`, or where the form redirects when None, read by
    `reader` when the writer is not the one who sees it there."""

    def write(w: Writer) -> str:
        response = w.post(table, route, role, field)
        if reader is not None:
            w.client.post("/logout")
            w.login(w.people[reader])
        return response.location if page is None else w.page(page)

    return write


# field → (the world fixture, write it and return the page that shows it)
CASES: dict[object, tuple[str, Callable[[Writer], str]]] = {
    Meeting.description: ("meetings", form(MEETINGS, "new meeting", "committee_b", "description")),
    AgendaItem.description: ("meetings", _agenda_item),
    Comment.body: ("meetings", form(MEETINGS, "post comment", "committee_b", "body", M + "/{signed}/")),
    Minutes.body: ("meetings", form(MEETINGS, "save minutes", "committee_b", "body", M + "/{signed}/")),
    Addendum.body: ("meetings", form(MEETINGS, "add addendum", "committee_b", "body", M + "/{published}/")),
    Vote.description: ("votes", form(VOTING, "edit settings", "committee_b", "description", V + "/{draft}/")),
    VoteItem.description: ("votes", form(VOTING, "add item", "committee_b", "item-description", V + "/{draft}/")),
    Candidate.statement: (
        "votes", form(VOTING, "stand", "owner_b", "stand-statement", V + "/{fresh_election}/candidates", "staff_b")),
    Objection.text: ("votes", form(VOTING, "file objection", "owner_b", "text", V + "/{prelim}/objections")),
    Objection.answer: ("votes", form(VOTING, "answer objection", "staff_b", "answer", V + "/{prelim}/objections")),
    Need.description: ("needs", form(NEEDS, "post need", "owner_b", "description")),
    Need.declined_reason: ("needs", form(NEEDS, "decline need", "staff_b", "reason", N + "/{submitted}")),
    Need.done_note: ("needs", form(NEEDS, "mark need done", "committee_b", "note", N + "/{public_taken}")),
    Need.rating_comment: ("needs", form(NEEDS, "confirm need", "owner_b", "comment", N + "/{public_done}")),
    Resource.description: ("lists_world", form(LISTS, "offer", "committee_b", "description")),
    Project.description: ("lists_world", form(LISTS, "new project", "staff_b", "description")),
    Project.completed_note: (
        "lists_world", form(LISTS, "complete project", "committee_b", "complete-note", L + "/projects/{project}")),
    Project.cancel_reason: (
        "lists_world", form(LISTS, "cancel project", "committee_b", "cancel-reason", L + "/projects/{project}")),
    ProjectUpdate.body: ("lists_world", form(LISTS, "post update", "committee_b", "body", L + "/projects/{project}")),
    Organisation.duty: ("board_world", form(BOARD, "edit organisation", "staff_b", "duty", B + "/org/{org}")),
    Commitment.target: ("board_world", form(BOARD, "pledge", "committee_b", "target")),
    Commitment.fulfilled_note: (
        "board_world", form(BOARD, "fulfil pledge", "committee_b", "note", B + "/{commitment}")),
    Commitment.withdrawn_reason: (
        "board_world", form(BOARD, "withdraw pledge", "committee_b", "reason", B + "/{commitment}")),
    Progress.body: ("board_world", form(BOARD, "post progress", "committee_b", "body", B + "/{commitment}")),
    Rating.comment: ("board_world", form(BOARD, "rate pledge", "owner_b", "comment", B + "/{commitment}")),
    Notice.body: ("world", _notice),
}  # fmt: skip


def _name(field) -> str:
    return f"{field.class_.__name__}.{field.key}"


def test_every_markdown_field_has_a_case():
    """A field declared Markdown (portal/user_text.py) without a case here, or a case for a field that is not, fails."""
    assert sorted(map(_name, MARKDOWN_FIELDS)) == sorted(map(_name, CASES))


@pytest.mark.parametrize("field", list(CASES), ids=[_name(f) for f in CASES])
@pytest.mark.usefixtures("_world_ids")  # built before the test's savepoint, as the world must be (conftest.py)
def test_user_text_is_markdown_on_its_page(request, client, login, field):
    fixture, write = CASES[field]
    world = request.getfixturevalue(fixture)
    if fixture == "world":
        people, ids = world
        world = SimpleNamespace(people=people, ids=ids)
    page = write(Writer(client, login, world))
    response = client.get(page)
    assert response.status_code == 200, page
    html = response.get_data(as_text=True)
    assert FORMATTED in html
    assert SCRIPT not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html  # shown as the text it was


TEMPLATES = ROOT / "templates"
READ_TIME = re.compile(r"\|\s*markdown\b")
# `{{ x.description }}` or `{{ x.description | e }}`: a Markdown field's source shown as typed (a textarea's value is
# written `...</textarea>` and is fine; the plain words of a source go through `| plain_text`).
SOURCE = re.compile(r"\{\{\s*(?P<value>[\w.]+\.(?P<key>\w+))\s*(?:\|\s*(?P<filter>\w+)[^}]*)?\}\}(?!</textarea>)")
# Plain-text fields that share a name with a Markdown field (Motion.text, a decision's text, SignOff.comment);
# WTForms labels (`form.x.label.text`) are the portal's own words.
PLAIN_NAMESAKES = {"m.text", "d.text", "line.signoff.comment"}
SAFE = re.compile(r"\{\{\s*(?P<value>[^{}|]+?)\s*\|\s*safe\s*\}\}")


def test_templates_show_user_text_only_through_the_renderer():
    """No template shows a Markdown field's source as typed, breaks user text into lines itself (pre-line,
    splitlines) or renders it at read time, and `|safe` is applied only to HTML the renderer stored (`*_html`): one
    way, so the same text never looks different on two pages."""
    SOURCE_KEYS = {field.key for field in MARKDOWN_FIELDS}  # noqa: N806
    offences = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(ROOT)
        offences += [f"{name}: {word}" for word in ("pre-line", "splitlines") if word in text]
        offences += [f"{name}: |markdown at read time" for _ in READ_TIME.finditer(text)]
        offences += [f"{name}: |safe on {m['value']}" for m in SAFE.finditer(text) if not m["value"].endswith("_html")]
        offences += [
            f"{name}: {m['value']} shown as typed"
            for m in SOURCE.finditer(text)
            if m["key"] in SOURCE_KEYS
            and m["filter"] != "plain_text"
            and m["value"] not in PLAIN_NAMESAKES
            and not m["value"].endswith(".label.text")
        ]
    for path in sorted((ROOT / "static" / "css").glob("*.css")):
        if "pre-line" in path.read_text(encoding="utf-8"):
            offences.append(f"{path.relative_to(ROOT)}: pre-line")
    assert offences == []
