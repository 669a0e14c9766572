"""Changes to meetings: create, edit the agenda, invite, post, cancel, sign in. Flush, never commit; every change is
recorded as a MeetingEvent (shown on the meeting) and in the audit trail."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from flask import url_for

from portal import audit
from portal.db import utcnow
from portal.extensions import db
from portal.inbox import services as inbox
from portal.meetings import access
from portal.meetings.models import (
    AgendaItem,
    Attendance,
    Invitation,
    InviteeGroup,
    Meeting,
    MeetingEvent,
    MeetingKind,
    MeetingStatus,
    MotionRule,
    Visibility,
)
from portal.refusals import Refused
from portal.roles.models import Membership, Role

AGENDA_NOTICE_DAYS = 7  # committee meetings post their agenda at least 7 days ahead (unless urgent, with a reason)


def record(meeting: Meeting, action: str, actor, **detail) -> None:
    """One line in the meeting's history and in the audit trail."""
    text = json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True) if detail else None
    db.session.add(MeetingEvent(meeting_id=meeting.id, action=action, actor_id=getattr(actor, "id", None), detail=text))
    meeting.changed_at = utcnow()
    audit.record(f"meeting.{action}", actor, meeting.compound, meeting_id=meeting.id, **detail)


def create(
    compound,
    actor,
    *,
    kind: MeetingKind,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    visibility: Visibility,
    description: str = "",
    secretary_id: int | None = None,
    groups: list[InviteeGroup] | None = None,
    person_ids: list[int] | None = None,
    items: list[str] | None = None,
) -> Meeting:
    """A draft meeting chaired by its creator, with its invitations and agenda; committee meetings default to the
    committee invited and the all-members rule for quick votes."""
    if ends_at <= starts_at:
        raise Refused("window")
    committee = kind == MeetingKind.committee
    meeting = Meeting(
        compound=compound,
        kind=kind,
        title=title.strip(),
        description=description.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        visibility=visibility,
        motion_rule=MotionRule.all_members if committee else MotionRule.answered,
        convenor_id=actor.id,
        secretary_id=secretary_id,
        created_by_id=actor.id,
    )
    db.session.add(meeting)
    groups = list(groups or ([InviteeGroup.committee] if committee else []))
    for group in dict.fromkeys(groups):
        meeting.invitations.append(Invitation(grp=group))
    for person_id in dict.fromkeys(person_ids or []):
        meeting.invitations.append(Invitation(person_id=person_id))
    for position, text in enumerate([t.strip() for t in items or [] if t.strip()], start=1):
        meeting.items.append(AgendaItem(position=position, title=text[:200]))
    db.session.flush()
    record(meeting, "created", actor, kind=kind.value, title=meeting.title)
    return meeting


def add_item(meeting: Meeting, actor, title: str, description: str = "") -> AgendaItem:
    """Add an agenda item (after posting too: the history shows it)."""
    if meeting.status == MeetingStatus.cancelled:
        raise Refused("cancelled")
    item = AgendaItem(position=len(meeting.items) + 1, title=title.strip()[:200], description=description.strip())
    meeting.items.append(item)
    db.session.flush()
    record(meeting, "item_added", actor, item=item.title)
    return item


def post(meeting: Meeting, actor, urgent_reason: str | None = None) -> int:
    """Post the agenda and notify the invitees (returns how many). Committee meetings need 7 days' notice unless the
    convenor records why it is urgent."""
    if meeting.status != MeetingStatus.draft:
        raise Refused("not_draft")
    now = utcnow()
    if meeting.ends_at <= now:
        raise Refused("window")
    reason = (urgent_reason or "").strip() or None
    short = meeting.starts_at - now < timedelta(days=AGENDA_NOTICE_DAYS)
    if meeting.kind == MeetingKind.committee and short and reason is None:
        raise Refused("too_soon")
    meeting.status = MeetingStatus.posted
    meeting.posted_at = now
    meeting.urgent_reason = reason
    record(meeting, "posted", actor, urgent_reason=reason)
    link = url_for("meetings.show", slug=meeting.compound.slug, meeting_id=meeting.id)
    others = access.invitee_ids(meeting) - {actor.id}
    return inbox.notify(others, "meeting.invited", meeting.title, link, meeting.compound)


