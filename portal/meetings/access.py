"""Who may do what with a meeting. Views call these first; nothing else decides access to meetings.

Rules: committee members and community staff prepare meetings; the convenor (主持人) chairs: posts, hides comments,
opens and closes quick votes, may publish minutes without every sign-off (with a reason); the secretary (记录人, or
the convenor) writes the minutes; invitees sign in inside the window, then discuss, answer motions and sign off.
The record is read according to the meeting's visibility; drafts only by those who prepare meetings.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort

from portal import permissions
from portal.compounds.models import Compound
from portal.compounds.services import get_compound
from portal.db import utcnow
from portal.extensions import db
from portal.meetings.models import (
    AgendaItem,
    Attendance,
    InviteeGroup,
    Meeting,
    MeetingKind,
    MeetingStatus,
    MinutesStatus,
    Visibility,
)
from portal.roles.models import Membership, Role


def load(slug: str, meeting_id: int, person, may: Callable[..., bool] | None = None) -> tuple[Compound, Meeting]:
    """(compound, meeting) if the person may read it; 404 otherwise (a login first for visitors where that helps).
    With `may` (a rule of (person, meeting), e.g. can_manage), 403 for a reader it does not allow."""
    compound = get_compound(slug)
    meeting = db.session.scalar(db.select(Meeting).where(Meeting.id == meeting_id, Meeting.compound_id == compound.id))
    if meeting is None:
        abort(404)
    if not can_view(person, meeting):
        if permissions.signed_in(person) is None and meeting.status != MeetingStatus.draft:
            abort(permissions.login_manager.unauthorized())
        abort(404)
    if may is not None:
        permissions.require(may(person, meeting), compound, person, shown=True)
    return compound, meeting


def item_of(meeting: Meeting, item_id: int) -> AgendaItem:
    """The meeting's agenda item, or 404."""
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        abort(404)
    return item


def can_prepare(person, compound: Compound) -> bool:
    """Committee members and the community's staff create and prepare meetings."""
    return permissions.may(person, "manage_meetings", compound)


def can_view(person, meeting: Meeting) -> bool:
    """Read the meeting's record: by its visibility once posted; drafts only for those who prepare meetings."""
    person = permissions.signed_in(person)
    if can_prepare(person, meeting.compound) or is_convenor(person, meeting):
        return True
    if meeting.status == MeetingStatus.draft:
        return False
    if meeting.visibility == Visibility.public:
        return True
    if meeting.visibility == Visibility.members:
        return permissions.may(person, "view_members", meeting.compound)
    return is_invitee(person, meeting)


def is_convenor(person, meeting: Meeting) -> bool:
    """The person chairs this meeting."""
    person = permissions.signed_in(person)
    return person is not None and person.id == meeting.convenor_id


def can_manage(person, meeting: Meeting) -> bool:
    """Edit the agenda and invitations, post or cancel: the convenor and those who prepare meetings."""
    return is_convenor(person, meeting) or can_prepare(person, meeting.compound)


def is_secretary(person, meeting: Meeting) -> bool:
    """Writes the minutes: the named secretary, else the convenor."""
    person = permissions.signed_in(person)
    if person is None:
        return False
    return person.id == (meeting.secretary_id or meeting.convenor_id) or person.id == meeting.convenor_id


def invitee_ids(meeting: Meeting) -> set[int]:
    """Everyone invited: named persons, members of the invited roles, and the community's staff if invited."""
    from portal.roles.models import CommunityStaff

    groups = {inv.grp for inv in meeting.invitations if inv.grp is not None}
    ids = {inv.person_id for inv in meeting.invitations if inv.person_id is not None}
    roles = [Role(g.value) for g in groups if g != InviteeGroup.staff]
    if roles:
        ids |= set(
            db.session.scalars(
                db.select(Membership.person_id).where(
                    Membership.compound_id == meeting.compound_id, Membership.role.in_(roles)
                )
            )
        )
    if InviteeGroup.staff in groups:
        ids |= set(
            db.session.scalars(
                db.select(CommunityStaff.person_id).where(CommunityStaff.community_id == meeting.compound.community_id)
            )
        )
    ids.add(meeting.convenor_id)
    if meeting.secretary_id:
        ids.add(meeting.secretary_id)
    return ids


def is_invitee(person, meeting: Meeting) -> bool:
    """Invited by name or through a group (roles are checked now, so a new committee member is invited too)."""
    person = permissions.signed_in(person)
    if person is None:
        return False
    if person.id in (meeting.convenor_id, meeting.secretary_id):
        return True
    for invitation in meeting.invitations:
        if invitation.person_id == person.id:
            return True
        if invitation.grp == InviteeGroup.staff and permissions.is_staff_of(person, meeting.compound.community_id):
            return True
        if (
            invitation.grp is not None
            and invitation.grp != InviteeGroup.staff
            and Role(invitation.grp.value) in permissions.roles_in(person, meeting.compound)
        ):
            return True
    return False


def window_open(meeting: Meeting) -> bool:
    """Posted, now is inside the meeting's time window (discussion, sign-in and quick votes happen then), and the
    record is not closed yet: once the minutes are published nobody signs in, comments or votes any more."""
    return (
        meeting.status == MeetingStatus.posted
        and meeting.starts_at <= utcnow() < meeting.ends_at
        and not record_closed(meeting)
    )


def record_closed(meeting: Meeting) -> bool:
    """The minutes are published: the meeting's record (attendance, decisions, sign-offs) no longer changes."""
    return meeting.minutes is not None and meeting.minutes.status == MinutesStatus.published


def has_signed_in(person, meeting: Meeting) -> bool:
    """The person signed in to this meeting."""
    person = permissions.signed_in(person)
    if person is None:
        return False
    return (
        db.session.scalar(
            db.select(Attendance.id).where(Attendance.meeting_id == meeting.id, Attendance.person_id == person.id)
        )
        is not None
    )


def can_sign_in(person, meeting: Meeting) -> bool:
    """Invitees sign in inside the window."""
    return window_open(meeting) and is_invitee(person, meeting)


def can_take_part(person, meeting: Meeting) -> bool:
    """Comment and attach files: an invitee who signed in, inside the window."""
    return window_open(meeting) and is_invitee(person, meeting) and has_signed_in(person, meeting)


def can_answer(person, meeting: Meeting) -> bool:
    """Answer a quick vote: an attendee; in committee meetings only committee members (in person, no proxies)."""
    if not can_take_part(person, meeting):
        return False
    if meeting.kind == MeetingKind.committee:
        return Role.committee in permissions.roles_in(permissions.signed_in(person), meeting.compound)
    return True
