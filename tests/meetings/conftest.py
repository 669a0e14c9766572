"""Meeting fixtures: a compound with a committee of seven, other people, and a builder for meetings."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from portal.db import utcnow
from portal.extensions import db
from portal.meetings import services
from portal.meetings.models import Attendance, InviteeGroup, MeetingKind, MeetingStatus, Visibility


@pytest.fixture
def hall(make, database):
    """绿园小区 with a committee of 7 (chair, secretary, 5 members), an owner, a resident, a property manager,
    a staff member of its community; and a second compound with its own owner."""
    community = make.community("阳光社区")
    compound = make.compound("lvyuan", "绿园小区", community)
    chair = make.person("主任")
    secretary = make.person("秘书")
    members = [make.person(f"委员{i}") for i in range(1, 6)]
    make.member(chair, compound, "committee", "chair")
    make.member(secretary, compound, "committee", "secretary")
    for person in members:
        make.member(person, compound, "committee", "member")
    owner = make.person("业主")
    make.member(owner, compound, "owner")
    resident = make.person("住户")
    make.member(resident, compound, "resident")
    manager = make.person("物业经理")
    make.member(manager, compound, "property_manager")
    staff = make.person("社区工作人员")
    make.staff(staff, community)
    other_compound = make.compound("guihua", "桂花苑", community)
    stranger = make.person("外小区业主")
    make.member(stranger, other_compound, "owner")
    return SimpleNamespace(
        community=community,
        compound=compound,
        chair=chair,
        secretary=secretary,
        members=members,
        committee=[chair, secretary, *members],
        owner=owner,
        resident=resident,
        manager=manager,
        staff=staff,
        stranger=stranger,
    )


@pytest.fixture
def make_meeting(app, hall):
    """Build a meeting chaired by the chair: posted and inside its window unless told otherwise."""

    def _make(
        kind="committee",
        visibility="members",
        items=("物业费调整", "电梯维修"),
        groups=None,
        person_ids=None,
        status="posted",
        starts_in=timedelta(hours=-1),
        lasts=timedelta(days=2),
        signed_in=(),
    ):
        with app.test_request_context():
            start = utcnow() + starts_in
            meeting = services.create(
                hall.compound,
                hall.chair,
                kind=MeetingKind(kind),
                title=f"测试会议（{kind}）",
                starts_at=start,
                ends_at=start + lasts,
                visibility=Visibility(visibility),
                secretary_id=hall.secretary.id,
                groups=[InviteeGroup(g) for g in groups] if groups is not None else None,
                person_ids=person_ids,
                items=list(items),
            )
            if status != "draft":
                # Straight to posted (the 7-day notice rule is tested on its own).
                meeting.status = MeetingStatus.posted
                meeting.posted_at = utcnow()
            if status == "cancelled":
                meeting.status = MeetingStatus.cancelled
                meeting.cancel_reason = "测试"
            for person in signed_in:
                db.session.add(Attendance(meeting_id=meeting.id, person_id=person.id))
            db.session.flush()
            return meeting

    return _make
