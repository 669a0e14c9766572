"""会议纪要公示: the archive of published minutes, with full-text search that works for Chinese.

Search text is kept in `Minutes.search_text` (title, minutes, decisions, addenda as plain words), written by
`index` whenever minutes are published or an addendum is added. Searching is substring matching, which is what
Chinese needs (no spaces between words):

- SQLite: the FTS5 table `minutes_fts` (trigram tokenizer, rowid = minutes.id) answers terms of 3 or more
  characters; a trigram index cannot answer shorter terms (电梯), so those fall back to LIKE on search_text.
- PostgreSQL: ILIKE on search_text, served by the pg_trgm GIN index for any term length.

Each whitespace-separated term must occur (AND). User input is never FTS syntax: a term is quoted as an FTS5
string, and LIKE wildcards are escaped.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import request
from flask_login import current_user
from sqlalchemy.orm import contains_eager

from portal import permissions
from portal.compounds.models import Compound
from portal.compounds.services import get_compound
from portal.extensions import db
from portal.htmx import render
from portal.i18n import SHANGHAI, year_bounds
from portal.inputs import db_int
from portal.markup import plain_text
from portal.meetings import access, bp, services
from portal.meetings.models import (
    Addendum,
    AgendaItem,
    Attendance,
    Invitation,
    InviteeGroup,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    Motion,
    Visibility,
)

# Terms of at least this many characters go to the FTS5 trigram index; shorter ones cannot be answered by it.
_TRIGRAM = 3
# A search box is not a place for essays: longer input is cut, and only the first few terms count.
_MAX_QUERY = 100
_MAX_TERMS = 5


@dataclass
class Entry:
    """One line of the archive: the minutes, their meeting, how many signed in, and the decisions taken."""

    minutes: Minutes
    meeting: Meeting
    attendance: int = 0
    decisions: list[Motion] = field(default_factory=list)


def index(minutes: Minutes) -> None:
    """Refresh the search text of published minutes (at publication, after each addendum); on SQLite its FTS row."""
    db.session.flush()  # an addendum just added must be in the rows read below
    meeting = db.session.get(Meeting, minutes.meeting_id)
    decisions = db.session.scalars(
        db.select(Motion.text).where(Motion.meeting_id == meeting.id, Motion.closed_at.is_not(None)).order_by(Motion.id)
    )
    addenda = db.session.scalars(
        db.select(Addendum.body).where(Addendum.minutes_id == minutes.id).order_by(Addendum.id)
    )
    parts = [meeting.title, minutes.body, *decisions, *addenda]
    minutes.search_text = " ".join(text for text in (plain_text(part) for part in parts) if text)
    db.session.flush()
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(sa.text("DELETE FROM minutes_fts WHERE rowid = :id"), {"id": minutes.id})
        db.session.execute(
            sa.text("INSERT INTO minutes_fts (rowid, search_text) VALUES (:id, :text)"),
            {"id": minutes.id, "text": minutes.search_text},
        )


def _fts_string(term: str) -> str:
    """The term as one FTS5 string literal, so quotes, *, OR, NEAR( and the like are only characters to find."""
    return '"' + term.replace('"', '""') + '"'


def _like_pattern(term: str) -> str:
    """%term% with the LIKE wildcards (and the escape character itself) taken literally."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _terms(q: str | None) -> list[str]:
    """The words of the query (whitespace-separated), within the length limits."""
    return (q or "")[:_MAX_QUERY].split()[:_MAX_TERMS]


def _text_condition(term: str, dialect: str) -> sa.ColumnElement[bool]:
    """Minutes whose search text contains the term."""
    if dialect == "sqlite" and len(term) >= _TRIGRAM:
        matching = sa.text("SELECT rowid FROM minutes_fts WHERE minutes_fts MATCH :match").bindparams(
            sa.bindparam("match", value=_fts_string(term), unique=True)
        )
        return Minutes.id.in_(matching.columns(sa.column("rowid", sa.Integer)))
    return Minutes.search_text.ilike(_like_pattern(term), escape="\\")


def _visibility_condition(compound: Compound, person) -> sa.ColumnElement[bool] | None:
    """The rule of access.can_view in SQL (None: the person may see every meeting of the compound)."""
    if access.can_prepare(person, compound):
        return None
    readable = [Meeting.visibility == Visibility.public]
    if permissions.may(person, "view_members", compound):
        readable.append(Meeting.visibility == Visibility.members)
    who = permissions.signed_in(person)
    if who is None:
        return (Meeting.status != MeetingStatus.draft) & sa.or_(*readable)
    known = {group.value for group in InviteeGroup}
    groups = [InviteeGroup(r.value) for r in permissions.roles_in(who, compound) if r.value in known]
    if permissions.is_staff_of(who, compound.community_id):
        groups.append(InviteeGroup.staff)
    invited = sa.exists().where(
        Invitation.meeting_id == Meeting.id,
        sa.or_(Invitation.person_id == who.id, Invitation.grp.in_(groups) if groups else sa.false()),
    )
    readable.append(
        (Meeting.visibility == Visibility.invitees)
        & (invited | (Meeting.secretary_id == who.id) | (Meeting.convenor_id == who.id))
    )
    # The convenor reads their own meeting whatever its state, as can_view says.
    return (Meeting.convenor_id == who.id) | ((Meeting.status != MeetingStatus.draft) & sa.or_(*readable))


def _published(compound: Compound, person) -> sa.Select:
    """Published minutes of the compound whose meeting the person may read (joined to the meeting)."""
    query = (
        db.select(Minutes)
        .join(Meeting, Minutes.meeting_id == Meeting.id)
        .where(Meeting.compound_id == compound.id, Minutes.status == MinutesStatus.published)
    )
    condition = _visibility_condition(compound, person)
    return query if condition is None else query.where(condition)


def search(
    compound: Compound, person, q: str | None, kind: MeetingKind | str | None = None, year: int | None = None
) -> list[Minutes]:
    """Published minutes the person may read, newest published first, filtered by kind, year of the meeting's start
    (Asia/Shanghai) and the words of q; each one's meeting is loaded with it."""
    query = _published(compound, person).options(contains_eager(Minutes.meeting).selectinload(Meeting.invitations))
    if kind:
        query = query.where(Meeting.kind == MeetingKind(kind))
    if year:
        start, end = year_bounds(year)
        query = query.where(Meeting.starts_at >= start, Meeting.starts_at < end)
    dialect = db.session.get_bind().dialect.name
    for term in _terms(q):
        query = query.where(_text_condition(term, dialect))
    rows = db.session.scalars(query.order_by(Minutes.published_at.desc(), Minutes.id.desc())).unique()
    # The SQL above mirrors can_view; asking the rule itself as well keeps the two from drifting apart silently.
    return [m for m in rows if access.can_view(person, m.meeting)]


def entries(found: list[Minutes]) -> list[Entry]:
    """Archive lines for these minutes, with attendance counts and decisions loaded in two queries for all of them."""
    meeting_ids = [m.meeting_id for m in found]
    if not meeting_ids:
        return []
    counts = services.counts(Attendance.meeting_id, meeting_ids)
    decisions: dict[int, list[Motion]] = defaultdict(list)
    motions = db.session.scalars(
        db.select(Motion)
        .join(AgendaItem, Motion.item_id == AgendaItem.id)
        .where(Motion.meeting_id.in_(meeting_ids), Motion.closed_at.is_not(None))
        .order_by(AgendaItem.position, Motion.id)
    )
    for motion in motions:
        decisions[motion.meeting_id].append(motion)
    return [Entry(m, m.meeting, counts.get(m.meeting_id, 0), decisions[m.meeting_id]) for m in found]


def years(compound: Compound, person) -> list[int]:
    """The years (of the meeting's start, Beijing time) that have published minutes this person may read, newest
    first."""
    starts = db.session.scalars(_published(compound, person).with_only_columns(Meeting.starts_at))
    return sorted({moment.astimezone(SHANGHAI).year for moment in starts}, reverse=True)


def _kind_arg(value: str) -> MeetingKind | None:
    """The kind filter from the URL; an unknown value means no filter."""
    try:
        return MeetingKind(value) if value else None
    except ValueError:
        return None


def _year_arg(value: str) -> int | None:
    """The year filter from the URL; anything but a plausible year means no filter."""
    year = db_int(value)
    return year if year is not None and 1900 < year < 3000 else None


@bp.route("/minutes/")
def archive(slug: str):
    """会议纪要公示: published minutes this person may read, newest first; search, filter by kind and year."""
    compound = get_compound(slug)
    q = request.args.get("q", "").strip()[:_MAX_QUERY]
    kind = _kind_arg(request.args.get("kind", ""))
    year = _year_arg(request.args.get("year", ""))
    found = search(compound, current_user, q, kind, year)
    return render(
        "meetings/archive.html",
        "meetings/_archive_results.html",
        compound=compound,
        entries=entries(found),
        q=q,
        kind=kind.value if kind else "",
        year=year,
        kinds=list(MeetingKind),
        years=years(compound, current_user),
        filtered=bool(q or kind or year),
    )