def cancel(meeting: Meeting, actor, reason: str) -> None:
    """Cancel with a reason (invitees are told)."""
    if meeting.ends_at <= utcnow():
        raise Refused("ended")
    if access.record_closed(meeting):
        raise Refused("meeting_published")
    if meeting.status == MeetingStatus.cancelled or not reason.strip():
        raise Refused("reason")
    was_posted = meeting.status == MeetingStatus.posted
    meeting.status = MeetingStatus.cancelled
    meeting.cancel_reason = reason.strip()
    record(meeting, "cancelled", actor, reason=meeting.cancel_reason)
    if was_posted:
        link = url_for("meetings.show", slug=meeting.compound.slug, meeting_id=meeting.id)
        others = access.invitee_ids(meeting) - {actor.id}
        inbox.notify(others, "meeting.cancelled", meeting.title, link, meeting.compound)


def refuse_if_record_closed(meeting: Meeting) -> None:
    """Published minutes close the record: no more sign-ins or quick votes (refused with "record_closed")."""
    if access.record_closed(meeting):
        raise Refused("record_closed")


def sign_in(meeting: Meeting, person) -> Attendance:
    """签到 (once; signing in again changes nothing)."""
    refuse_if_record_closed(meeting)
    if not access.can_sign_in(person, meeting):
        raise Refused("window")
    existing = db.session.scalar(
        db.select(Attendance).where(Attendance.meeting_id == meeting.id, Attendance.person_id == person.id)
    )
    if existing is not None:
        return existing
    attendance = Attendance(meeting_id=meeting.id, person_id=person.id)
    db.session.add(attendance)
    db.session.flush()
    record(meeting, "signed_in", person)
    return attendance


def _rows(meeting: Meeting, model, person, *order) -> list:
    """The meeting's rows of `model` in `order`, with the person each names (`person`, a relationship) loaded."""
    query = db.select(model).where(model.meeting_id == meeting.id).options(db.joinedload(person)).order_by(*order)
    return list(db.session.scalars(query))


def attendees(meeting: Meeting) -> list[Attendance]:
    """Who signed in, in the order they did."""
    return _rows(meeting, Attendance, Attendance.person, Attendance.signed_in_at, Attendance.id)


def counts(column, ids) -> dict[int, int]:
    """How many rows name each of `ids` in `column` (e.g. the answers of each open motion); ids with none are
    missing."""
    rows = db.session.execute(db.select(column, db.func.count()).where(column.in_(ids)).group_by(column))
    return dict(rows.all())


def committee_size(compound) -> int:
    """How many members the owners' committee has now."""
    return db.session.scalar(
        db.select(db.func.count(db.distinct(Membership.person_id))).where(
            Membership.compound_id == compound.id, Membership.role == Role.committee
        )
    )


def quorum(meeting: Meeting, present: list[Attendance]) -> tuple[int, int, bool | None]:
    """(present that count, out of, met). Committee meetings: more than half of ALL members attend (members present
    count). Other kinds have no legal quorum: present of invited, met = None. Published minutes keep the figures
    of their publication."""
    frozen = meeting.minutes
    if frozen is not None and frozen.quorum_of is not None:
        return frozen.present_count or 0, frozen.quorum_of, frozen.quorum_met
    if meeting.kind == MeetingKind.committee:
        members = set(
            db.session.scalars(
                db.select(Membership.person_id).where(
                    Membership.compound_id == meeting.compound_id, Membership.role == Role.committee
                )
            )
        )
        here = sum(1 for a in present if a.person_id in members)
        return here, len(members), 2 * here > len(members)
    return len(present), len(access.invitee_ids(meeting)), None


def events(meeting: Meeting) -> list[MeetingEvent]:
    """The meeting's history, oldest first."""
    return _rows(meeting, MeetingEvent, MeetingEvent.actor, MeetingEvent.id)


def meetings_of(compound, person) -> list[Meeting]:
    """The compound's meetings this person may see, newest first."""
    rows = db.session.scalars(
        db.select(Meeting).where(Meeting.compound_id == compound.id).order_by(Meeting.starts_at.desc())
    )
    return [m for m in rows if access.can_view(person, m)]
