"""资源清单: who offers, changes and withdraws resources; what the public list shows."""

from __future__ import annotations

import sqlalchemy as sa

from portal.audit import AuditEvent
from portal.boards.models import Category
from portal.extensions import db
from portal.lists.models import Resource, ResourceStatus

FORM = {"category": "health", "title": "免费测血压", "description": "每周三上午", "capacity": "每次30人"}


def _audit(action):
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all()


def test_a_member_offers_a_resource_to_the_whole_community(client, town, login):
    login(town.doctor)
    response = client.post(
        "/c/lvyuan/lists/resources/new", data=dict(FORM, organisation=town.hospital.id, community_wide="y")
    )
    assert response.status_code == 303
    (row,) = db.session.scalars(sa.select(Resource)).all()
    assert (row.organisation_id, row.compound_id, row.community_id) == (town.hospital.id, None, town.community.id)
    assert (row.title, row.capacity, row.status) == ("免费测血压", "每次30人", ResourceStatus.offered)
    assert response.headers["Location"].endswith(f"/c/lvyuan/lists/resources/{row.id}")
    assert len(_audit("resource.offered")) == 1
    # Offered to the community: on 桂花苑's list too.
    assert "免费测血压" in client.get("/c/guihua/lists/resources").get_data(as_text=True)


def test_a_compound_organisation_offers_only_to_its_compound(client, town, login, english):
    login(town.manager)
    response = client.post(
        "/c/lvyuan/lists/resources/new", data=dict(FORM, organisation=town.company.id, community_wide="y")
    )
    assert response.status_code == 400
    assert "Only an organisation serving the whole community" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Resource.id))) == 0
    response = client.post("/c/lvyuan/lists/resources/new", data=dict(FORM, organisation=town.company.id))
    assert response.status_code == 303
    row = db.session.scalars(sa.select(Resource)).one()
    assert row.compound_id == town.compound.id
    assert "免费测血压" not in client.get("/c/guihua/lists/resources").get_data(as_text=True)


def test_a_member_cannot_offer_for_another_organisation(client, town, login):
    login(town.manager)
    response = client.post("/c/lvyuan/lists/resources/new", data=dict(FORM, organisation=town.hospital.id))
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Resource.id))) == 0


def test_residents_without_an_organisation_cannot_offer(client, town, login):
    login(town.resident)
    assert client.get("/c/lvyuan/lists/resources/new").status_code == 403
    assert client.post("/c/lvyuan/lists/resources/new", data=FORM).status_code == 403


def test_staff_offer_for_any_serving_organisation(client, town, login):
    login(town.staff)
    page = client.get("/c/lvyuan/lists/resources/new").get_data(as_text=True)
    assert "社区医院" in page and "绿园物业" in page and "桂花苑业委会" not in page
    response = client.post("/c/lvyuan/lists/resources/new", data=dict(FORM, organisation=town.company.id))
    assert response.status_code == 303


def test_a_member_changes_and_withdraws_a_resource(client, town, login, resource):
    row = resource()
    login(town.doctor)
    base = f"/c/lvyuan/lists/resources/{row.id}"
    assert client.get(base + "/edit").status_code == 200
    response = client.post(
        base + "/edit", data={"category": "elderly", "title": "上门巡诊", "description": "", "capacity": "每月一次"}
    )
    assert response.status_code == 303
    db.session.refresh(row)
    assert (row.title, row.category.value, row.capacity, row.description) == ("上门巡诊", "elderly", "每月一次", "")
    assert client.post(base + "/withdraw").status_code == 303
    db.session.refresh(row)
    assert row.status == ResourceStatus.withdrawn
    assert len(_audit("resource.changed")) == len(_audit("resource.withdrawn")) == 1
    listed = client.get("/c/lvyuan/lists/resources").get_data(as_text=True)
    assert "上门巡诊" not in listed
    assert "上门巡诊" in client.get("/c/lvyuan/lists/resources?withdrawn=1").get_data(as_text=True)
    assert client.post(base + "/reoffer").status_code == 303
    db.session.refresh(row)
    assert row.status == ResourceStatus.offered


def test_another_organisation_cannot_change_a_resource(client, town, login, resource):
    row = resource()
    login(town.manager)
    base = f"/c/lvyuan/lists/resources/{row.id}"
    assert client.get(base + "/edit").status_code == 403
    assert client.post(base + "/withdraw").status_code == 403
    db.session.refresh(row)
    assert row.status == ResourceStatus.offered


def test_a_resource_of_another_compound_is_not_found_here(client, town, resource):
    row = resource(org=town.other, compound=town.guihua)
    assert client.get(f"/c/lvyuan/lists/resources/{row.id}").status_code == 404
    assert client.get(f"/c/guihua/lists/resources/{row.id}").status_code == 200


def test_the_list_filters_by_category_and_organisation(client, town, resource):
    resource("义诊")
    resource("保洁", org=town.company, compound=town.compound, category=Category.environment)
    page = client.get("/c/lvyuan/lists/resources?category=health").get_data(as_text=True)
    assert "义诊" in page and "保洁" not in page
    page = client.get(f"/c/lvyuan/lists/resources?organisation={town.company.id}").get_data(as_text=True)
    assert "义诊" not in page and "保洁" in page
    fragment = client.get("/c/lvyuan/lists/resources?category=nonsense", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)


def test_a_withdrawn_resource_says_it_was_taken_off_the_list(client, town, login, resource):
    """A resource's withdrawal reads as taken off the list (已撤下), not as a candidate quitting (已退出)."""
    row = resource()
    login(town.doctor)
    client.post(f"/c/lvyuan/lists/resources/{row.id}/withdraw")
    page = client.get(f"/c/lvyuan/lists/resources/{row.id}").get_data(as_text=True)
    assert "已撤下" in page and ">已退出<" not in page
    assert "已撤下" in client.get("/c/lvyuan/lists/resources").get_data(as_text=True)  # the filter's choice
