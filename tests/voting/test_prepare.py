"""Preparing a vote through the pages, and the live turnout."""

from __future__ import annotations

import sqlalchemy as sa

from portal.extensions import db
from portal.voting.models import Vote, VoteKind

FORM = {
    "kind": "resolution",
    "title": "关于使用维修资金更换电梯的表决",
    "description": "详见附件",
    "secrecy": "named",
    "opens_at": "2027-01-10T09:00",
    "closes_at": "2027-01-20T18:00",
    "objection_days": "7",
}


def test_committee_prepares_a_resolution(client, estate, login):
    login(estate.people.chair)
    response = client.post("/c/lvyuan/votes/new", data=FORM)
    assert response.status_code == 303
    vote = db.session.scalar(sa.select(Vote))
    assert vote.kind == VoteKind.resolution and vote.opens_at.hour == 1  # 09:00 in Beijing is 01:00 UTC
    base = f"/c/lvyuan/votes/{vote.id}"
    data = {"item-title": "使用维修资金更换3栋电梯", "item-category": "use_fund"}
    assert client.post(f"{base}/items", data=data).status_code == 303
    assert client.post(f"{base}/items", data={"item-title": "", "item-category": "raise_fund"}).status_code == 400
    data = {"item-title": "筹集维修资金", "item-category": "raise_fund"}
    assert client.post(f"{base}/items", data=data).status_code == 303
    db.session.refresh(vote)
    # the convenor names the Art. 278 category; the threshold follows from it (using the fund is ordinary)
    assert [(i.title, i.category.value, i.matter.value) for i in vote.items] == [
        ("使用维修资金更换3栋电梯", "use_fund", "ordinary"),
        ("筹集维修资金", "raise_fund", "major"),
    ]
    page = client.get(f"{base}/edit").get_data(as_text=True)
    assert 'value="announced"' in page


def test_the_item_form_offers_categories_not_thresholds(client, estate, make_vote, login):
    vote = make_vote(status="draft")
    login(estate.people.chair)
    base = f"/c/lvyuan/votes/{vote.id}"
    client.post("/lang", data={"lang": "en"})
    page = client.get(f"{base}/edit").get_data(as_text=True)
    assert 'name="item-category"' in page and 'name="item-matter"' not in page
    assert "(6) Raising the maintenance fund of the buildings and their facilities — at least 3/4" in page
    assert "(5) Using the maintenance fund of the buildings and their facilities — more than 1/2" in page
    for data in ({"item-title": "无类别"}, {"item-title": "自选门槛", "item-category": "major"}):
        response = client.post(f"{base}/items", data=data)
        assert response.status_code == 400 and 'id="item-category-error"' in response.get_data(as_text=True)
    db.session.refresh(vote)
    assert len(vote.items) == 2  # the two the fixture made


def test_bad_settings_are_shown_next_to_the_fields(client, estate, login):
    login(estate.people.staff)
    bad = dict(FORM, closes_at="2027-01-01T09:00", secrecy="secret", allow_change="y", kind="election", seats="4")
    response = client.post("/c/lvyuan/votes/new", data=bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for field in ("closes_at", "allow_change", "seats"):
        assert f'id="{field}-error"' in page, field
    assert db.session.scalar(sa.select(sa.func.count(Vote.id))) == 0


def test_committee_cannot_start_an_election(client, estate, login):
    login(estate.people.chair)
    response = client.post("/c/lvyuan/votes/new", data=dict(FORM, kind="election", seats="5"))
    assert response.status_code == 400 and 'id="kind-error"' in response.get_data(as_text=True)


def test_owners_and_residents_cannot_prepare_votes(client, estate, login):
    for person in (estate.people.one, estate.people.resident):
        login(person)
        assert client.post("/c/lvyuan/votes/new", data=FORM).status_code == 403
        client.post("/logout")


def test_poll_options(client, estate, make_vote, login):
    vote = make_vote(kind="poll", status="draft", options=())
    login(estate.people.chair)
    base = f"/c/lvyuan/votes/{vote.id}"
    for label in ("增设充电桩", "增设自行车棚"):
        assert client.post(f"{base}/options", data={"option-label": label}).status_code == 303
    db.session.refresh(vote)
    assert [o.label for o in vote.options] == ["增设充电桩", "增设自行车棚"]
    client.post(f"{base}/options/{vote.options[0].id}/delete")
    db.session.refresh(vote)
    assert [(o.label, o.position) for o in vote.options] == [("增设自行车棚", 1)]


def test_turnout_answers_304_when_nothing_changed(client, estate, make_vote, login):
    vote = make_vote(status="open")
    login(estate.people.one)
    url = f"/c/lvyuan/votes/{vote.id}/turnout"
    first = client.get(url, headers={"HX-Request": "true"})
    assert first.status_code == 200 and "0 / 5 = 0.0%" in first.get_data(as_text=True)
    etag = first.headers["ETag"]
    again = client.get(url, headers={"HX-Request": "true", "If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    from portal.voting import box, electorate

    box.cast(vote, electorate.right_of(vote, estate.people.buyer), box.Choices({}))
    db.session.commit()
    changed = client.get(url, headers={"HX-Request": "true", "If-None-Match": etag})
    body = changed.get_data(as_text=True)
    assert changed.status_code == 200 and "1 / 5 = 20.0%" in body and "200.00 ㎡ / 670.00 ㎡ = 29.9%" in body


def test_no_partial_results_before_the_vote_closes(client, estate, make_vote, login):
    vote = make_vote(status="open")
    login(estate.people.staff)
    page = client.get(f"/c/lvyuan/votes/{vote.id}/").get_data(as_text=True)
    assert f"/votes/{vote.id}/results" not in page


def test_roll_shows_rooms_and_areas_never_names(client, estate, make_vote, login):
    vote = make_vote(status="announced")
    login(estate.people.one)
    page = client.get(f"/c/lvyuan/votes/{vote.id}/roll").get_data(as_text=True)
    main = page.split("<main")[1]
    assert "670.00 ㎡" in main and "1栋 1单元 101; 1栋 1单元 102; 1栋 1单元 103" in main
    assert "三套业主" not in main and "开发商" not in main
