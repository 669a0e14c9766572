"""会议纪要: the secretary writes the minutes from a draft the portal fills, the attendees sign off, then they are
published (with the decisions posted to the compound's notices) and never change again: corrections are addenda.

Sign-off rule: every attendee (who signed in) confirms the current text; a confirmation given before the text last
changed no longer counts, and the latest word of each person counts. Without every confirmation only the chair
(convenor) may publish, with a recorded reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from portal import labels
from portal.compounds import services as compounds
from portal.db import utcnow
from portal.extensions import db
from portal.inbox import services as inbox
from portal.meetings import access, motions, services
from portal.meetings.models import (
    Addendum,
    Attendance,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    SignOff,
    Visibility,
)
from portal.refusals import Refused
from portal.templating import colon, datetimeformat

MINUTES_LIMIT = 50000  # characters of the minutes' Markdown
COMMENT_LIMIT = 2000  # characters of an attendee's comment on the minutes
REASON_LIMIT = 1000  # characters of the chair's reason for publishing without every sign-off


@dataclass
class SignOffLine:
    """One attendee and their latest word on the minutes (None: not yet)."""

    attendance: Attendance
    signoff: SignOff | None
    current: bool  # given after the text last changed

    @property
    def confirmed(self) -> bool:
        """Confirmed the current text."""
        return self.signoff is not None and self.signoff.confirmed and self.current


def get(meeting: Meeting) -> Minutes | None:
    """The meeting's minutes, if begun."""
    return db.session.scalar(db.select(Minutes).where(Minutes.meeting_id == meeting.id))


# --- who may do what (built on portal.meetings.access) -------------------------------------------------------


def can_write(person, meeting: Meeting, minutes: Minutes | None) -> bool:
    """The secretary writes the minutes of a posted meeting until they are published."""
    published = minutes is not None and minutes.status == MinutesStatus.published
    return meeting.status == MeetingStatus.posted and access.is_secretary(person, meeting) and not published


def can_read(person, meeting: Meeting, minutes: Minutes | None) -> bool:
    """Published minutes: whoever may read the meeting; before that the secretary, those who manage the meeting,
    and, while signing, the attendees."""
    if minutes is None:
        return False
    if minutes.status == MinutesStatus.published:
        return access.can_view(person, meeting)
    if access.is_secretary(person, meeting) or access.can_manage(person, meeting):
        return True
    return minutes.status == MinutesStatus.signing and access.has_signed_in(person, meeting)


def is_attendee(person, meeting: Meeting, minutes: Minutes | None) -> bool:
    """Signed in to the meeting: may send a sign-off (whether the minutes are out for it, sign_off says)."""
    return access.has_signed_in(person, meeting)


def can_sign(person, meeting: Meeting, minutes: Minutes | None) -> bool:
    """Attendees sign off while the minutes are out for sign-off."""
    return minutes is not None and minutes.status == MinutesStatus.signing and access.has_signed_in(person, meeting)


def can_publish(person, meeting: Meeting, minutes: Minutes | None) -> bool:
    """The secretary or the convenor publishes (the convenor alone may do so without every sign-off)."""
    return (
        minutes is not None
        and minutes.status != MinutesStatus.published
        and (access.is_secretary(person, meeting) or access.is_convenor(person, meeting))
    )


def can_add_addendum(person, meeting: Meeting, minutes: Minutes | None) -> bool:
    """The secretary or the convenor adds dated corrections under published minutes."""
    return (
        minutes is not None
        and minutes.status == MinutesStatus.published
        and (access.is_secretary(person, meeting) or access.is_convenor(person, meeting))
    )


# --- the draft ----------------------------------------------------------------------------------------------------


def _when(moment) -> str:
    return datetimeformat(moment)


