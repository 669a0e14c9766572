"""Discussion under agenda items: comments (Markdown, rendered once when written), the author's 5-minute edit (old
text kept), the chair hiding a comment with a reason, and files attached to an item.

Every change moves `meeting.changed_at`, which is the ETag of the polled comment lists, so a poll answers 304 until
something in the meeting changes. Services flush, never commit.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from portal import audit, permissions, uploads
from portal.accounts.models import Person
from portal.db import utcnow
from portal.extensions import db
from portal.meetings import access, services
from portal.meetings.models import AgendaItem, Attachment, Comment, CommentEdit, Meeting
from portal.refusals import Refused

BODY_LIMIT = 5000  # characters of one comment
REASON_LIMIT = 500  # characters of the chair's reason for hiding
EDIT_WINDOW = timedelta(minutes=5)  # the author may correct a comment this long after posting it


def _body(text: str | None) -> str:
    """The comment's text, trimmed and checked (Refused "empty" / "too_long")."""
    # Browsers send line breaks as CRLF but count them as one character against maxlength.
    return Refused.text((text or "").replace("\r\n", "\n"), BODY_LIMIT)


def add_comment(meeting: Meeting, item: AgendaItem, author, text: str | None) -> Comment:
    """A comment under an item by an attendee inside the window; its HTML is rendered now, never per view."""
    if item.meeting_id != meeting.id:
        raise Refused("item")
    if not access.can_take_part(author, meeting):
        raise Refused("take_part")
    body = _body(text)
    now = utcnow()
    comment = Comment(
        meeting_id=meeting.id,
        item_id=item.id,
        author_id=author.id,
        body=body,
        created_at=now,
    )
    db.session.add(comment)
    db.session.flush()
    meeting.changed_at = now
    # Not a line in the meeting's history (that would drown it); the comment itself is the record.
    audit.record("meeting.comment_added", author, meeting.compound, meeting_id=meeting.id, comment_id=comment.id)
    return comment


def is_author(person, meeting: Meeting, comment: Comment) -> bool:
    """Wrote the comment: only the author edits it (within 5 minutes: edit_comment says)."""
    person = permissions.signed_in(person)
    return person is not None and person.id == comment.author_id


def can_hide(person, meeting: Meeting, comment: Comment) -> bool:
    """The chair hides comments."""
    return access.is_convenor(person, meeting)


def edit_comment(meeting: Meeting, comment: Comment, author, text: str | None) -> Comment:
    """The author corrects a comment within 5 minutes; the text it had is kept as a CommentEdit."""
    person = permissions.signed_in(author)
    if not is_author(person, meeting, comment):
        raise Refused("not_author")
    if comment.hidden_at is not None:
        raise Refused("hidden")
    now = utcnow()
    if now - comment.created_at > EDIT_WINDOW:
        raise Refused("edit_window")
    if not access.can_take_part(person, meeting):
        raise Refused("take_part")
    body = _body(text)
    if body == comment.body:
        return comment
    db.session.add(CommentEdit(comment_id=comment.id, body=comment.body, replaced_at=now))
    comment.body = body
    comment.edited_at = now
    meeting.changed_at = now
    audit.record("meeting.comment_edited", person, meeting.compound, meeting_id=meeting.id, comment_id=comment.id)
    db.session.flush()
    return comment


def hide_comment(meeting: Meeting, comment: Comment, actor, reason: str | None) -> Comment:
    """The chair hides a comment with a reason (kept in the history; the text stays for the author and the chair)."""
    if not can_hide(actor, meeting, comment):
        raise Refused("not_chair")
    reason = Refused.text(reason, REASON_LIMIT, code="hide_reason")
    if comment.hidden_at is not None:
        raise Refused("already_hidden")
    comment.hidden_at = utcnow()
    comment.hidden_by_id = actor.id
    comment.hidden_reason = reason
    services.record(meeting, "comment_hidden", actor, comment_id=comment.id, reason=reason)
    meeting.changed_at = comment.hidden_at
    db.session.flush()
    return comment


