"""Discussion under agenda items: commenting with and without htmx, who may, the 5-minute edit, hiding by the chair,
polling with 304, inert Markdown, and a constant number of queries for a page of 500 comments."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.db import utcnow
from portal.extensions import db
from portal.markup import render_markdown
from portal.meetings.models import Comment, CommentEdit, Meeting, MeetingEvent

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def english(client):
    """Pages in English, so the tests read the msgids."""
    client.set_cookie("lang", "en")


def _url(meeting, tail=""):
    return f"/c/lvyuan/meetings/{meeting.id}/{tail}"


def _comment_url(meeting, item):
    return _url(meeting, f"items/{item.id}/comments")


def _comments():
    return list(db.session.scalars(sa.select(Comment).order_by(Comment.id)))


def _page(client, meeting) -> str:
    response = client.get(_url(meeting))
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_attendee_comments_without_javascript(client, hall, login, make_meeting):
    member = hall.members[0]
    meeting = make_meeting(signed_in=[member])
    item = meeting.items[1]
    before = meeting.changed_at
    login(member)
    response = client.post(_comment_url(meeting, item), data={"body": "电梯**必须**尽快修"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/c/lvyuan/meetings/{meeting.id}/#item-{item.id}")
    (comment,) = _comments()
    assert (comment.item_id, comment.author_id, comment.body) == (item.id, member.id, "电梯**必须**尽快修")
    assert comment.body_html == str(render_markdown("电梯**必须**尽快修"))
    assert db.session.get(Meeting, meeting.id).changed_at > before
    page = _page(client, meeting)
    assert "电梯<strong>必须</strong>尽快修" in page and member.name in page


def test_attendee_comments_with_htmx_and_gets_the_items_fragment(client, hall, login, make_meeting):
    member = hall.members[0]
    meeting = make_meeting(signed_in=[member])
    item = meeting.items[0]
    login(member)
    response = client.post(_comment_url(meeting, item), data={"body": "同意调整"}, headers=HTMX)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith(f'<div class="discussion" id="discussion-{item.id}"')
    assert "同意调整" in body and "<html" not in body
    assert f'id="comments-{item.id}"' in body
    assert f'id="comment-body-{item.id}" name="body"' in body and "></textarea>" in body  # a fresh, empty form
    assert [c.body for c in _comments()] == ["同意调整"]


@pytest.mark.parametrize(
    ("text", "message"),
    [("   \n ", "Write something before sending."), ("长" * 5001, "This text is too long: at most 5000 characters.")],
)
def test_empty_or_too_long_comment_is_refused(client, hall, login, make_meeting, text, message):
    member = hall.members[0]
    meeting = make_meeting(signed_in=[member])
    item = meeting.items[0]
    login(member)
    for headers in ({}, HTMX):  # without JavaScript: the whole page; with htmx: the item's discussion
        refused = client.post(_comment_url(meeting, item), data={"body": text}, headers=headers)
        assert refused.status_code == 400
        body = refused.get_data(as_text=True)
        assert ("<html" in body) is (headers == {})
        assert body.count('class="field-error"') == 1 and body.count('aria-invalid="true"') == 1
        assert message in body and f">{text}</textarea>" in body  # said at the field; what was typed is kept
    assert _comments() == []
    # A comment of exactly 5000 characters is fine.
    assert client.post(_comment_url(meeting, item), data={"body": "长" * 5000}).status_code == 303
    assert len(_comments()) == 1


@pytest.mark.parametrize("who", ["not_invited", "not_signed_in", "window_closed", "window_not_open", "stranger"])
def test_only_attendees_inside_the_window_may_comment(client, hall, login, make_meeting, who):
    member = hall.members[0]
    if who == "window_closed":
        meeting = make_meeting(signed_in=[member], starts_in=timedelta(days=-3), lasts=timedelta(days=1))
    elif who == "window_not_open":
        meeting = make_meeting(signed_in=[member], starts_in=timedelta(days=8))
    else:
        meeting = make_meeting(signed_in=[member])
    person = {"not_invited": hall.owner, "not_signed_in": hall.members[1], "stranger": hall.stranger}.get(who, member)
    login(person)
    page = client.get(_url(meeting))
    if who != "stranger":
        assert page.status_code == 200 and 'name="body"' not in page.get_data(as_text=True)  # no form offered
    response = client.post(_comment_url(meeting, meeting.items[0]), data={"body": "我也说一句"})
    assert response.status_code == (404 if who == "stranger" else 403)
    assert client.post(_comment_url(meeting, meeting.items[0]), data={"body": "x"}, headers=HTMX).status_code in (
        403,
        404,
    )
    assert _comments() == []


def test_anonymous_visitor_cannot_comment(client, hall, make_meeting):
    meeting = make_meeting(visibility="public")
    response = client.post(_comment_url(meeting, meeting.items[0]), data={"body": "路人"})
    assert response.status_code in (302, 303, 401) and _comments() == []


def test_comment_on_an_item_of_another_meeting_is_404(client, hall, login, make_meeting):
    member = hall.members[0]
    meeting = make_meeting(signed_in=[member])
    other = make_meeting()
    login(member)
    assert client.post(_comment_url(meeting, other.items[0]), data={"body": "串了"}).status_code == 404


def _post(client, meeting, item, text) -> Comment:
    assert client.post(_comment_url(meeting, item), data={"body": text}).status_code == 303
    return _comments()[-1]


def test_author_edits_within_five_minutes_and_the_old_text_is_kept(client, hall, login, make_meeting):
    member = hall.members[0]
    meeting = make_meeting(signed_in=[member])
    login(member)
    comment = _post(client, meeting, meeting.items[0], "费用涨百分之十")
    page = _page(client, meeting)
    assert 'class="comment-edit"' in page and f'action="{_url(meeting, f"comments/{comment.id}/edit")}"' in page
    response = client.post(_url(meeting, f"comments/{comment.id}/edit"), data={"body": "费用涨百分之五"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"#item-{meeting.items[0].id}")
    db.session.refresh(comment)
    assert comment.body == "费用涨百分之五" and comment.edited_at is not None
    assert "百分之五" in comment.body_html
    (edit,) = db.session.scalars(sa.select(CommentEdit)).all()
    assert (edit.comment_id, edit.body) == (comment.id, "费用涨百分之十")
    page = _page(client, meeting)
    assert "费用涨百分之五" in page and " · edited" in page and "费用涨百分之十</p>" not in page
    # With htmx: the item's fragment comes back with the new text.
    again = client.post(_url(meeting, f"comments/{comment.id}/edit"), data={"body": "百分之三"}, headers=HTMX)
    assert again.status_code == 200 and "百分之三" in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CommentEdit)) == 2


def test_edit_after_five_minutes_is_refused(client, hall, login, make_meeting):
    member = hall.members[0]
    meeting = make_meeting(signed_in=[member])
    login(member)
    comment = _post(client, meeting, meeting.items[0], "原文")
    comment.created_at = utcnow() - timedelta(minutes=5, seconds=1)
    db.session.commit()
    assert 'class="comment-edit"' not in _page(client, meeting)  # the form is gone
    response = client.post(_url(meeting, f"comments/{comment.id}/edit"), data={"body": "改了"})
    assert response.status_code == 303
    assert "A comment can only be edited within 5 minutes of posting it." in _page(client, meeting)
    refused = client.post(_url(meeting, f"comments/{comment.id}/edit"), data={"body": "改了"}, headers=HTMX)
    assert refused.status_code == 400 and "within 5 minutes" in refused.get_data(as_text=True)
    db.session.refresh(comment)
    assert comment.body == "原文" and comment.edited_at is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CommentEdit)) == 0


def test_only_the_author_may_edit(client, hall, login, make_meeting):
    author, other = hall.members[0], hall.members[1]
    meeting = make_meeting(signed_in=[author, other, hall.chair])
    login(author)
    comment = _post(client, meeting, meeting.items[0], "我的意见")
    for person in (other, hall.chair):
        client.post("/logout")
        login(person)
        assert 'class="comment-edit"' not in _page(client, meeting)
        assert client.post(_url(meeting, f"comments/{comment.id}/edit"), data={"body": "篡改"}).status_code == 403
    db.session.refresh(comment)
    assert comment.body == "我的意见" and comment.edited_at is None


def test_chair_hides_a_comment_with_a_reason(client, hall, login, make_meeting):
    author, reader = hall.members[0], hall.members[1]
    meeting = make_meeting(signed_in=[author, reader, hall.chair])
    login(author)
    comment = _post(client, meeting, meeting.items[0], "某某是骗子")
    client.post("/logout")
    login(hall.chair)
    assert f'action="{_url(meeting, f"comments/{comment.id}/hide")}"' in _page(client, meeting)
    # A reason is required: the form comes back at its field (see the test below).
    refused = client.post(_url(meeting, f"comments/{comment.id}/hide"), data={"reason": "  "})
    assert refused.status_code == 400 and "Give the reason for hiding the comment." in refused.get_data(as_text=True)
    db.session.refresh(comment)
    assert comment.hidden_at is None
    response = client.post(_url(meeting, f"comments/{comment.id}/hide"), data={"reason": "人身攻击"}, headers=HTMX)
    assert response.status_code == 200 and "Hidden by the chair: 人身攻击" in response.get_data(as_text=True)
    db.session.refresh(comment)
    assert comment.hidden_at is not None and comment.hidden_by_id == hall.chair.id
    assert comment.hidden_reason == "人身攻击"
    event = db.session.scalar(sa.select(MeetingEvent).where(MeetingEvent.action == "comment_hidden"))
    assert event.actor_id == hall.chair.id and f'"comment_id": {comment.id}' in event.detail
    chair_page = _page(client, meeting)
    assert "hid a comment" in chair_page  # the history
    assert "某某是骗子" in chair_page  # the chair still sees what was hidden
    client.post("/logout")
    login(reader)
    page = _page(client, meeting)
    assert "Hidden by the chair: 人身攻击" in page and "某某是骗子" not in page
    assert "hid a comment" in page
    client.post("/logout")
    login(author)
    page = _page(client, meeting)
    assert "Hidden by the chair: 人身攻击" in page and "某某是骗子" in page  # the author sees their own text
    assert 'class="comment-edit"' not in page  # and can no longer edit it


def test_only_the_chair_may_hide(client, hall, login, make_meeting):
    author = hall.members[0]
    meeting = make_meeting(signed_in=[author, hall.secretary])
    login(author)
    comment = _post(client, meeting, meeting.items[0], "意见")
    for person in (author, hall.secretary, hall.owner):
        client.post("/logout")
        login(person)
        assert 'class="comment-hide"' not in _page(client, meeting)
        assert client.post(_url(meeting, f"comments/{comment.id}/hide"), data={"reason": "不喜欢"}).status_code == 403
    db.session.refresh(comment)
    assert comment.hidden_at is None
    assert db.session.scalar(sa.select(MeetingEvent).where(MeetingEvent.action == "comment_hidden")) is None


def test_polling_answers_304_until_a_comment_arrives(client, hall, login, make_meeting):
    member, reader = hall.members[0], hall.owner
    meeting = make_meeting(signed_in=[member])
    item = meeting.items[0]
    login(reader)
    page = _page(client, meeting)
    assert f'hx-get="/c/lvyuan/meetings/{meeting.id}/comments"' in page and 'hx-trigger="every 10s"' in page
    first = client.get(_url(meeting, "comments"), headers=HTMX)
    assert first.status_code == 200 and first.headers["ETag"]
    assert f'id="comments-{item.id}" hx-swap-oob="true"' in first.get_data(as_text=True)
    tag = first.headers["ETag"]
    unchanged = client.get(_url(meeting, "comments"), headers={**HTMX, "If-None-Match": tag})
    assert unchanged.status_code == 304 and unchanged.get_data() == b""
    client.post("/logout")
    login(member)
    _post(client, meeting, item, "新的发言")
    client.post("/logout")
    login(reader)
    changed = client.get(_url(meeting, "comments"), headers={**HTMX, "If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert "新的发言" in changed.get_data(as_text=True)


def test_no_polling_outside_the_window(client, hall, login, make_meeting):
    meeting = make_meeting(starts_in=timedelta(days=-3), lasts=timedelta(days=1))
    login(hall.owner)
    assert 'hx-trigger="every 10s"' not in _page(client, meeting)


def test_script_and_javascript_links_are_inert(client, hall, login, make_meeting):
    member = hall.members[0]
    meeting = make_meeting(signed_in=[member])
    login(member)
    comment = _post(client, meeting, meeting.items[0], "<script>alert(1)</script> and [x](javascript:alert(1))")
    assert "<script" not in comment.body_html and "<a" not in comment.body_html  # the link stays plain text
    assert "&lt;script&gt;" in comment.body_html
    page = _page(client, meeting)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="javascript:' not in page.lower()
    fragment = client.get(_url(meeting, "comments"), headers=HTMX).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in fragment and 'href="javascript:' not in fragment.lower()


def _count_statements(client, url) -> tuple[int, float]:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if not statement.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")):  # the test harness's transaction
            statements.append(statement)

    db.session.expunge_all()  # nothing cached from building the data: every author must come from the page's queries
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements), elapsed


def _add_comments(meeting_id, items, authors, count, start):
    now = utcnow()
    body = "我同意**第二条**，但希望物业先公示账目。\n\n- 电梯\n- 门禁"
    html = str(render_markdown(body))
    db.session.add_all(
        Comment(
            meeting_id=meeting_id,
            item_id=items[n % len(items)],
            author_id=authors[n % len(authors)],
            body=body,
            body_html=html,
            created_at=now - timedelta(seconds=count - n),
            edited_at=now if n % 7 == 0 else None,
            hidden_at=now if n % 50 == 0 else None,
            hidden_reason="离题" if n % 50 == 0 else None,
        )
        for n in range(start, start + count)
    )
    db.session.commit()


def test_500_comments_take_the_same_number_of_queries_as_5(client, hall, login, make, make_meeting):
    extra = [make.person(f"评论人{i}") for i in range(30)]  # many distinct authors: a lazy author load would show
    authors = [p.id for p in [*hall.committee, *extra]]
    meeting = make_meeting(signed_in=[hall.chair])
    meeting_id, items = meeting.id, [i.id for i in meeting.items]
    login(hall.chair)  # the chair sees hide forms on every comment
    _add_comments(meeting_id, items, authors, 5, 0)
    page = _page(client, meeting)  # warm up (templates compiled, caches filled)
    few, _ = _count_statements(client, _url(meeting))
    _add_comments(meeting_id, items, authors, 495, 5)
    many, elapsed = _count_statements(client, f"/c/lvyuan/meetings/{meeting_id}/")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 500
    print(
        f"\nmeeting page with 500 comments: {few} statements for 5, {many} for 500; rendered in {elapsed * 1000:.0f} ms"
    )
    assert many == few
    page = client.get(f"/c/lvyuan/meetings/{meeting_id}/").get_data(as_text=True)
    assert page.count('class="comment') >= 500 and "评论人29" in page


@pytest.mark.parametrize(
    ("text", "message"),
    [("  ", "Write something before sending."), ("长" * 5001, "This text is too long: at most 5000 characters.")],
)
def test_empty_or_too_long_edit_is_refused_at_its_field(client, hall, login, make_meeting, text, message):
    member = hall.members[0]
    meeting = make_meeting(signed_in=[member])
    login(member)
    comment = _post(client, meeting, meeting.items[0], "原文")
    for headers in ({}, HTMX):  # the whole page, or the item's discussion: the same form, open, with its error
        refused = client.post(_url(meeting, f"comments/{comment.id}/edit"), data={"body": text}, headers=headers)
        assert refused.status_code == 400
        body = refused.get_data(as_text=True)
        assert ("<html" in body) is (headers == {})
        assert body.count('class="field-error"') == 1 and body.count('aria-invalid="true"') == 1
        assert f'<small id="edit-body-{comment.id}-error" class="field-error"' in body
        assert f'aria-describedby="edit-body-{comment.id}-error"' in body
        assert '<details class="comment-edit" open>' in body
        assert message in body and f">{text}</textarea>" in body
    db.session.refresh(comment)
    assert comment.body == "原文" and comment.edited_at is None


@pytest.mark.parametrize(
    ("reason", "message"),
    [("  ", "Give the reason for hiding the comment."), ("离" * 501, "This text is too long: at most 500 characters.")],
)
def test_hiding_without_a_reason_or_with_a_too_long_one_is_refused_at_its_field(
    client, hall, login, make_meeting, reason, message
):
    author = hall.members[0]
    meeting = make_meeting(signed_in=[author, hall.chair])
    login(author)
    comment = _post(client, meeting, meeting.items[0], "意见")
    client.post("/logout")
    login(hall.chair)
    for headers in ({}, HTMX):
        refused = client.post(_url(meeting, f"comments/{comment.id}/hide"), data={"reason": reason}, headers=headers)
        assert refused.status_code == 400
        body = refused.get_data(as_text=True)
        assert ("<html" in body) is (headers == {})
        assert body.count('class="field-error"') == 1 and body.count('aria-invalid="true"') == 1
        assert f'<small id="hide-reason-{comment.id}-error" class="field-error"' in body
        assert '<details class="comment-hide" open>' in body
        assert message in body and f'value="{reason}"' in body
    db.session.refresh(comment)
    assert comment.hidden_at is None
