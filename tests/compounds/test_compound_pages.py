"""Compound home, notices, the owners' roll and its totals."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from portal.compounds import services
from portal.compounds.models import Notice


@pytest.fixture
def compound(make, database):
    compound = make.compound("lvyuan", "绿园小区")
    for public, title in ((True, "电梯年检"), (False, "业委会会议纪要")):
        database.session.add(Notice(compound_id=compound.id, title=title, body="正文", is_public=public))
    database.session.commit()
    return compound


def test_visitors_see_only_public_notices(client, compound):
    page = client.get("/c/lvyuan/").get_data(as_text=True)
    assert "电梯年检" in page and "业委会会议纪要" not in page


def test_members_see_member_notices(client, compound, make, login):
    owner = make.person()
    make.member(owner, compound)
    login(owner)
    page = client.get("/c/lvyuan/").get_data(as_text=True)
    assert "电梯年检" in page and "业委会会议纪要" in page


def test_unknown_compound_is_404(client):
    assert client.get("/c/nowhere/").status_code == 404


def test_committee_posts_a_notice(client, compound, make, login, database):
    chair = make.person()
    make.member(chair, compound, "committee", "chair")
    login(chair)
    bad = client.post("/c/lvyuan/notices", data={"title": "", "body": "x"})
    assert bad.status_code == 400 and 'id="title-error"' in bad.get_data(as_text=True)
    assert client.post("/c/lvyuan/notices", data={"title": "停水通知", "body": "周六停水"}).status_code == 303
    assert "停水通知" in client.get("/c/lvyuan/").get_data(as_text=True)
    client.post("/logout")
    assert "停水通知" not in client.get("/c/lvyuan/").get_data(as_text=True)  # not public unless ticked


def test_notice_text_is_escaped(client, compound, make, login, database):
    database.session.add(
        Notice(compound_id=compound.id, title="<b>x</b>", body="<script>alert(1)</script>", is_public=True)
    )
    database.session.commit()
    notice_id = database.session.query(Notice.id).filter_by(title="<b>x</b>").scalar()
    page = client.get(f"/c/lvyuan/notices/{notice_id}").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page


def test_notice_of_another_compound_is_404(client, compound, make):
    other = make.compound()
    notice = Notice(compound_id=other.id, title="别处", body="", is_public=True)
    from portal.extensions import db

    db.session.add(notice)
    db.session.commit()
    assert client.get(f"/c/lvyuan/notices/{notice.id}").status_code == 404


def test_totals_count_heads_as_article_278_does(make, database):
    """Several units of one buyer are one head; the developer is one; co-owners are one (their voter)."""
    compound = make.compound()
    buyer, alone, developer = make.person("买两套"), make.person("一套"), make.person("开发商", is_developer=True)
    husband, wife = make.person("丈夫"), make.person("妻子")
    make.unit(compound, "101", "100.00", owners=[buyer])
    make.unit(compound, "102", "50.25", owners=[buyer])
    make.unit(compound, "103", "88.50", owners=[alone])
    make.unit(compound, "104", "120.00", owners=[developer])
    make.unit(compound, "105", "120.00", owners=[developer])
    make.unit(compound, "106", "66.66", owners=[husband, wife], voter=1)
    totals = services.totals(compound)
    assert totals.units == 6
    assert totals.heads == 4
    assert totals.area_m2 == Decimal("545.41")


def test_roll_shows_rooms_and_areas_but_no_names(client, make, login):
    compound = make.compound("roll")
    owner = make.person("王秘密")
    make.member(owner, compound)
    make.unit(compound, "10", "66.66", owners=[owner])
    make.unit(compound, "9", "70.00", owners=[owner])
    login(owner)
    page = client.get("/c/roll/roll").get_data(as_text=True)
    assert "王秘密" not in page.split("<main")[1]
    assert "66.66 ㎡" in page and "136.66 ㎡" in page
    assert page.index("1栋 1单元 9<") < page.index("1栋 1单元 10<")  # rooms sort as numbers


def test_public_pages_carry_a_title_and_a_line_for_shared_links(client, make):
    """WeChat and other apps show a shared link by its title and description: each public page names itself."""
    community = make.community("阳光社区")
    make.compound("lvyuan", "绿园小区", community)
    for path, words in (
        ("/c/lvyuan/", "公告、业主投票"),
        ("/c/lvyuan/board/", "承诺、进展与居民评价"),
        ("/c/lvyuan/needs/", "需求与微心愿"),
        ("/c/lvyuan/lists/", "项目清单"),
    ):
        page = client.get(path).get_data(as_text=True)
        description = re.search(r'<meta name="description" content="([^"]*)">', page).group(1)
        og_title = re.search(r'<meta property="og:title" content="([^"]*)">', page).group(1)
        assert "绿园小区" in description and words in description, (path, description)
        assert "绿园小区" in og_title and f'<meta property="og:description" content="{description}">' in page


def test_a_notice_names_its_issuer_and_date_and_leaves_room_for_the_seal(client, make, login):
    community = make.community("阳光社区")
    compound = make.compound("lvyuan", "绿园小区", community)
    chair = make.person("王主任")
    make.member(chair, compound, "committee", "chair")
    notice = services.post_notice(compound, "停水通知", "周五停水。", True, chair)
    page = client.get(f"/c/lvyuan/notices/{notice.id}").get_data(as_text=True)
    issuer = page[page.index('class="notice-issuer"') :]
    assert "发布单位：王主任" in issuer and "日期：" in issuer and "（盖章）" in issuer
