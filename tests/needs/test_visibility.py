"""Public pages never show who asked or where they live; a non-public request is seen only by the requester, staff
and the taker; photos only by those who may see who asked."""

from __future__ import annotations

import pytest

from portal.boards.models import Photo
from portal.extensions import db
from portal.needs import access
from tests.needs.conftest import photo

BASE = "/c/lvyuan/needs"
SECRETS = ("求助人王阿姨", "3栋 2单元", "2单元 1203")  # the requester's name and room


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["anonymous", "neighbour", "volunteer2", "outsider", "manager"])
@pytest.mark.parametrize("stage", ["open", "taken", "done", "closed"])
def test_public_pages_never_show_the_requesters_name_or_room(client, town, relogin, need_at, who, stage):
    need = need_at(stage)  # taken by `volunteer`; volunteer2 is a volunteer who is not the taker
    if who != "anonymous":
        relogin(getattr(town, who))
    for url in (BASE + "/", f"{BASE}/{need.id}", "/c/lvyuan/"):
        page = _page(client, url)
        for secret in SECRETS:
            assert secret not in page, (url, secret)
    page = _page(client, f"{BASE}/{need.id}")
    assert "帮忙买药" in page and ("一位住户" in page or "A resident" in page)


@pytest.mark.parametrize("who", ["requester", "staff", "volunteer"])
def test_the_requester_staff_and_taker_see_the_name_and_room(client, town, relogin, need_at, who):
    need = need_at("taken")
    relogin(getattr(town, who))
    page = _page(client, f"{BASE}/{need.id}")
    assert "求助人王阿姨" in page and "3栋 2单元 1203" in page


def test_staff_list_names_the_requester(client, town, relogin, need_at):
    need_at("submitted", public=False)
    relogin(town.staff)
    assert "求助人王阿姨" in _page(client, BASE + "/?view=all")
    relogin(town.neighbour)
    assert "求助人王阿姨" not in _page(client, BASE + "/?view=all")  # falls back to the public list


@pytest.mark.parametrize(
    ("who", "expected"),
    [("requester", 200), ("staff", 200), ("volunteer", 200), ("anonymous", "login"), ("neighbour", 404),
     ("volunteer2", 404), ("manager", 404), ("outsider", 404), ("far_staff", 404)],
)  # fmt: skip
def test_a_non_public_request_is_seen_only_by_requester_staff_and_taker(client, town, relogin, need_at, who, expected):
    need = need_at("taken", public=False)
    if who != "anonymous":
        relogin(getattr(town, who))
    response = client.get(f"{BASE}/{need.id}")
    if expected == "login":
        assert response.status_code in (302, 303) and "/login" in response.headers["Location"]
    else:
        assert response.status_code == expected
    if expected != 200:
        assert "帮忙买药" not in _page(client, BASE + "/")


def test_a_non_public_request_taken_by_an_organisation_is_seen_by_its_members(client, town, relogin, need_at):
    need = need_at("taken", public=False, taker="org")
    relogin(town.manager)
    assert client.get(f"{BASE}/{need.id}").status_code == 200
    relogin(town.volunteer)
    assert client.get(f"{BASE}/{need.id}").status_code == 404


def test_a_public_request_is_not_public_before_it_is_accepted(client, town, relogin, need_at):
    need = need_at("submitted", public=True)
    relogin(town.volunteer)
    assert client.get(f"{BASE}/{need.id}").status_code == 404
    assert "帮忙买药" not in _page(client, BASE + "/?view=claim")
    declined = need_at("declined", public=True, title="被拒的需求")
    assert client.get(f"{BASE}/{declined.id}").status_code == 404


def test_volunteers_cannot_claim_a_non_public_request(client, town, relogin, need_at):
    need = need_at("open", public=False)
    relogin(town.volunteer)
    assert "帮忙买药" not in _page(client, BASE + "/?view=claim")
    assert client.post(f"{BASE}/{need.id}/claim", data={"as": "self"}).status_code == 404


def test_photos_only_to_those_who_see_the_name(client, town, relogin):
    relogin(town.requester)
    client.post(
        BASE + "/new",
        data={"kind": "request", "category": "repair", "title": "门口漏水", "description": "楼道漏水",
              "is_public": "y", "photos": photo()},
        content_type="multipart/form-data",
    )  # fmt: skip
    picture = db.session.scalar(db.select(Photo))
    need = picture.need_id
    url = f"{BASE}/photos/{picture.id}"
    assert client.get(url).status_code == 200
    relogin(town.staff)
    assert client.post(f"{BASE}/{need}/accept", data={"taker": ""}).status_code == 303
    assert client.get(url).status_code == 200
    relogin(town.neighbour)
    assert client.get(f"{BASE}/{need}").status_code == 200  # the request is public ...
    assert client.get(url).status_code == 404  # ... its photo is not
    assert url not in _page(client, f"{BASE}/{need}")
    client.post("/logout")
    response = client.get(url)
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]
    assert client.get(f"/c/guihua/needs/photos/{picture.id}").status_code in (302, 303, 404)


def test_may_see_and_sees_name(town, need_at):
    public = need_at("open", public=True)
    private = need_at("open", public=False)
    assert access.may_see(None, public) and not access.sees_name(None, public)
    assert not access.may_see(None, private) and not access.may_see(town.volunteer, private)
    assert access.may_see(town.requester, private) and access.may_see(town.staff, private)
