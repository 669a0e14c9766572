"""The public minutes archive: Chinese full-text search, visibility in search and on the page, filters, query count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask_login import AnonymousUserMixin

from portal.db import utcnow
from portal.extensions import db
from portal.meetings import access, archive
from portal.meetings.models import Addendum, Attendance, Invitation, Minutes, MinutesStatus, Motion, MotionRule
from tests.queries import count_queries

URL = "/c/lvyuan/meetings/minutes/"
VISITOR = AnonymousUserMixin()
BODY = "一、关于三号楼电梯更换：动用维修基金二十万元。\n\n二、**物业费**维持不变。"


def _publish(meeting, body=BODY, title=None, published_at=None, status=MinutesStatus.published, decisions=()):
    """Minutes for the meeting (published unless told otherwise), with closed motions (text, passed), indexed."""
    if title:
        meeting.title = title
    for text, passed in decisions:
        db.session.add(
            Motion(meeting_id=meeting.id, item_id=meeting.items[0].id, text=text, rule=MotionRule.answered,
                   opened_by_id=meeting.convenor_id, closed_at=utcnow(), yes=3 if passed else 1, no=1 if passed else 3,
                   abstain=0, passed=passed)
        )  # fmt: skip
    minutes = Minutes(meeting_id=meeting.id, body=body, body_html="", status=status)
    if status == MinutesStatus.published:
        minutes.published_at = published_at or utcnow()
    db.session.add(minutes)
    db.session.flush()
    archive.index(minutes)
    db.session.commit()
    return minutes


def _ids(rows):
    return [m.id for m in rows]


def _page(client, **params):
    response = client.get(URL, query_string=params)
    assert response.status_code == 200
    return response.get_data(as_text=True)


# Search finds Chinese words


@pytest.mark.parametrize("q", ["电梯", "维修基金", "物业费", "三号楼电梯更换", "电梯 维修基金", "更换", "公示会议"])
def test_search_finds_a_chinese_word_in_published_minutes(hall, make_meeting, q):
    minutes = _publish(make_meeting(visibility="public"), title="十一月公示会议")
    assert _ids(archive.search(hall.compound, hall.owner, q)) == [minutes.id]


@pytest.mark.parametrize("q", ["电梯坏了", "停车", "梯维修", "电梯 停车"])
def test_search_does_not_find_what_is_not_there(hall, make_meeting, q):
    _publish(make_meeting(visibility="public"))
    assert archive.search(hall.compound, hall.owner, q) == []


def test_decisions_and_addenda_are_searchable(hall, make_meeting):
    meeting = make_meeting(visibility="public")
    minutes = _publish(meeting, body="会议记录", decisions=[("同意聘请第三方审计", True)])
    assert _ids(archive.search(hall.compound, hall.owner, "审计")) == [minutes.id]
    assert archive.search(hall.compound, hall.owner, "更正金额") == []
    db.session.add(
        Addendum(minutes_id=minutes.id, body="更正金额为十八万元", body_html="", author_id=hall.secretary.id)
    )
    archive.index(minutes)
    assert _ids(archive.search(hall.compound, hall.owner, "更正金额")) == [minutes.id]
    assert _ids(archive.search(hall.compound, hall.owner, "审计")) == [minutes.id]


@pytest.mark.parametrize("status", [MinutesStatus.draft, MinutesStatus.signing])
def test_minutes_not_yet_published_never_appear(client, hall, make_meeting, status, login):
    meeting = make_meeting(visibility="public")
    _publish(meeting, status=status, title="尚未公示的会议")
    for q in ("电梯", "维修基金", ""):
        assert archive.search(hall.compound, hall.chair, q) == []
    login(hall.chair)
    assert "尚未公示的会议" not in _page(client)
    assert "尚未公示的会议" not in _page(client, q="电梯")


# Visibility


@pytest.fixture
def three(hall, make_meeting):
    """Published minutes of a public, a members-only and an invitees-only meeting (the committee invited, not the
    owners), all mentioning 电梯, published a day apart, oldest first."""
    now = utcnow()
    public = _publish(make_meeting(visibility="public"), title="公开会议", published_at=now - timedelta(days=3))
    members = _publish(make_meeting(visibility="members"), title="成员会议", published_at=now - timedelta(days=2))
    invitees = _publish(
        make_meeting(visibility="invitees", groups=["committee"]),
        title="受邀会议",
        published_at=now - timedelta(days=1),
    )
    return {"public": public, "members": members, "invitees": invitees}


WHO_SEES = [
    ("visitor", {"public"}),
    ("stranger", {"public"}),
    ("owner", {"public", "members"}),
    ("resident", {"public", "members"}),
    ("manager", {"public", "members"}),
    ("chair", {"public", "members", "invitees"}),
    ("staff", {"public", "members", "invitees"}),
]


def _person(hall, who):
    return VISITOR if who == "visitor" else getattr(hall, who)


@pytest.mark.parametrize(("who", "sees"), WHO_SEES)
@pytest.mark.parametrize("q", ["", "电梯", "维修基金"])
def test_search_returns_only_what_the_person_may_see(hall, three, who, sees, q):
    person = _person(hall, who)
    found = archive.search(hall.compound, person, q)
    assert set(_ids(found)) == {three[name].id for name in sees}
    # The same answer as the one rule of access, row by row.
    for minutes in three.values():
        assert (minutes in found) == access.can_view(person, minutes.meeting)


@pytest.mark.parametrize(("who", "sees"), WHO_SEES)
def test_the_page_shows_only_what_the_person_may_see(client, hall, three, login, who, sees):
    if who != "visitor":
        login(getattr(hall, who))
    titles = {"public": "公开会议", "members": "成员会议", "invitees": "受邀会议"}
    for params in ({}, {"q": "电梯"}, {"q": "维修基金"}):
        page = _page(client, **params)
        assert {name for name, title in titles.items() if title in page} == sees


def test_an_owner_invited_by_name_sees_invitees_minutes(client, hall, three, login):
    meeting = three["invitees"].meeting
    assert archive.search(hall.compound, hall.owner, "电梯") == [three["members"], three["public"]]
    db.session.add(Invitation(meeting_id=meeting.id, person_id=hall.owner.id))
    db.session.commit()
    db.session.expire(meeting)
    assert _ids(archive.search(hall.compound, hall.owner, "电梯"))[0] == three["invitees"].id
    login(hall.owner)
    assert "受邀会议" in _page(client, q="电梯")


def test_minutes_of_another_compound_are_not_in_this_archive(hall, make, make_meeting):
    _publish(make_meeting(visibility="public"))
    other = make.compound("other", "别的小区", hall.community)
    assert archive.search(other, hall.owner, "电梯") == []


# Filters, order


def test_newest_first_and_filters_by_kind_and_year(client, hall, make_meeting):
    now = utcnow()
    committee = make_meeting(kind="committee", visibility="public")
    joint = make_meeting(kind="joint", visibility="public")
    council = make_meeting(kind="council", visibility="public")
    # 2024-01-01 01:00 in Beijing is still 2023 in UTC: the year is Beijing's.
    committee.starts_at = datetime(2023, 12, 31, 17, 0, tzinfo=UTC)
    joint.starts_at = datetime(2023, 12, 31, 15, 0, tzinfo=UTC)  # 23:00 on 31 December in Beijing
    council.starts_at = datetime(2025, 6, 1, 2, 0, tzinfo=UTC)
    older = _publish(committee, title="业委会会议纪要", published_at=now - timedelta(days=5))
    middle = _publish(joint, title="联席会议纪要", published_at=now - timedelta(days=2))
    newest = _publish(council, title="议事会纪要", published_at=now - timedelta(days=1))

    assert _ids(archive.search(hall.compound, hall.owner, "")) == [newest.id, middle.id, older.id]
    assert _ids(archive.search(hall.compound, hall.owner, "电梯", kind="joint")) == [middle.id]
    assert _ids(archive.search(hall.compound, hall.owner, "", year=2024)) == [older.id]
    assert _ids(archive.search(hall.compound, hall.owner, "", year=2023)) == [middle.id]
    assert _ids(archive.search(hall.compound, hall.owner, "", kind="committee", year=2023)) == []
    assert archive.years(hall.compound, hall.owner) == [2025, 2024, 2023]

    page = _page(client)
    assert page.index("议事会纪要") < page.index("联席会议纪要") < page.index("业委会会议纪要")
    page = _page(client, year="2024")
    assert "业委会会议纪要" in page and "联席会议纪要" not in page and "议事会纪要" not in page
    page = _page(client, kind="joint", q="维修基金")
    assert "联席会议纪要" in page and "业委会会议纪要" not in page and "议事会纪要" not in page
    # Nonsense filters are ignored, not errors.
    page = _page(client, kind="nonsense", year="abc")
    assert "议事会纪要" in page and "业委会会议纪要" in page


# Hostile input


@pytest.mark.parametrize(
    "q", ['"', "*", "OR", "NEAR(", "%", "_", "%%%", "___", '" OR "', "电梯 OR 停车", 'NEAR("电梯" "基金")', "\\", "a*"]
)
def test_hostile_query_neither_errors_nor_matches_everything(client, hall, make_meeting, q):
    _publish(make_meeting(visibility="public"), title="公开会议")
    assert archive.search(hall.compound, hall.owner, q) == []
    assert "公开会议" not in _page(client, q=q)


def test_special_characters_are_found_literally(hall, make_meeting):
    minutes = _publish(make_meeting(visibility="public"), body='完成率 100% 的 "A_B" 计划')
    for q in ("100%", '"A_B"', "A_B", "%"):
        assert _ids(archive.search(hall.compound, hall.owner, q)) == [minutes.id], q
    assert archive.search(hall.compound, hall.owner, "A%B") == []


# The page


def test_each_entry_shows_date_kind_attendance_and_decisions(client, hall, make_meeting):
    meeting = make_meeting(kind="committee", visibility="public")
    meeting.starts_at = datetime(2024, 11, 5, 2, 0, tzinfo=UTC)
    for person in hall.committee[:5]:
        db.session.add(Attendance(meeting_id=meeting.id, person_id=person.id))
    _publish(meeting, title="十一月业委会会议", decisions=[("更换三号楼电梯", True), ("上调物业费", False)])
    client.set_cookie("lang", "en")
    page = _page(client)
    page = page[page.index('id="archive-results"') :]  # the entry, not the form's list of kinds
    assert f'/c/lvyuan/meetings/{meeting.id}/#minutes"' in page
    assert "十一月业委会会议" in page and "Owners' committee meeting" in page
    assert "5 Nov 2024" in page
    assert "5 signed in" in page
    assert "更换三号楼电梯" in page and "上调物业费" in page
    assert page.index("更换三号楼电梯") < page.index("Passed") < page.index("上调物业费") < page.index("Not passed")


def test_htmx_gets_only_the_results(client, hall, make_meeting):
    _publish(make_meeting(visibility="public"), title="公开会议")
    response = client.get(URL, query_string={"q": "电梯"}, headers={"HX-Request": "true"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "公开会议" in text
    assert "<html" not in text and 'name="q"' not in text
    assert "HX-Request" in response.headers["Vary"]
    full = _page(client, q="电梯")
    assert "<html" in full and 'id="archive-results"' in full and 'value="电梯"' in full


def test_nothing_found_says_so(client, hall, make_meeting):
    client.set_cookie("lang", "en")
    assert "No minutes have been published yet." in _page(client)
    _publish(make_meeting(visibility="public"))
    assert "No published minutes match this search." in _page(client, q="停车")


def test_queries_do_not_grow_with_entries(client, hall, make_meeting, login):
    def _add(n):
        for i in range(n):
            meeting = make_meeting(visibility="invitees" if i % 2 else "public", groups=["owner"])
            db.session.add(Attendance(meeting_id=meeting.id, person_id=hall.chair.id))
            _publish(meeting, title=f"会议{i}", decisions=[("决议甲", True), ("决议乙", False)])

    login(hall.owner)
    _add(2)
    with count_queries() as few:
        page = _page(client, q="电梯")
    assert page.count("决议甲") == 2
    _add(8)
    with count_queries() as many:
        page = _page(client, q="电梯")
    assert page.count("决议甲") == 10
    assert len(many) == len(few)
