"""双向认领: an organisation claims a need from the needs list, or staff link a need to an offered resource; either way
a project follows and the need is taken by the organisation through the requests' own flow. A need is taken once."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from portal.audit import AuditEvent
from portal.extensions import db
from portal.inbox.models import Notification
from portal.lists import services
from portal.lists.models import Project, ProjectOrigin
from portal.needs.models import NeedEvent, NeedStatus, NeedStep
from portal.refusals import Refused


def _projects():
    return db.session.scalars(sa.select(Project).order_by(Project.id)).all()


def _steps(need):
    return [
        e.step
        for e in db.session.scalars(sa.select(NeedEvent).where(NeedEvent.need_id == need.id).order_by(NeedEvent.id))
    ]


def _told(person):
    return [n.event for n in db.session.scalars(sa.select(Notification).where(Notification.person_id == person.id))]


def test_an_organisation_claims_a_need_from_the_list(client, town, login, need):
    wish = need()
    login(town.doctor)
    page = client.get("/c/lvyuan/lists/needs").get_data(as_text=True)
    assert f"/c/lvyuan/lists/needs/{wish.id}/claim" in page
    response = client.post(
        f"/c/lvyuan/lists/needs/{wish.id}/claim", data={"organisation": town.hospital.id, "note": "明天上午来"}
    )
    assert response.status_code == 303
    (project,) = _projects()
    assert response.headers["Location"].endswith(f"/c/lvyuan/lists/projects/{project.id}")
    assert (project.origin, project.need_id, project.organisation_id, project.resource_id) == (
        ProjectOrigin.need_claimed,
        wish.id,
        town.hospital.id,
        None,
    )
    assert (project.title, project.compound_id, project.created_by_id) == (
        "帮忙修水龙头",
        town.compound.id,
        town.doctor.id,
    )
    db.session.refresh(wish)
    assert (wish.status, wish.taker_org_id, wish.taker_person_id) == (NeedStatus.taken, town.hospital.id, None)
    assert _steps(wish) == [NeedStep.submitted, NeedStep.claimed]
    assert "need.claimed" in _told(town.owner)
    assert db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "project.created")).one()
    page = client.get(f"/c/lvyuan/lists/projects/{project.id}").get_data(as_text=True)
    assert "帮忙修水龙头" in page and "社区医院" in page


def test_a_need_already_taken_cannot_be_claimed_again(client, town, login, need, english):
    wish = need()
    login(town.doctor)
    client.post(f"/c/lvyuan/lists/needs/{wish.id}/claim", data={"organisation": town.hospital.id})
    login(town.manager)
    audit_before = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    response = client.post(f"/c/lvyuan/lists/needs/{wish.id}/claim", data={"organisation": town.company.id})
    assert response.status_code == 303 and response.headers["Location"].endswith("/c/lvyuan/lists/needs")
    page = client.get("/c/lvyuan/lists/needs").get_data(as_text=True)
    assert "This need has already been taken on by someone else. Nothing was changed." in page
    assert len(_projects()) == 1
    db.session.refresh(wish)
    assert wish.taker_org_id == town.hospital.id
    assert _steps(wish) == [NeedStep.submitted, NeedStep.claimed]
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == audit_before
    assert f"/needs/{wish.id}/claim" not in page  # no claim button on a taken need


def test_a_claim_that_loses_the_race_writes_nothing(app, town, need):
    """Both claimants read the need while it was open; the second one's update finds it taken."""
    wish = need()
    with app.test_request_context():
        services.claim(wish, town.hospital, town.doctor)
        set_committed_value(wish, "status", NeedStatus.open)  # what the second claimant read a moment ago
        with pytest.raises(Refused) as refused:
            services.claim(wish, town.company, town.manager)
    assert refused.value.code == "taken"
    assert len(_projects()) == 1


def test_members_cannot_claim_needs_that_are_not_public_or_not_accepted(client, town, login, need):
    hidden = need("私密的需求", public=False)
    waiting = need("还没受理", status="submitted")
    login(town.doctor)
    page = client.get("/c/lvyuan/lists/needs").get_data(as_text=True)
    assert "私密的需求" not in page and "还没受理" not in page
    for row in (hidden, waiting):
        assert (
            client.post(f"/c/lvyuan/lists/needs/{row.id}/claim", data={"organisation": town.hospital.id}).status_code
            == 404
        )
    assert _projects() == []


def test_residents_without_an_organisation_cannot_claim(client, town, login, need):
    wish = need()
    login(town.resident)
    assert f"/needs/{wish.id}/claim" not in client.get("/c/lvyuan/lists/needs").get_data(as_text=True)
    assert (
        client.post(f"/c/lvyuan/lists/needs/{wish.id}/claim", data={"organisation": town.hospital.id}).status_code
        == 403
    )


