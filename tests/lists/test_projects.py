"""项目清单: progress updates with photos checked by content, completing (the need is marked done for its requester
to confirm) and cancelling with a reason; only the organisation carrying it out, and staff."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal import uploads
from portal.audit import AuditEvent
from portal.boards.models import Photo
from portal.extensions import db
from portal.inbox.models import Notification
from portal.lists.models import Project, ProjectOrigin, ProjectStatus, ProjectUpdate
from portal.needs.models import NeedStatus
from tests.lists.conftest import photo, png


@pytest.fixture
def project(town, need):
    """A project of the hospital for an open need it has taken (as a claim would leave it)."""
    wish = need(status="taken", taker_org=town.hospital)
    row = Project(
        community_id=town.community.id,
        compound_id=town.compound.id,
        title="上门量血压",
        origin=ProjectOrigin.need_claimed,
        need_id=wish.id,
        organisation_id=town.hospital.id,
        created_by_id=town.doctor.id,
    )
    db.session.add(row)
    db.session.commit()
    return row


def _url(project, tail=""):
    return f"/c/lvyuan/lists/projects/{project.id}{tail}"


def _count(model):
    return db.session.scalar(sa.select(sa.func.count(model.id)))


def test_a_member_posts_an_update_with_a_photo(client, town, login, project, upload_dir):
    login(town.doctor)
    response = client.post(
        _url(project, "/updates"),
        data={"body": "已为王阿姨量了血压，正常。", "photos": [photo("量血压.png")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("#updates")
    (update,) = db.session.scalars(sa.select(ProjectUpdate)).all()
    assert (update.project_id, update.author_id) == (project.id, town.doctor.id)
    (stored,) = db.session.scalars(sa.select(Photo)).all()
    assert (stored.project_update_id, stored.filename, stored.mime) == (update.id, "量血压.png", "image/png")
    assert db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "project.update")).one()
    client.post("/logout")
    page = client.get(_url(project)).get_data(as_text=True)
    assert "已为王阿姨量了血压" in page and "林医生" in page and _url(project, f"/photos/{stored.id}") in page
    served = client.get(_url(project, f"/photos/{stored.id}"))
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert served.data == uploads.clean_image("png", png())  # stored re-encoded, without metadata


def test_a_non_image_is_refused_and_nothing_is_written(client, town, login, project, upload_dir, english):
    login(town.doctor)
    response = client.post(
        _url(project, "/updates"),
        data={"body": "照片见附件", "photos": [photo("好照片.png"), photo("照片.png", b"#!/bin/sh\nrm -rf /\n")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'class="field-error"' in page and "JPEG" in page and "照片见附件" in page
    assert _count(ProjectUpdate) == _count(Photo) == 0
    assert not upload_dir.exists() or not any(p.is_file() for p in upload_dir.rglob("*"))


def test_a_photo_of_another_project_is_not_served_here(client, town, login, project, upload_dir):
    login(town.doctor)
    client.post(
        _url(project, "/updates"), data={"body": "进展", "photos": [photo()]}, content_type="multipart/form-data"
    )
    stored = db.session.scalars(sa.select(Photo)).one()
    other = Project(
        community_id=town.community.id, compound_id=town.compound.id, title="别的", origin=ProjectOrigin.staff
    )
    db.session.add(other)
    db.session.commit()
    assert client.get(_url(other, f"/photos/{stored.id}")).status_code == 404
    assert client.get(f"/c/guihua/lists/projects/{project.id}/photos/{stored.id}").status_code == 404


@pytest.mark.parametrize("who", ["manager", "resident", "owner"])
def test_others_cannot_report_on_the_project(client, town, login, project, who):
    login(getattr(town, who))
    assert client.post(_url(project, "/updates"), data={"body": "我来写"}).status_code == 403
    assert client.post(_url(project, "/complete"), data={"complete-note": "好了"}).status_code == 403
    assert client.post(_url(project, "/cancel"), data={"cancel-reason": "不做了"}).status_code == 403
    assert _count(ProjectUpdate) == 0
    db.session.refresh(project)
    assert project.status == ProjectStatus.in_progress


def test_completing_marks_the_need_done_for_the_requester_to_confirm(client, town, login, project):
    login(town.doctor)
    assert client.post(_url(project, "/complete"), data={"complete-note": "血压正常，已建健康档案"}).status_code == 303
    db.session.refresh(project)
    assert (project.status, project.completed_note) == (ProjectStatus.completed, "血压正常，已建健康档案")
    assert project.completed_at is not None
    need = project.need
    db.session.refresh(need)
    assert (need.status, need.done_note) == (NeedStatus.done, "血压正常，已建健康档案")
    told = db.session.scalars(sa.select(Notification.event).where(Notification.person_id == town.owner.id)).all()
    assert "need.done" in told
    # A completed project takes no more updates.
    assert client.post(_url(project, "/updates"), data={"body": "补充"}).status_code == 400
    assert _count(ProjectUpdate) == 0


def test_staff_complete_a_project_without_speaking_for_the_taker(client, town, login, project):
    login(town.staff)
    assert client.post(_url(project, "/complete"), data={"complete-note": "已完成"}).status_code == 303
    db.session.refresh(project)
    assert project.status == ProjectStatus.completed
    db.session.refresh(project.need)
    assert project.need.status == NeedStatus.taken  # the taker marks the request done on its own page


def test_cancelling_needs_a_reason(client, town, login, project, english):
    login(town.doctor)
    for typed in ("", "  "):  # refused by the form, then by the service: both at the field, as typed, with 400
        refused = client.post(_url(project, "/cancel"), data={"cancel-reason": typed})
        page = refused.get_data(as_text=True)
        assert refused.status_code == 400 and 'id="cancel-reason-error" class="field-error"' in page
        assert f'value="{typed}"' in page or typed == ""
    assert "Give a reason." in page
    db.session.refresh(project)
    assert project.status == ProjectStatus.in_progress
    reason = {"cancel-reason": "医生调岗，改由其他单位承接"}
    assert client.post(_url(project, "/cancel"), data=reason).status_code == 303
    db.session.refresh(project)
    assert (project.status, project.cancel_reason) == (ProjectStatus.cancelled, "医生调岗，改由其他单位承接")
    assert project.cancelled_at is not None
    assert "医生调岗" in client.get(_url(project)).get_data(as_text=True)
    assert db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "project.cancelled")).one()


def test_the_projects_list_filters_and_counts_updates(client, town, login, project, english):
    login(town.doctor)
    for body in ("第一次", "第二次"):
        client.post(_url(project, "/updates"), data={"body": body})
    page = client.get("/c/lvyuan/lists/projects").get_data(as_text=True)
    assert "上门量血压" in page and "2 progress updates" in page
    assert "上门量血压" not in client.get("/c/lvyuan/lists/projects?status=completed").get_data(as_text=True)
    assert "上门量血压" in client.get(f"/c/lvyuan/lists/projects?organisation={town.hospital.id}").get_data(
        as_text=True
    )
    assert "上门量血压" not in client.get(f"/c/lvyuan/lists/projects?organisation={town.company.id}").get_data(
        as_text=True
    )
