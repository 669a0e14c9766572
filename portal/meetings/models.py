"""A meeting, its invitees and attendance, agenda items with comments and attachments, motions, minutes."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import UTCDateTime, enum_column, utcnow
from portal.extensions import db
from portal.user_text import html_column, markdown_field


class MeetingKind(enum.StrEnum):
    """业委会会议 / 三方联席会议 / 居民议事会 / 业主代表会议."""

    committee = "committee"
    joint = "joint"
    council = "council"
    representatives = "representatives"


class Visibility(enum.StrEnum):
    """Who may read the record (agenda, discussion, minutes): everyone, the compound's members, the invitees."""

    public = "public"
    members = "members"
    invitees = "invitees"


class MeetingStatus(enum.StrEnum):
    """draft (being prepared) → posted (agenda out, invitees notified) ; or cancelled. The window and the minutes
    say the rest."""

    draft = "draft"
    posted = "posted"
    cancelled = "cancelled"


class MeetingPhase(enum.StrEnum):
    """Where a meeting stands as people see it: the stored status, and for a posted meeting its window."""

    draft = "draft"
    cancelled = "cancelled"
    upcoming = "upcoming"  # agenda posted, not started
    under_way = "under_way"
    ended = "ended"


class InviteeGroup(enum.StrEnum):
    """Invited as a group: a role in the compound, or the community's staff (社区工作人员 / 党组织)."""

    owner = "owner"
    resident = "resident"
    committee = "committee"
    property_manager = "property_manager"
    volunteer = "volunteer"
    staff = "staff"


class MotionRule(enum.StrEnum):
    """How a quick vote passes: more than half of ALL committee members, or more than half of those who answered."""

    all_members = "all_members"
    answered = "answered"


class Answer(enum.StrEnum):
    """同意 / 反对 / 弃权."""

    yes = "yes"
    no = "no"
    abstain = "abstain"


class MinutesStatus(enum.StrEnum):
    """draft → signing (attendees confirm or object) → published (never changes; addenda only)."""

    draft = "draft"
    signing = "signing"
    published = "published"


class Meeting(db.Model):
    """One meeting of a compound, held online inside its time window."""

    id: Mapped[int] = mapped_column(primary_key=True)
    compound_id: Mapped[int] = mapped_column(sa.ForeignKey("compound.id"), index=True)
    kind: Mapped[MeetingKind] = mapped_column(enum_column(MeetingKind))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    description_html: Mapped[str] = html_column()
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    visibility: Mapped[Visibility] = mapped_column(enum_column(Visibility), default=Visibility.members)
    status: Mapped[MeetingStatus] = mapped_column(enum_column(MeetingStatus), default=MeetingStatus.draft)
    motion_rule: Mapped[MotionRule] = mapped_column(enum_column(MotionRule), default=MotionRule.answered)
    convenor_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))  # chairs the meeting (主持人)
    secretary_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))  # writes the minutes (记录人)
    urgent_reason: Mapped[str | None] = mapped_column(sa.Text)  # why the agenda went out < 7 days ahead
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The comment count and last change, kept in step so that polling answers 304 without counting.
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    compound = relationship("Compound")
    convenor = relationship("Person", foreign_keys=[convenor_id])
    secretary = relationship("Person", foreign_keys=[secretary_id])
    items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )
    invitations: Mapped[list[Invitation]] = relationship(back_populates="meeting", cascade="all, delete-orphan")
    minutes: Mapped[Minutes | None] = relationship(viewonly=True, uselist=False)

    def phase(self, now: datetime) -> MeetingPhase:
        """Draft or cancelled as stored; a posted meeting is upcoming, under way or ended by its window."""
        if self.status == MeetingStatus.draft:
            return MeetingPhase.draft
        if self.status == MeetingStatus.cancelled:
            return MeetingPhase.cancelled
        if self.ends_at <= now:
            return MeetingPhase.ended
        return MeetingPhase.under_way if self.starts_at <= now else MeetingPhase.upcoming


class Invitation(db.Model):
    """An invitation: a whole group (a role in the compound, or the community's staff) or one person."""

    __table_args__ = (
        sa.CheckConstraint("(grp IS NULL) <> (person_id IS NULL)", name="group_or_person"),
        sa.UniqueConstraint("meeting_id", "grp", "person_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    grp: Mapped[InviteeGroup | None] = mapped_column(enum_column(InviteeGroup))
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))

    meeting: Mapped[Meeting] = relationship(back_populates="invitations")
    person = relationship("Person")


