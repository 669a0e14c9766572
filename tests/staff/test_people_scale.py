"""The staff people page at scale (issue 13): search, a building filter and pages of at most 50, queried in SQL with a
bounded number of statements; roles changed on a page per person; letters printed per building."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from portal.accounts.models import ActivationCode
from portal.roles.models import Membership, Role
from tests.queries import count_queries

PAGE = 50


@pytest.fixture
def estate(make, login):
    """A staff member logged in; a compound of two buildings: 王伟 (3栋 2单元 501, phone …6688), 李娜 (1栋 1单元
    101, activated, also a volunteer), 陈静 (1栋 1单元 102, co-owner with 陈刚), and a resident with no room."""
    community = make.community("阳光社区")
    staff = make.person("周敏")
    make.staff(staff, community)
    compound = make.compound("lvyuan", "绿园小区", community)
    wang = make.person("王伟", active=False, phone="13912346688")
    li = make.person("李娜")
    chen = make.person("陈静", active=False)
    gang = make.person("陈刚", active=False)
    tenant = make.person("租户赵六", active=False)
    for person in (wang, li, chen, gang):
        make.member(person, compound)
    make.member(li, compound, "volunteer")
    make.member(tenant, compound, "resident")
    make.unit(compound, "501", building="3栋", entrance="2单元", owners=[wang])
    make.unit(compound, "101", owners=[li])
    make.unit(compound, "102", owners=[chen, gang])
    login(staff)
    return compound, {p.name: p for p in (wang, li, chen, gang, tenant)}


def _names(body: str) -> list[str]:
    return re.findall(r'class="person-name"[^>]*>([^<]+)<', body)


def _get(client, compound, **params):
    response = client.get(f"/staff/c/{compound.slug}/people", query_string=params)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("王伟", ["王伟"]),
        ("陈", ["陈刚", "陈静"]),
        ("3-2-501", ["王伟"]),
        ("3栋2单元501", ["王伟"]),
        ("3栋 2单元 501", ["王伟"]),
        ("1-1-102", ["陈刚", "陈静"]),
        ("501", ["王伟"]),
        ("6688", ["王伟"]),
        ("13912346688", ["王伟"]),
        ("赵六", ["租户赵六"]),
        ("nobody", []),
        ("%", []),
    ],
)
def test_search_matches_name_room_and_phone(client, estate, q, expected):
    compound, _ = estate
    assert sorted(_names(_get(client, compound, q=q))) == expected


def test_search_matches_the_account_number(client, estate):
    compound, people = estate
    assert _names(_get(client, compound, q=people["李娜"].account_no)) == ["李娜"]


def test_building_filter(client, estate, database):
    from portal.compounds.models import Building

    compound, _ = estate
    building = database.session.scalar(sa.select(Building).filter_by(compound_id=compound.id, name="1栋"))
    body = _get(client, compound, building=building.id)
    assert sorted(_names(body)) == ["李娜", "陈刚", "陈静"]
    assert re.search(rf'<option value="{building.id}" selected>1栋</option>', body)
    assert sorted(_names(_get(client, compound, building=building.id, q="陈静"))) == ["陈静"]


def test_a_building_of_another_compound_filters_to_nobody(client, estate, make):
    compound, _ = estate
    other = make.compound()
    theirs = make.unit(other, "101", building="1栋", owners=[make.person("别人")])
    assert _names(_get(client, compound, building=theirs.building_id)) == []
    assert _names(_get(client, compound, building="not-a-number")) != []  # nonsense is ignored, not an error


def test_role_and_state_filters_still_work(client, estate):
    compound, _ = estate
    assert _names(_get(client, compound, role="volunteer")) == ["李娜"]
    assert _names(_get(client, compound, state="active")) == ["李娜"]
    assert sorted(_names(_get(client, compound, state="none"))) == ["王伟", "租户赵六", "陈刚", "陈静"]


def test_the_list_is_in_room_order_with_the_roomless_last(client, estate):
    compound, _ = estate
    assert _names(_get(client, compound)) == ["李娜", "陈刚", "陈静", "王伟", "租户赵六"]


@pytest.fixture
def crowd(make, login):
    """A compound of 120 owners (one per unit, 3 buildings) seen by a logged-in staff member."""
    community = make.community()
    staff = make.person("周敏")
    make.staff(staff, community)
    compound = make.compound("crowd", "大小区", community)
    for n in range(120):
        person = make.person(f"业主{n:03d}", active=False)
        make.member(person, compound)
        make.unit(compound, f"{n % 40 + 101}", building=f"{n // 40 + 1}栋", owners=[person])
    login(staff)
    return compound


def test_pages_hold_at_most_50_with_links(client, crowd):
    compound = crowd
    first = _get(client, compound)
    assert len(_names(first)) == PAGE
    assert "共 120 人，第 1/3 页" in first
    assert f'href="/staff/c/{compound.slug}/people?page=2"' in first
    third = _get(client, compound, page=3)
    assert len(_names(third)) == 20 and "第 3/3 页" in third
    assert f'href="/staff/c/{compound.slug}/people?page=2"' in third
    assert "page=4" not in third
    pages = [_names(_get(client, compound, page=p)) for p in (1, 2, 3)]
    everyone = [name for page in pages for name in page]
    assert len(set(everyone)) == 120  # nobody twice, nobody missed


def test_page_links_keep_the_filters(client, crowd, database):
    from portal.compounds.models import Building

    compound = crowd
    building = database.session.scalar(sa.select(Building).filter_by(compound_id=compound.id, name="1栋"))
    body = _get(client, compound, q="业主", building=building.id)
    assert "共 40 人，第 1/1 页" in body
    body = _get(client, compound, q="业主")
    assert "&amp;page=2" in body and "q=%E4%B8%9A%E4%B8%BB" in body


@pytest.mark.parametrize("page", ["99", "0", "-1", "x", "99999999999999999999999"])
def test_out_of_range_page_shows_a_real_page(client, crowd, page):
    compound = crowd
    body = _get(client, compound, page=page)
    expected = "第 3/3 页" if page.startswith("9") else "第 1/3 页"
    assert expected in body and _names(body)


def test_nobody_found_says_so(client, crowd):
    body = _get(client, crowd, q="不存在的人")
    assert "共 0 人" in body and _names(body) == []


def test_statements_do_not_grow_with_the_people(client, make, login, database):
    """The page's statements are the same for 3 people and for 60 (pages of 50): no query per person."""
    community = make.community()
    staff = make.person()
    make.staff(staff, community)
    compound = make.compound("count", "计数小区", community)
    login(staff)

    def add(start: int, count: int) -> None:
        for n in range(start, start + count):
            person = make.person(f"业主{n}", active=n % 2 == 0, phone=f"1390000{n:04d}")
            make.member(person, compound)
            if n % 3 == 0:
                make.member(person, compound, "committee")
            make.unit(compound, f"{n + 101}", building=f"{n % 4 + 1}栋", owners=[person])
        client.post(f"/staff/c/{compound.slug}/letters", data={"scope": "all_inactive"})

    def statements(**params) -> int:
        client.get(f"/staff/c/{compound.slug}/people", query_string=params)  # warm caches
        with count_queries() as seen:
            assert client.get(f"/staff/c/{compound.slug}/people", query_string=params).status_code == 200
        return len(seen)

    add(0, 3)
    small = statements(), statements(q="业主1"), statements(state="valid")
    add(3, 57)
    large = statements(), statements(q="业主1"), statements(state="valid")
    assert small == large
    assert max(large) <= 12


