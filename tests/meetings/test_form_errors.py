"""Refused forms of meetings: the error summary and its links, a message per field, and a form whose token expired
shown again as typed (writing nothing), as a whole page and as an htmx fragment."""

from __future__ import annotations

import re

import pytest

from portal.extensions import db
from portal.meetings.models import Comment, Meeting
from tests.conftest import PASSWORD


@pytest.fixture
def csrf_on(app, monkeypatch):
    """CSRF checked as in production (the test app leaves it off)."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def _summary(html: str) -> str:
    found = re.search(
        r'<div class="error-summary" role="alert" tabindex="-1" data-error-summary>(.*?)</div>', html, re.S
    )
    assert found, html[:3000]
    return found.group(1)


def _token(client, path="/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


def _login_with_token(client, person) -> None:
    token = _token(client)
    response = client.post("/login", data={"login": person.account_no, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303


def test_empty_meeting_form_lists_every_error_linking_to_its_field(client, hall, login):
    login(hall.chair)
    response = client.post("/c/lvyuan/meetings/new", data={"kind": "committee", "visibility": "members"})
    assert response.status_code == 400
    summary = _summary(response.get_data(as_text=True))
    assert "出现问题" in summary
    for target, text in [
        ("title", "请填写会议标题"),
        ("starts_at", "请填写会议开始时间"),
        ("ends_at", "请填写会议结束时间"),
        ("agenda", "请填写议程"),
    ]:
        assert f'<a href="#{target}">{text}</a>' in summary, (target, summary)
    assert "该字段是必填字段" not in response.get_data(as_text=True)


def test_the_summary_in_english(client, hall, login):
    client.set_cookie("lang", "en")
    login(hall.chair)
    html = client.post("/c/lvyuan/meetings/new", data={"kind": "committee"}).get_data(as_text=True)
    summary = _summary(html)
    assert "There is a problem" in summary
    assert '<a href="#title">Enter the meeting title</a>' in summary
    assert '<a href="#agenda">Enter agenda</a>' in summary
    assert "This field is required" not in html


def test_comment_refused_in_the_htmx_fragment_has_its_summary(client, hall, login, make_meeting):
    meeting = make_meeting(signed_in=[hall.members[0]])
    item = meeting.items[0]
    login(hall.members[0])
    url = f"/c/lvyuan/meetings/{meeting.id}/items/{item.id}/comments"
    for headers in ({"HX-Request": "true"}, {}):
        response = client.post(url, data={"body": "  "}, headers=headers)
        assert response.status_code == 400
        summary = _summary(response.get_data(as_text=True))
        assert f'href="#comment-body-{item.id}"' in summary


def test_an_expired_meeting_form_comes_back_as_typed_and_writes_nothing(client, hall, login, csrf_on):
    _login_with_token(client, hall.chair)
    response = client.post(
        "/c/lvyuan/meetings/new",
        data={"kind": "committee", "title": "停留很久的会议", "agenda": "一\n二", "csrf_token": "stale"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    summary = _summary(html)
    assert "页面停留时间过长，请核对后再次提交" in summary and 'href="#kind"' in summary
    assert 'value="停留很久的会议"' in html and "一\n二" in html
    fresh = re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    assert fresh != "stale"
    assert db.session.scalar(db.select(db.func.count()).select_from(Meeting)) == 0


def test_an_expired_htmx_comment_comes_back_in_its_fragment_and_writes_nothing(client, hall, make_meeting, csrf_on):
    meeting = make_meeting(signed_in=[hall.members[0]])
    item = meeting.items[0]
    _login_with_token(client, hall.members[0])
    response = client.post(
        f"/c/lvyuan/meetings/{meeting.id}/items/{item.id}/comments",
        data={"body": "我同意电梯维修方案", "csrf_token": "stale"},
        headers={"HX-Request": "true", "X-CSRFToken": "stale"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<html" not in html  # the fragment, swapped in by htmx (its responseHandling swaps 400s)
    assert "页面停留时间过长，请核对后再次提交" in _summary(html)
    assert "我同意电梯维修方案" in html
    assert 'name="csrf_token" value="stale"' not in html
    assert db.session.scalar(db.select(db.func.count()).select_from(Comment)) == 0


def test_an_expired_login_never_echoes_the_password(client, hall, csrf_on):
    response = client.post(
        "/login", data={"login": hall.owner.account_no, "password": "s3cret-typed-pw", "csrf_token": "stale"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "页面停留时间过长" in html and hall.owner.account_no in html
    assert "s3cret-typed-pw" not in html


def test_a_forged_post_changes_no_session_and_no_cookie(client, hall, csrf_on, caplog):
    """The attack the token exists for, now that a refused form is shown again by running its view: a page elsewhere
    posts, without a token, to log the owner in as the attacker, to log them out, or to switch their language. Each
    gets 400 and changes nothing: no login, no logout, no cookie."""
    forged = client.post("/login", data={"login": hall.owner.account_no, "password": PASSWORD})
    assert forged.status_code == 400  # the form again, with a fresh token in the session: nothing more
    assert client.get("/account").status_code == 302  # nobody is logged in

    _login_with_token(client, hall.chair)
    assert client.get("/account").status_code == 200
    caplog.clear()
    for path, data in (("/logout", {}), ("/lang", {"lang": "en"}), ("/text", {"size": "large"})):
        response = client.post(path, data=data)
        assert response.status_code == 400, path
        assert not any(c.startswith(("lang=", "text=")) for c in response.headers.getlist("Set-Cookie")), path
        assert client.get("/account").status_code == 200, f"{path}: the owner was logged out"
    page = client.get("/account").get_data(as_text=True)
    assert 'lang="zh-Hans"' in page and "text-large" not in page
    assert "logout" not in caplog.text  # not even a log line of a logout that did not happen