def can_attach(person, meeting: Meeting) -> bool:
    """Attendees inside the window, and those who manage the meeting (papers can go up before it starts)."""
    return access.can_take_part(person, meeting) or access.can_manage(person, meeting)


def attach(meeting: Meeting, item: AgendaItem, actor, file) -> Attachment:
    """Check a file by its content (uploads.UploadError if refused: nothing written), store it, and list it."""
    if item.meeting_id != meeting.id:
        raise Refused("item")
    checked = uploads.check(file, uploads.DOCUMENTS)
    key = uploads.store(checked)
    attachment = Attachment(
        meeting_id=meeting.id,
        item_id=item.id,
        storage_key=key,
        filename=checked.filename,
        mime=checked.mime,
        size=checked.size,
        uploaded_by_id=actor.id,
    )
    db.session.add(attachment)
    db.session.flush()
    services.record(meeting, "attached", actor, attachment_id=attachment.id, item=item.title, filename=checked.filename)
    return attachment


def comments_by_item(meeting: Meeting) -> dict[int, list[Comment]]:
    """Every comment of the meeting with its author, oldest first, grouped by item (one query)."""
    rows = db.session.scalars(
        db.select(Comment)
        .where(Comment.meeting_id == meeting.id)
        .options(db.joinedload(Comment.author))
        .order_by(Comment.created_at, Comment.id)
    )
    grouped: dict[int, list[Comment]] = defaultdict(list)
    for comment in rows:
        grouped[comment.item_id].append(comment)
    return dict(grouped)


def attachments_by_item(meeting: Meeting) -> dict[int | None, list[tuple[Attachment, str]]]:
    """Every attachment of the meeting with the uploader's name, grouped by item (one query)."""
    rows = db.session.execute(
        db.select(Attachment, Person.name)
        .join(Person, Person.id == Attachment.uploaded_by_id)
        .where(Attachment.meeting_id == meeting.id)
        .order_by(Attachment.uploaded_at, Attachment.id)
    )
    grouped: dict[int | None, list[tuple[Attachment, str]]] = defaultdict(list)
    for attachment, name in rows:
        grouped[attachment.item_id].append((attachment, name))
    return dict(grouped)


@dataclass(frozen=True)
class Discussion:
    """The discussion of one meeting as one reader sees it (one name in the page's context, so nothing collides)."""

    comments: dict[int, list[Comment]]
    attachments: dict[int | None, list[tuple[Attachment, str]]]
    can_take_part: bool
    can_attach: bool
    is_convenor: bool
    viewer_id: int | None
    now: datetime
    live: bool  # inside the window: the page polls for new comments
    edit_window: timedelta = EDIT_WINDOW
    body_limit: int = BODY_LIMIT
    reason_limit: int = REASON_LIMIT

    def may_edit(self, comment: Comment) -> bool:
        """Show the edit form: the reader wrote it, takes part, it is not hidden, and the 5 minutes are not over."""
        return (
            self.can_take_part
            and comment.author_id == self.viewer_id
            and comment.hidden_at is None
            and self.now - comment.created_at <= self.edit_window
        )

    def shows_text(self, comment: Comment) -> bool:
        """A hidden comment's text is shown only to its author and the chair (marked hidden); others see the reason."""
        return comment.hidden_at is None or self.is_convenor or comment.author_id == self.viewer_id


def load(meeting: Meeting, person) -> Discussion:
    """Comments and attachments per item in a constant number of queries, whatever the number of comments."""
    person = permissions.signed_in(person)
    return Discussion(
        comments=comments_by_item(meeting),
        attachments=attachments_by_item(meeting),
        can_take_part=access.can_take_part(person, meeting),
        can_attach=can_attach(person, meeting),
        is_convenor=access.is_convenor(person, meeting),
        viewer_id=person.id if person is not None else None,
        now=utcnow(),
        live=access.window_open(meeting),
    )


def context(meeting: Meeting, person) -> dict:
    """What the meeting page needs from this part (merged into its template context): `discussion`."""
    return {"discussion": load(meeting, person)}