def test_another_compounds_people_never_appear(client, estate, make):
    """Attack: a person of another compound with the same name, room and phone ending is never listed or found."""
    compound, _ = estate
    other = make.compound()
    stranger = make.person("王伟", phone="13800006688", active=False)
    make.member(stranger, other)
    make.unit(other, "501", building="3栋", entrance="2单元", owners=[stranger])
    for q in ("", "王伟", "3-2-501", "6688", stranger.account_no):
        body = _get(client, compound, q=q)
        assert f'id="person-{stranger.id}"' not in body and f">{stranger.account_no}<" not in body
        assert _names(body).count("王伟") <= 1


def test_staff_of_another_community_get_404(client, estate, make, login):
    compound, people = estate
    outsider = make.person()
    make.staff(outsider, make.community())
    client.post("/logout")
    login(outsider)
    assert client.get(f"/staff/c/{compound.slug}/people?q=王").status_code == 404
    assert client.get(f"/staff/c/{compound.slug}/people/{people['王伟'].id}").status_code == 404


def test_the_page_keeps_role_controls_off_the_list(client, crowd):
    """Each row links to the person's page; the list holds one form (letters) and one revoke form, not a form per
    chip per person."""
    body = _get(client, crowd)
    listed = body[body.index('<ul class="people"') : body.index("</ul>", body.index('<ul class="people"'))]
    assert len(_names(listed)) == PAGE
    assert "<form" not in listed and "csrf_token" not in listed
    assert body.count('name="csrf_token"') <= 5  # the letters and revoke forms, and the layout's own


def test_a_full_page_stays_under_60_kb(client, make, login):
    """50 people with long names, two rooms, several roles and a valid code each: the page is ≤ 60 KB (bytes are
    deterministic; the bench measures time)."""
    community = make.community()
    staff = make.person()
    make.staff(staff, community)
    compound = make.compound("heavy", "重小区", community)
    for n in range(55):
        person = make.person(f"欧阳{n:02d}号长名字业主", active=False)
        make.member(person, compound)
        make.member(person, compound, "committee")
        make.member(person, compound, "volunteer")
        make.unit(compound, f"{n + 1001}", building="12栋", entrance="3单元", owners=[person])
        make.unit(compound, f"{n + 2001}", building="12栋", entrance="3单元", owners=[person])
    login(staff)
    client.post(f"/staff/c/{compound.slug}/letters", data={"scope": "all_inactive"})
    body = _get(client, compound)
    assert len(_names(body)) == PAGE
    assert len(body.encode()) <= 60_000, len(body.encode())


