"""Organisations: staff create and edit them and their members; everyone reads an organisation's public page
(亮身份、亮职责、亮承诺) on the board of a compound it serves."""

from __future__ import annotations

import sqlalchemy as sa

from portal.audit import AuditEvent
from portal.boards import access, rules
from portal.boards.models import Organisation, OrgKind, OrgMember
from portal.extensions import db

ORGS = "/c/lvyuan/board/orgs/"


def _org(name):
    return db.session.scalar(sa.select(Organisation).where(Organisation.name == name))


def test_staff_add_an_organisation_for_one_compound_or_the_whole_community(client, yard, login):
    login(yard.staff)
    assert client.get(ORGS + "new").status_code == 200
    response = client.post(
        ORGS + "new",
        data={"kind": "party_branch", "name": "绿园小区党支部", "duty": "组织党员亮身份", "contact": "",
              "compound": str(yard.compound.id)},
    )  # fmt: skip
    made = _org("绿园小区党支部")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/board/org/{made.id}/edit")
    assert (made.kind, made.compound_id, made.community_id) == (
        OrgKind.party_branch,
        yard.compound.id,
        yard.community.id,
    )
    client.post(ORGS + "new", data={"kind": "party_org", "name": "阳光社区党委", "compound": ""})
    assert _org("阳光社区党委").compound_id is None
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "org.created")) >= 2


def test_a_name_already_used_in_the_community_is_refused(client, yard, login, english):
    login(yard.staff)
    response = client.post(ORGS + "new", data={"kind": "committee", "name": "绿园业委会", "compound": ""})
    assert response.status_code == 400
    assert "The community already has an organisation of this name." in response.get_data(as_text=True)


def test_staff_edit_an_organisation(client, yard, login):
    login(yard.staff)
    url = f"/c/lvyuan/board/org/{yard.company.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert "绿园物业" in page and yard.manager.name in page
    form = {"kind": "property_company", "name": "绿园物业服务有限公司", "duty": "保洁、绿化", "contact": "6000 1234"}
    response = client.post(url, data={**form, "compound": str(yard.compound.id)})
    assert response.status_code == 303
    db.session.refresh(yard.company)
    assert (yard.company.name, yard.company.duty, yard.company.contact) == (
        "绿园物业服务有限公司",
        "保洁、绿化",
        "6000 1234",
    )


def test_staff_add_members_by_account_number_or_phone_and_remove_them(client, yard, login, make, english):
    login(yard.staff)
    helper = make.person("新党员", phone="13800001111")
    url = f"/c/lvyuan/board/org/{yard.committee.id}/members"
    response = client.post(url, data={"login": yard.owner.account_no, "title": "委员"})
    assert response.status_code == 303 and response.headers["Location"].endswith("#members")
    assert client.post(url, data={"login": "13800001111", "title": "党员", "is_lead": "y"}).status_code == 303
    db.session.refresh(yard.committee)
    members = {m.person_id: (m.title, m.is_lead) for m in yard.committee.members}
    assert members[yard.owner.id] == ("委员", False) and members[helper.id] == ("党员", True)
    again = client.post(url, data={"login": yard.owner.account_no})
    assert again.status_code == 400 and "This person is already a member." in again.get_data(as_text=True)
    nobody = client.post(url, data={"login": "no-such-account"})
    assert nobody.status_code == 400 and "No account has this account number or phone number." in nobody.get_data(
        as_text=True
    )
    member = db.session.scalar(sa.select(OrgMember).where(OrgMember.person_id == helper.id))
    remove = f"/c/lvyuan/board/org/{yard.committee.id}/members/{member.id}/remove"
    assert client.post(remove).status_code == 303
    assert db.session.scalar(sa.select(OrgMember).where(OrgMember.person_id == helper.id)) is None


def test_a_new_member_may_pledge_for_the_organisation_at_once(client, yard, login):
    login(yard.staff)
    client.post(f"/c/lvyuan/board/org/{yard.committee.id}/members", data={"login": yard.owner.account_no})
    access.forget_orgs()
    organisations, _own = access.pledge_choices(yard.owner, yard.compound)
    assert [o.id for o in organisations] == [yard.committee.id]


def test_organisations_of_another_community_are_not_managed_from_here(client, yard, login, make):
    other = make.community("别的社区")
    foreign = Organisation(community_id=other.id, kind=OrgKind.cobuilder, name="别处医院", duty="", contact="")
    db.session.add(foreign)
    db.session.commit()
    login(yard.staff)
    assert client.get(f"/c/lvyuan/board/org/{foreign.id}/edit").status_code == 404
    assert client.get(f"/c/lvyuan/board/org/{foreign.id}").status_code == 404


def test_the_staff_list_shows_every_organisation_of_the_community(client, yard, login):
    login(yard.staff)
    page = client.get(ORGS).get_data(as_text=True)
    for name in ("绿园物业", "绿园业委会", "社区医院", "桂花苑业委会"):
        assert name in page


def test_the_public_page_shows_identity_duty_members_and_pledges_here(client, yard, pledge, english):
    yard.company.duty = "小区保洁和公共设施维修"
    db.session.commit()
    pledge("更换楼道灯")
    pledge("另一个小区的事", org="company", compound="guihua")  # not on this board (and not possible via services)
    page = client.get(f"/c/lvyuan/board/org/{yard.company.id}").get_data(as_text=True)
    assert "绿园物业" in page and "Property company" in page and "小区保洁和公共设施维修" in page
    assert yard.manager.name in page and "项目经理" in page
    assert "更换楼道灯" in page and "另一个小区的事" not in page
    year = rules.today_in_shanghai().year
    assert f"/c/lvyuan/board/org/{yard.company.id}/report/{year}" in page


def test_an_organisation_of_another_compound_has_no_page_on_this_board(client, yard):
    assert client.get(f"/c/lvyuan/board/org/{yard.other.id}").status_code == 404
    assert client.get(f"/c/guihua/board/org/{yard.other.id}").status_code == 200
    assert client.get(f"/c/guihua/board/org/{yard.hospital.id}").status_code == 200  # serves the whole community


def test_staff_without_organisations_are_sent_to_add_one_before_pledging(client, make, login):
    community = make.community("新社区")
    make.compound("xin", "新小区", community)
    staff = make.person("新社区工作人员")
    make.staff(staff, community)
    login(staff)
    response = client.get("/c/xin/board/new")
    assert response.status_code == 303 and response.headers["Location"].endswith("/c/xin/board/orgs/new")
