"""需求清单: the public, accepted needs for everyone, every need for staff, and never who asked or where they live."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.lists.models import Project

SECRETS = ("业主王秀英", "1101", "3栋", "2单元")  # the requester's name and room


@pytest.fixture
def needs(need, town):
    """One need in each state, public, plus a non-public open one and one of 桂花苑."""
    rows = {s: need(f"需求-{s}", status=s) for s in ("submitted", "declined", "open", "taken", "done", "closed")}
    rows["hidden"] = need("需求-私密", public=False)
    rows["guihua"] = need("需求-桂花苑", requester=town.neighbour, compound=town.guihua)
    return rows


@pytest.mark.parametrize("viewer", [None, "resident", "doctor", "neighbour", "owner"])
def test_the_public_list_shows_accepted_public_needs_without_names(client, town, login, needs, viewer):
    if viewer:
        login(getattr(town, viewer))
    for url in ("/c/lvyuan/lists/needs", "/c/lvyuan/lists/"):
        page = client.get(url).get_data(as_text=True)
        for secret in SECRETS:
            assert secret not in page, (url, secret)
    page = client.get("/c/lvyuan/lists/needs").get_data(as_text=True)
    for status in ("open", "taken", "done", "closed"):
        assert f"需求-{status}" in page
    for hidden in ("需求-submitted", "需求-declined", "需求-私密", "需求-桂花苑"):
        assert hidden not in page


def test_staff_see_every_need_but_still_no_names(client, town, login, needs):
    login(town.staff)
    page = client.get("/c/lvyuan/lists/needs").get_data(as_text=True)
    for title in ("需求-submitted", "需求-declined", "需求-open", "需求-私密"):
        assert title in page
    assert "需求-桂花苑" not in page
    for secret in SECRETS:
        assert secret not in page


def test_staff_of_another_community_see_only_the_public_list(client, town, login, needs):
    login(town.far_staff)
    page = client.get("/c/lvyuan/lists/needs").get_data(as_text=True)
    assert "需求-open" in page and "需求-私密" not in page and "需求-submitted" not in page


def test_the_list_filters_by_status_kind_and_category(client, town, needs, need):
    need("想学智能手机", kind="request")
    page = client.get("/c/lvyuan/lists/needs?status=open").get_data(as_text=True)
    assert "需求-open" in page and "需求-taken" not in page
    page = client.get("/c/lvyuan/lists/needs?kind=request").get_data(as_text=True)
    assert "想学智能手机" in page and "需求-open" not in page
    page = client.get("/c/lvyuan/lists/needs?status=submitted").get_data(as_text=True)  # not for the public
    assert "需求-submitted" not in page
    fragment = client.get("/c/lvyuan/lists/needs?category=elderly", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)


def test_a_project_does_not_show_a_non_public_need_to_the_public(client, town, login, need, resource):
    wish = need("给瘫痪老人理发", public=False)
    login(town.staff)
    client.post(f"/c/lvyuan/lists/needs/{wish.id}/match", data={"resource": resource("理发").id, "title": "上门理发"})
    (project,) = db.session.scalars(sa.select(Project)).all()
    assert "给瘫痪老人理发" in client.get(f"/c/lvyuan/lists/projects/{project.id}").get_data(as_text=True)
    client.post("/logout")
    for url in (f"/c/lvyuan/lists/projects/{project.id}", "/c/lvyuan/lists/projects", "/c/lvyuan/lists/"):
        page = client.get(url).get_data(as_text=True)
        assert "上门理发" in page
        assert "给瘫痪老人理发" not in page
        for secret in SECRETS:
            assert secret not in page
    login(town.owner)  # the requester sees what their own request was
    assert "给瘫痪老人理发" in client.get(f"/c/lvyuan/lists/projects/{project.id}").get_data(as_text=True)


def test_a_request_reads_the_same_on_the_lists_and_on_its_own_page(client, town, login, needs):
    """Issue 12: the list said 处理中 / 已办结，待居民确认 / 居民已确认 where the request's page said
    办理中 / 已办理，待居民确认 / 已办结. Both now show the one word of the glossary for each state."""
    words = {
        "submitted": "待受理",
        "declined": "不予受理",
        "open": "待认领",
        "taken": "办理中",
        "done": "已办理，待居民确认",
        "closed": "已办结",
    }
    login(town.staff)
    listed = client.get("/c/lvyuan/lists/needs").get_data(as_text=True)
    for status, word in words.items():
        row = listed.split(f"需求-{status}", 1)[1].split("</li>", 1)[0]
        assert f'<span class="badge">{word}</span>' in row, status
        page = client.get(f"/c/lvyuan/needs/{needs[status].id}").get_data(as_text=True)
        assert f'<span class="badge">{word}</span>' in page, status
    for drift in ("处理中", "居民已确认", "已办结，待居民确认"):
        assert drift not in listed
