"""What of a compound's meetings needs this person now (the compound home's second card): meetings they are invited
to that have not ended, and minutes waiting for their sign-off."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from portal import permissions
from portal.db import utcnow
from portal.extensions import db
from portal.meetings import access
from portal.meetings.models import Attendance, Meeting, MeetingStatus, Minutes, MinutesStatus, SignOff


@dataclass(frozen=True)
class Needing:
    """A meeting and what it asks of the person: "attend" (not ended yet) or "sign" (the minutes)."""

    meeting: Meeting
    asks: str


def needing(compound, person) -> list[Needing]:
    """Sign-offs first (they hold up the minutes), then the meetings to attend, soonest first."""
    person = permissions.signed_in(person)
    if person is None:
        return []
    signed = sa.select(SignOff.minutes_id).where(SignOff.person_id == person.id)
    to_sign = db.session.scalars(
        sa.select(Meeting)
        .join(Minutes, Minutes.meeting_id == Meeting.id)
        .join(Attendance, (Attendance.meeting_id == Meeting.id) & (Attendance.person_id == person.id))
        .where(
            Meeting.compound_id == compound.id,
            Minutes.status == MinutesStatus.signing,
            Minutes.id.not_in(signed),
        )
        .order_by(Meeting.starts_at)
    ).all()
    coming = db.session.scalars(
        sa.select(Meeting)
        .where(
            Meeting.compound_id == compound.id,
            Meeting.status == MeetingStatus.posted,
            Meeting.ends_at > utcnow(),
        )
        .order_by(Meeting.starts_at)
    ).all()
    return [Needing(m, "sign") for m in to_sign] + [
        Needing(m, "attend") for m in coming if access.is_invitee(person, m)
    ]