def draft_text(meeting: Meeting) -> str:
    """Markdown the secretary starts from: title, kind, time, attendance, quorum, agenda with each motion's result
    and a link to each item's discussion."""
    kind = labels.label(meeting.kind)
    page = url_for("meetings.show", slug=meeting.compound.slug, meeting_id=meeting.id)
    present = services.attendees(meeting)
    here, out_of, met = services.quorum(meeting, present)
    all_motions = motions.of_meeting(meeting)
    # Labels are looked up outside the f-strings so that the message extractor sees every msgid.
    label = {
        "kind": _("Kind"),
        "time": _("Time"),
        "convenor": _("Convenor"),
        "secretary": _("Secretary"),
        "attendance": _("Attendance"),
        "agenda": _("Agenda"),
        "vote": _("Quick vote"),
        "discussion": _("Discussion"),
        "notes": _("Notes"),
    }
    c = colon()  # "：" in Chinese minutes, ": " in English
    lines = [
        f"# {meeting.title}",
        "",
        f"- {label['kind']}{c}{kind}",
        f"- {label['time']}{c}{_when(meeting.starts_at)} – {_when(meeting.ends_at)}",
        f"- {label['convenor']}{c}{meeting.convenor.name}",
    ]
    if meeting.secretary:
        lines.append(f"- {label['secretary']}{c}{meeting.secretary.name}")
    lines += ["", f"## {label['attendance']}", ""]
    for attendance in present:
        lines.append(
            "- " + _("%(name)s (signed in %(when)s)", name=attendance.person.name, when=_when(attendance.signed_in_at))
        )
    if not present:
        lines.append(_("Nobody signed in."))
    lines.append("")
    if meeting.kind == MeetingKind.committee:
        quorum = _("Quorum met.") if met else _("No quorum.")
        present_line = _("Committee members present: %(here)d of %(all)d.", here=here, all=out_of)
        # Two sentences: a space between them in English, none in Chinese (the translation decides).
        lines.append(_("%(present)s %(quorum)s", present=present_line, quorum=quorum))
    else:
        lines.append(_("Signed in: %(here)d of %(all)d invited.", here=here, all=out_of))
    lines += ["", f"## {label['agenda']}", ""]
    for number, item in enumerate(meeting.items, start=1):
        lines.append(f"{number}. {item.title}")
        for motion in (m for m in all_motions if m.item_id == item.id):
            lines.append(f"   - {label['vote']}{c}{motions.line(motion)}")
        lines.append(f"   - [{label['discussion']}]({page}#item-{item.id})")
    lines += ["", f"## {label['notes']}", "", ""]
    return "\n".join(lines)


# --- changes ------------------------------------------------------------------------------------------------------


def _refuse_if_published(minutes: Minutes | None) -> None:
    """Published minutes never change: every change below starts here."""
    if minutes is not None and minutes.status == MinutesStatus.published:
        raise Refused("published")


def save(meeting: Meeting, actor, body: str) -> Minutes:
    """Save the secretary's text (in draft, or while signing: confirmations of the older text then stop counting)."""
    minutes = get(meeting)
    _refuse_if_published(minutes)
    if not can_write(actor, meeting, minutes):
        raise Refused("not_allowed")
    body = Refused.text(body, MINUTES_LIMIT, code="minutes_empty")
    if minutes is None:
        minutes = Minutes(meeting_id=meeting.id, body="")
        db.session.add(minutes)
    changed = body != minutes.body
    if changed:
        minutes.body = body
        minutes.updated_at = utcnow()
    db.session.flush()
    if changed:
        services.record(meeting, "minutes_saved", actor, minutes_id=minutes.id, status=minutes.status.value)
    return minutes


def _open_motions(meeting: Meeting) -> bool:
    return any(m.closed_at is None for m in motions.of_meeting(meeting))


def submit(meeting: Meeting, actor) -> Minutes:
    """Send the minutes for sign-off: the attendees are notified."""
    minutes = get(meeting)
    _refuse_if_published(minutes)
    if not can_write(actor, meeting, minutes):
        raise Refused("not_allowed")
    if minutes is None or not minutes.body.strip():
        raise Refused("minutes_empty")
    if minutes.status != MinutesStatus.draft:
        raise Refused("status")
    if _open_motions(meeting):
        raise Refused("motions_open")
    minutes.status = MinutesStatus.signing
    minutes.submitted_at = utcnow()
    db.session.flush()
    services.record(meeting, "minutes_submitted", actor, minutes_id=minutes.id)
    link = url_for("meetings.show", slug=meeting.compound.slug, meeting_id=meeting.id) + "#minutes"
    attendees = {a.person_id for a in services.attendees(meeting)} - {actor.id}
    inbox.notify(attendees, "minutes.signoff", meeting.title, link, meeting.compound)
    return minutes


def sign_off(meeting: Meeting, person, confirmed: bool, comment: str | None = None) -> SignOff:
    """An attendee confirms the minutes, or objects with a comment; the latest word replaces an earlier one."""
    minutes = get(meeting)
    _refuse_if_published(minutes)
    if minutes is None or minutes.status != MinutesStatus.signing:
        raise Refused("status")
    if not can_sign(person, meeting, minutes):
        raise Refused("not_allowed")
    comment = Refused.text(comment, COMMENT_LIMIT, required=not confirmed, code="comment") or None
    row = db.session.scalar(db.select(SignOff).where(SignOff.minutes_id == minutes.id, SignOff.person_id == person.id))
    if row is None:
        row = SignOff(minutes_id=minutes.id, person_id=person.id, confirmed=confirmed)
        db.session.add(row)
    row.confirmed = confirmed
    row.comment = comment
    row.at = utcnow()
    db.session.flush()
    action = "minutes_confirmed" if confirmed else "minutes_objected"
    services.record(meeting, action, person, minutes_id=minutes.id, comment=comment)
    return row