def test_a_member_cannot_claim_for_an_organisation_not_serving_the_compound(client, town, login, need, make):
    wish = need()
    make.member(town.doctor, town.guihua, "owner")
    from portal.boards import services as boards

    boards.add_member(town.other, town.staff, town.doctor)
    db.session.commit()
    login(town.doctor)
    response = client.post(f"/c/lvyuan/lists/needs/{wish.id}/claim", data={"organisation": town.other.id})
    assert response.status_code == 303 and response.headers["Location"].endswith("/lists/needs")
    assert _projects() == []


def test_staff_match_a_need_to_an_offered_resource(client, town, login, need, resource):
    wish = need("想给父亲量血压", kind="request", public=False)
    clinic = resource("义诊")
    login(town.staff)
    page = client.get(f"/c/lvyuan/lists/needs/{wish.id}/match").get_data(as_text=True)
    assert "义诊" in page
    response = client.post(
        f"/c/lvyuan/lists/needs/{wish.id}/match", data={"resource": clinic.id, "note": "下周六义诊时安排"}
    )
    assert response.status_code == 303
    (project,) = _projects()
    assert (project.origin, project.need_id, project.resource_id, project.organisation_id) == (
        ProjectOrigin.resource_matched,
        wish.id,
        clinic.id,
        town.hospital.id,
    )
    assert project.title == "义诊：想给父亲量血压"
    db.session.refresh(wish)
    assert (wish.status, wish.taker_org_id) == (NeedStatus.taken, town.hospital.id)
    assert _steps(wish) == [NeedStep.submitted, NeedStep.dispatched]
    assert "need.dispatched" in _told(town.owner)
    assert "need.assigned" in _told(town.doctor)  # the organisation's members learn they have it


def test_a_withdrawn_resource_cannot_be_matched(client, town, login, need, resource, english):
    wish = need()
    gone = resource("停办的义诊", status="withdrawn")
    login(town.staff)
    page = client.get(f"/c/lvyuan/lists/needs/{wish.id}/match").get_data(as_text=True)
    assert "停办的义诊" not in page
    response = client.post(f"/c/lvyuan/lists/needs/{wish.id}/match", data={"resource": gone.id})
    assert response.status_code == 400
    assert "This resource has been withdrawn from the list and cannot be matched." in response.get_data(as_text=True)
    assert _projects() == []
    db.session.refresh(wish)
    assert wish.status == NeedStatus.open
    with pytest.raises(Refused) as refused:
        services.match(wish, gone, town.staff)
    assert refused.value.code == "withdrawn"


def test_a_resource_of_another_compound_cannot_be_matched(app, town, need, resource):
    wish = need()
    elsewhere = resource("桂花苑的活动室", org=town.other, compound=town.guihua)
    with app.test_request_context(), pytest.raises(Refused) as refused:
        services.match(wish, elsewhere, town.staff)
    assert refused.value.code == "not_serving"


def test_only_staff_match(client, town, login, need, resource):
    wish = need()
    clinic = resource()
    for person, refused in ((town.manager, 403), (town.doctor, 404)):  # the doctor has no place in the compound
        login(person)
        assert client.get(f"/c/lvyuan/lists/needs/{wish.id}/match").status_code == refused
        assert (
            client.post(f"/c/lvyuan/lists/needs/{wish.id}/match", data={"resource": clinic.id}).status_code == refused
        )
    assert _projects() == []


def test_staff_set_up_a_project_for_a_need(client, town, login, need, resource):
    wish = need(status="submitted", public=False)
    login(town.staff)
    assert client.get(f"/c/lvyuan/lists/projects/new?need={wish.id}").status_code == 200
    response = client.post(
        "/c/lvyuan/lists/projects/new",
        data={
            "title": "楼道扶手安装",
            "description": "",
            "need": wish.id,
            "organisation": town.company.id,
            "resource": "",
        },
    )
    assert response.status_code == 303
    (project,) = _projects()
    assert (project.origin, project.need_id, project.organisation_id) == (ProjectOrigin.staff, wish.id, town.company.id)
    db.session.refresh(wish)
    assert (wish.status, wish.taker_org_id) == (NeedStatus.taken, town.company.id)


def test_a_project_for_a_need_needs_an_organisation(client, town, login, need, english):
    wish = need()
    login(town.staff)
    response = client.post(
        "/c/lvyuan/lists/projects/new", data={"title": "安装扶手", "need": wish.id, "organisation": ""}
    )
    assert response.status_code == 400
    assert "Choose the organisation" in response.get_data(as_text=True)
    assert _projects() == []
    db.session.refresh(wish)
    assert wish.status == NeedStatus.open


def test_staff_set_up_a_project_with_a_resource_only(client, town, login, resource):
    clinic = resource()
    login(town.staff)
    response = client.post("/c/lvyuan/lists/projects/new", data={"title": "健康讲座", "resource": clinic.id})
    assert response.status_code == 303
    (project,) = _projects()
    assert (project.need_id, project.resource_id, project.organisation_id) == (None, clinic.id, town.hospital.id)