# --- the person's page: roles and code ------------------------------------------------------------------------------


def test_person_page_has_the_role_chips(client, estate):
    compound, people = estate
    wang = people["王伟"]
    list_body = _get(client, compound, q="王伟")
    assert f'href="/staff/c/{compound.slug}/people/{wang.id}"' in list_body
    response = client.get(f"/staff/c/{compound.slug}/people/{wang.id}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in body
    assert len(re.findall(r'<button type="submit" class="chip[ "]', body)) == 4  # the four roles staff manage
    assert '<span class="badge">业主</span>' in body
    partial = client.get(f"/staff/c/{compound.slug}/people/{wang.id}", headers={"HX-Request": "true"})
    assert "<html" not in partial.get_data(as_text=True) and f'id="roles-{wang.id}"' in partial.get_data(as_text=True)
    assert "HX-Request" in partial.headers["Vary"]


def test_person_page_of_another_compound_is_not_found(client, estate, make):
    compound, _ = estate
    stranger = make.person()
    make.member(stranger, make.compound())
    assert client.get(f"/staff/c/{compound.slug}/people/{stranger.id}").status_code == 404


def test_a_role_given_without_javascript_returns_to_the_person(client, estate, database):
    compound, people = estate
    wang = people["王伟"]
    url = f"/staff/c/{compound.slug}/people/{wang.id}/roles"
    response = client.post(url, data={"role": "volunteer", "action": "grant", "confirm": "y"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/c/{compound.slug}/people/{wang.id}"
    assert database.session.scalar(sa.select(Membership).filter_by(person_id=wang.id, role=Role.volunteer))


def test_removing_the_last_role_returns_to_the_list(client, estate, database):
    compound, people = estate
    tenant = people["租户赵六"]
    url = f"/staff/c/{compound.slug}/people/{tenant.id}/roles"
    response = client.post(url, data={"role": "resident", "action": "remove"})
    assert response.status_code == 303 and response.headers["Location"] == f"/staff/c/{compound.slug}/people"


# --- letters per building -------------------------------------------------------------------------------------------


def _letter_names(body: str) -> list[str]:
    return re.findall(r"<p>(?:尊敬的|Dear )([^，,<]+)[，,]", body)


def test_letters_for_one_building(client, estate, database):
    from portal.compounds.models import Building

    compound, people = estate
    one = database.session.scalar(sa.select(Building).filter_by(compound_id=compound.id, name="1栋"))
    page = _get(client, compound)
    assert re.search(r'<select[^>]*name="building"[^>]*form="letters-form"|<select[^>]*form="letters-form"', page) or (
        'id="letters-building"' in page
    )
    response = client.post(f"/staff/c/{compound.slug}/letters", data={"scope": "all_inactive", "building": one.id})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.count('class="letter"') == 2  # 陈静 and 陈刚; 李娜 has activated; 王伟 lives in 3栋
    assert "王伟" not in body
    codes = database.session.scalars(sa.select(ActivationCode.person_id)).all()
    assert sorted(codes) == sorted([people["陈静"].id, people["陈刚"].id])


def test_letters_for_a_building_of_another_compound_are_refused(client, estate, make, database):
    compound, _ = estate
    other = make.compound()
    theirs = make.unit(other, "101", owners=[make.person("别人", active=False)])
    response = client.post(
        f"/staff/c/{compound.slug}/letters", data={"scope": "all_inactive", "building": theirs.building_id}
    )
    assert response.status_code == 400 and 'id="letters-building-error"' in response.get_data(as_text=True)
    assert database.session.scalar(sa.select(sa.func.count()).select_from(ActivationCode)) == 0


def test_letters_for_everyone_still_cover_every_building(client, estate):
    compound, _ = estate
    body = client.post(f"/staff/c/{compound.slug}/letters", data={"scope": "all_inactive"}).get_data(as_text=True)
    assert body.count('class="letter"') == 4


def test_letters_for_a_person_of_another_compound_are_refused(client, estate, make, database):
    compound, people = estate
    stranger = make.person(active=False)
    make.member(stranger, make.compound())
    response = client.post(
        f"/staff/c/{compound.slug}/letters", data={"person_id": [str(people["王伟"].id), str(stranger.id)]}
    )
    assert response.status_code == 400
    assert database.session.scalar(sa.select(sa.func.count()).select_from(ActivationCode)) == 0