class Attendance(db.Model):
    """签到: an invitee signed in during the window."""

    __table_args__ = (sa.UniqueConstraint("meeting_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    signed_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person = relationship("Person")


class AgendaItem(db.Model):
    """议程: one item of the agenda, discussed under it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    description_html: Mapped[str] = html_column()

    meeting: Mapped[Meeting] = relationship(back_populates="items")


class Comment(db.Model):
    """A comment under an agenda item; the author may edit it for 5 minutes, the chair may hide it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("agenda_item.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)  # rendered and sanitised once, when written
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    hidden_reason: Mapped[str | None] = mapped_column(sa.Text)

    author = relationship("Person", foreign_keys=[author_id])


class CommentEdit(db.Model):
    """The text a comment had before an edit (edits are kept)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comment.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Attachment(db.Model):
    """A file attached to a meeting or one of its items (PDF, JPEG, PNG; checked by content, stored outside static)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agenda_item.id", ondelete="CASCADE"), index=True)
    storage_key: Mapped[str] = mapped_column(sa.String(100))
    filename: Mapped[str] = mapped_column(sa.String(200))
    mime: Mapped[str] = mapped_column(sa.String(60))
    size: Mapped[int] = mapped_column()
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Motion(db.Model):
    """A quick vote on an agenda item, opened and closed by the chair."""

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("agenda_item.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    rule: Mapped[MotionRule] = mapped_column(enum_column(MotionRule))
    members_total: Mapped[int | None] = mapped_column()  # all_members: the committee's size when opened
    opened_by_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Frozen at close, for the minutes.
    yes: Mapped[int | None] = mapped_column()
    no: Mapped[int | None] = mapped_column()
    abstain: Mapped[int | None] = mapped_column()
    passed: Mapped[bool | None] = mapped_column()


class MotionAnswer(db.Model):
    """One attendee's answer to a motion, in person (no proxies)."""

    __table_args__ = (sa.UniqueConstraint("motion_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    motion_id: Mapped[int] = mapped_column(sa.ForeignKey("motion.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    answer: Mapped[Answer] = mapped_column(enum_column(Answer))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Minutes(db.Model):
    """会议纪要: written by the secretary, signed off by the attendees, then published and never changed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), unique=True)
    body: Mapped[str] = mapped_column(sa.Text, default="")
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[MinutesStatus] = mapped_column(enum_column(MinutesStatus), default=MinutesStatus.draft)
    # What the archive searches: title, minutes, decisions and addenda as plain text (published minutes only).
    search_text: Mapped[str | None] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    publish_reason: Mapped[str | None] = mapped_column(sa.Text)  # the chair published without every sign-off
    # The attendance and quorum as they stood at publication (present that count, out of, met; met is None for
    # kinds without a legal quorum): the record does not follow a committee that changes later.
    present_count: Mapped[int | None] = mapped_column()
    quorum_of: Mapped[int | None] = mapped_column()
    quorum_met: Mapped[bool | None] = mapped_column()

    meeting = relationship("Meeting")
    addenda: Mapped[list[Addendum]] = relationship(order_by="Addendum.id", cascade="all, delete-orphan")


class SignOff(db.Model):
    """An attendee confirms the minutes (or objects, with a comment); the latest word counts."""

    __table_args__ = (sa.UniqueConstraint("minutes_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(sa.ForeignKey("minutes.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    confirmed: Mapped[bool] = mapped_column()
    comment: Mapped[str | None] = mapped_column(sa.Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person = relationship("Person")


class Addendum(db.Model):
    """A dated correction shown under published minutes (the minutes themselves never change)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(sa.ForeignKey("minutes.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("Person")


class MeetingEvent(db.Model):
    """One audited action on a meeting (created, changed, posted, signed, published...), shown on its page."""

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(sa.String(40))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    detail: Mapped[str | None] = mapped_column(sa.Text)

    actor = relationship("Person")


# What users write here is Markdown: each field's _html is rendered whenever it is set (portal/user_text.py).
markdown_field(Meeting.description)
markdown_field(AgendaItem.description)
markdown_field(Comment.body)
markdown_field(Minutes.body)
markdown_field(Addendum.body)
