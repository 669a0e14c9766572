"""Demo meetings for 绿园小区: a committee meeting under way now, and last month's joint meeting with published
minutes in the archive. Built through the same services people use, then (for the finished one) moved back in time."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from portal.db import utcnow
from portal.extensions import db
from portal.meetings import discussion, minutes, motions, services
from portal.meetings.models import (
    Attendance,
    Comment,
    InviteeGroup,
    MeetingEvent,
    MeetingKind,
    Minutes,
    Motion,
    SignOff,
    Visibility,
)


def create(lvyuan, chair, secretary, manager, staff) -> None:
    """Both demo meetings (the caller commits)."""
    with current_app.test_request_context():  # notifications carry links built with url_for
        _under_way(lvyuan, chair, secretary)
        _finished(lvyuan, chair, secretary, manager, staff)


def _under_way(lvyuan, chair, secretary) -> None:
    start = utcnow() - timedelta(hours=2)
    meeting = services.create(
        lvyuan, chair, kind=MeetingKind.committee, title="十一月业委会会议", starts_at=start,
        ends_at=start + timedelta(days=3), visibility=Visibility.members, secretary_id=secretary.id,
        description="本次会议讨论电梯维修和停车管理，请各位委员在会议时间内签到、发言和表决。",
        items=["1号楼电梯维修方案", "地面停车位管理"],
    )  # fmt: skip
    services.post(meeting, chair, urgent_reason="1号楼电梯故障，需尽快决定维修方案")
    for person in (chair, secretary):  # the demo logins; the other members have not signed in yet
        services.sign_in(meeting, person)
    lift = meeting.items[0]
    discussion.add_comment(
        meeting, lift, chair, "物业提交了两份报价：**整体更换** 约 45 万元，**局部维修** 约 12 万元。"
    )
    discussion.add_comment(meeting, lift, secretary, "建议先请第三方检测，再决定是否整体更换。")
    motions.open_motion(meeting, lift, chair, "委托第三方机构检测1号楼电梯，费用从公共收益中支出")


def _finished(lvyuan, chair, secretary, manager, staff) -> None:
    start = utcnow() - timedelta(hours=1)
    meeting = services.create(
        lvyuan, chair, kind=MeetingKind.joint, title="十月三方联席会议", starts_at=start,
        ends_at=start + timedelta(hours=3), visibility=Visibility.public, secretary_id=secretary.id,
        groups=[InviteeGroup.committee, InviteeGroup.property_manager, InviteeGroup.staff],
        items=["小区垃圾分类推进", "电梯维修资金使用"],
    )  # fmt: skip
    services.post(meeting, chair)
    for person in (chair, secretary, manager, staff):
        services.sign_in(meeting, person)
    item = meeting.items[0]
    discussion.add_comment(meeting, item, staff, "社区将在各楼栋增设分类督导员，请物业配合安排值守时间。")
    discussion.add_comment(meeting, item, manager, "物业同意每天早晚各安排一名保洁员协助督导。")
    motion = motions.open_motion(meeting, item, chair, "自下月起在各楼栋实行定时定点投放")
    for person in (chair, secretary, manager, staff):
        motions.answer(motion, meeting, person, "yes")
    motions.close(motion, meeting, chair)
    _move_back(meeting, timedelta(days=30))  # before the minutes, so that their draft names last month's times
    minutes.save(meeting, secretary, minutes.draft_text(meeting) + "\n\n会议决定：自下月起实行垃圾定时定点投放。")
    minutes.submit(meeting, secretary)
    for person in (chair, secretary, manager, staff):
        minutes.sign_off(meeting, person, True)
    minutes.publish(meeting, secretary)
    _move_back(meeting, timedelta(days=30))


def _move_back(meeting, by: timedelta) -> None:
    """Shift the times of a finished demo meeting back by `by`, so that it reads as last month's; times already
    moved (older than a day) stay."""
    db.session.flush()
    cutoff = utcnow() - timedelta(days=1)
    record = db.session.scalar(sa.select(Minutes).where(Minutes.meeting_id == meeting.id))
    rows = [meeting, *([record] if record is not None else [])]
    for model, where in (
        (Attendance, Attendance.meeting_id == meeting.id),
        (Comment, Comment.meeting_id == meeting.id),
        (Motion, Motion.meeting_id == meeting.id),
        (MeetingEvent, MeetingEvent.meeting_id == meeting.id),
        (SignOff, SignOff.minutes_id == (record.id if record is not None else -1)),
    ):
        rows += db.session.scalars(sa.select(model).where(where))
    for row in rows:
        for column in row.__table__.columns:
            value = getattr(row, column.key)
            if isinstance(value, datetime) and value > cutoff:
                setattr(row, column.key, value - by)
    db.session.flush()
