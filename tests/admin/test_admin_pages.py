"""The platform administrator's pages: communities, and the community staff who supervise them."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from portal.accounts.models import Person
from portal.compounds.models import Community
from portal.roles.models import CommunityStaff


@pytest.fixture
def admin(make, login):
    """A platform administrator, logged in."""
    person = make.person("管理员", admin=True)
    login(person)
    return person


def _staff_ids(database, community) -> set[int]:
    return set(
        database.session.scalars(sa.select(CommunityStaff.person_id).where(CommunityStaff.community_id == community.id))
    )


def test_the_list_shows_communities_with_compounds_and_staff(client, make, admin):
    community = make.community("阳光社区")
    make.compound("sun-a", "甲小区", community)
    make.compound("sun-b", "乙小区", community)
    make.staff(make.person("周敏"), community)
    page = client.get("/admin/").get_data(as_text=True)
    assert "阳光社区" in page and "周敏" in page
    assert "<strong>2</strong>" in page  # two compounds


def test_create_a_community_and_refuse_a_duplicate_at_the_field(client, database, admin):
    response = client.post("/admin/", data={"name": "  月亮社区 "})
    assert response.status_code == 303
    community = database.session.scalar(sa.select(Community).where(Community.name == "月亮社区"))
    assert response.headers["Location"].endswith(f"/admin/communities/{community.id}/")
    again = client.post("/admin/", data={"name": "月亮社区"})
    assert again.status_code == 400
    page = again.get_data(as_text=True)
    assert 'aria-invalid="true"' in page and "field-error" in page
    assert database.session.scalar(sa.select(sa.func.count()).where(Community.name == "月亮社区")) == 1
    assert client.post("/admin/", data={"name": ""}).status_code == 400


def test_add_an_existing_person_by_account_or_phone(client, database, make, admin):
    community = make.community()
    by_account, by_phone = make.person("甲"), make.person("乙", phone="13912345678")
    for typed in (by_account.account_no, "139 1234 5678"):
        response = client.post(f"/admin/communities/{community.id}/staff", data={"login": typed})
        assert response.status_code == 303, response.get_data(as_text=True)[:300]
    assert _staff_ids(database, community) == {by_account.id, by_phone.id}
    unknown = client.post(f"/admin/communities/{community.id}/staff", data={"login": "nobody-here"})
    assert unknown.status_code == 400 and "field-error" in unknown.get_data(as_text=True)
    assert _staff_ids(database, community) == {by_account.id, by_phone.id}


def test_add_a_new_person_whose_password_is_shown_once(app, client, database, make, admin):
    community = make.community("星星社区")
    response = client.post(
        f"/admin/communities/{community.id}/staff/new", data={"name": "新工作人员", "account_no": "xinren"}
    )
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    page = response.get_data(as_text=True)
    password = re.search(r'<code class="initial-password"[^>]*>([^<]+)</code>', page).group(1)
    person = database.session.scalar(sa.select(Person).where(Person.account_no == "xinren"))
    assert person.name == "新工作人员" and password not in person.password_hash
    assert _staff_ids(database, community) == {person.id}
    assert password not in client.get(f"/admin/communities/{community.id}/").get_data(as_text=True)
    taken = client.post(f"/admin/communities/{community.id}/staff/new", data={"name": "重名", "account_no": "xinren"})
    assert taken.status_code == 400 and "field-error" in taken.get_data(as_text=True)
    client.post("/logout")
    other = app.test_client()
    assert other.post("/login", data={"login": "xinren", "password": password}).status_code == 303
    assert "星星社区" in other.get("/staff/").get_data(as_text=True)


def test_a_new_person_gets_an_account_number_when_none_is_typed(client, database, make, admin):
    community = make.community()
    response = client.post(f"/admin/communities/{community.id}/staff/new", data={"name": "无账号"})
    assert response.status_code == 200
    person = database.session.scalar(sa.select(Person).where(Person.name == "无账号"))
    assert re.fullmatch(r"\d{8}", person.account_no) and person.account_no in response.get_data(as_text=True)


def test_remove_staff_after_a_confirmation(client, database, make, admin):
    community = make.community()
    member = make.person("要离开")
    make.staff(member, community)
    path = f"/admin/communities/{community.id}/staff/{member.id}/remove"
    confirm = client.get(path)
    assert confirm.status_code == 200 and "要离开" in confirm.get_data(as_text=True)
    assert 'method="post"' in confirm.get_data(as_text=True)
    assert _staff_ids(database, community) == {member.id}  # asking changes nothing
    response = client.post(path)
    assert response.status_code == 303
    assert _staff_ids(database, community) == set()
    assert database.session.get(Person, member.id) is not None  # the person stays; only the post goes
    assert client.post(path).status_code == 404  # no longer staff there


def test_unknown_community_is_404(client, admin):
    assert client.get("/admin/communities/999999/").status_code == 404


def test_the_admin_area_is_linked_for_administrators_only(client, make, login, admin):
    assert 'href="/admin/"' in client.get("/account").get_data(as_text=True)
    client.post("/logout")
    login(make.person("普通人"))
    assert 'href="/admin/"' not in client.get("/account").get_data(as_text=True)