def signoff_lines(meeting: Meeting, minutes: Minutes | None) -> list[SignOffLine]:
    """Every attendee with their latest word on the minutes."""
    present = services.attendees(meeting)
    rows: dict[int, SignOff] = {}
    if minutes is not None:
        rows = {s.person_id: s for s in db.session.scalars(db.select(SignOff).where(SignOff.minutes_id == minutes.id))}
    lines = []
    for attendance in present:
        signoff = rows.get(attendance.person_id)
        current = signoff is not None and minutes is not None and signoff.at >= minutes.updated_at
        lines.append(SignOffLine(attendance, signoff, current))
    return lines


def all_confirmed(meeting: Meeting, minutes: Minutes | None) -> bool:
    """Every attendee (at least one) confirmed the current text."""
    lines = signoff_lines(meeting, minutes)
    return bool(lines) and all(line.confirmed for line in lines)


def decisions_text(meeting: Meeting) -> str:
    """The closed motions and their outcomes as plain text (one per line), for the notice."""
    closed = [m for m in motions.of_meeting(meeting) if m.closed_at is not None]
    if not closed:
        return _("No quick votes were taken at this meeting.")
    return "\n".join(f"{number}. {motions.line(m)}" for number, m in enumerate(closed, start=1))


def publish(meeting: Meeting, actor, reason: str | None = None) -> Minutes:
    """Publish: by the secretary or convenor once every attendee confirmed; otherwise by the convenor with a reason.
    The search index is refreshed, the decisions go to the compound's notices and the invitees are told."""
    from portal.meetings import archive

    minutes = get(meeting)
    _refuse_if_published(minutes)
    if not can_publish(actor, meeting, minutes):
        raise Refused("not_allowed")
    if not minutes.body.strip():
        raise Refused("minutes_empty")
    if _open_motions(meeting):
        raise Refused("motions_open")
    reason = Refused.text(reason, REASON_LIMIT, required=False) or None
    if all_confirmed(meeting, minutes):
        reason = None
    elif not access.is_convenor(actor, meeting):
        raise Refused("chair_only")
    elif reason is None:
        raise Refused("publish_reason")
    minutes.present_count, minutes.quorum_of, minutes.quorum_met = services.quorum(meeting, services.attendees(meeting))
    minutes.status = MinutesStatus.published
    minutes.published_at = utcnow()
    minutes.published_by_id = actor.id
    minutes.publish_reason = reason
    db.session.flush()
    services.record(meeting, "minutes_published", actor, minutes_id=minutes.id, reason=reason)
    archive.index(minutes)
    link = url_for("meetings.show", slug=meeting.compound.slug, meeting_id=meeting.id) + "#minutes"
    # Stored in Chinese, like the portal's other notices (notice titles are searched and read as written).
    with force_locale("zh_Hans"):
        title = _("Decisions of the meeting: %(title)s", title=meeting.title)
        body = decisions_text(meeting) + "\n\n" + _("The minutes: %(link)s", link=link)
    compounds.post_notice(
        meeting.compound, title[:200], body, meeting.visibility == Visibility.public, actor, event="minutes.published"
    )
    inbox.notify(access.invitee_ids(meeting) - {actor.id}, "minutes.published", meeting.title, link, meeting.compound)
    return minutes


def add_addendum(meeting: Meeting, actor, body: str) -> Addendum:
    """A dated correction under published minutes (the minutes themselves stay as published)."""
    from portal.meetings import archive

    minutes = get(meeting)
    if not can_add_addendum(actor, meeting, minutes):
        raise Refused("not_allowed")
    body = Refused.text(body)
    addendum = Addendum(minutes_id=minutes.id, body=body, author_id=actor.id)
    minutes.addenda.append(addendum)
    db.session.flush()
    services.record(meeting, "addendum_added", actor, minutes_id=minutes.id, addendum_id=addendum.id)
    archive.index(minutes)
    return addendum


def context(meeting, person) -> dict:
    """What the meeting page needs from this part (merged into its template context)."""
    minutes = get(meeting)
    readable = can_read(person, meeting, minutes)
    lines = signoff_lines(meeting, minutes) if readable else []
    person_id = getattr(person, "id", None)
    mine = next((line for line in lines if line.attendance.person_id == person_id), None)
    return {
        "minutes": minutes,
        "minutes_readable": readable,
        "minutes_signoffs": lines,
        "minutes_all_confirmed": bool(lines) and all(line.confirmed for line in lines),
        "my_signoff": mine,
        "can_write_minutes": can_write(person, meeting, minutes),
        "can_sign_minutes": can_sign(person, meeting, minutes),
        "can_publish_minutes": can_publish(person, meeting, minutes),
        "is_chair": access.is_convenor(person, meeting),
        "can_add_addendum": can_add_addendum(person, meeting, minutes),
    }
