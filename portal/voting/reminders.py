"""What asks an owner to vote: the inbox notification when a vote opens, the reminder a day before it closes (only to
those who have not voted), and the "待我投票" list on the compound home.

Who is asked: the designated voter of each voting right, and the proxy of each right held by an active
authorisation. The reminder knows who has not voted from the participation register (已投票登记), never from a
ballot, so it says nothing about how anyone voted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for

from portal import audit
from portal.accounts.models import Person
from portal.db import utcnow, will_write
from portal.extensions import db
from portal.i18n import SHANGHAI
from portal.inbox.models import Notification
from portal.refusals import Refused
from portal.voting.models import PaperEnvelope, Participation, ProxyAuthorisation, Vote, VoteStatus, VotingRight


def _path(vote: Vote) -> str:
    """The vote page's path, also from `flask portal tick` (no request: built from the URL map alone)."""
    values = {"slug": vote.compound.slug, "vote_id": vote.id}
    if has_request_context():
        return url_for("voting.show", **values)
    return current_app.url_map.bind("localhost").build("voting.show", values)


def _asked(vote: Vote, only_not_voted: bool) -> sa.Select:
    """The ids of the people asked to vote in `vote`: voters and active proxies (of rights not used yet)."""
    rights = sa.select(VotingRight.id, VotingRight.person_id).where(VotingRight.vote_id == vote.id)
    if only_not_voted:
        # a secret vote's paper envelope that came in counts as voted too: its sheet is on the way (`sheets.py`)
        used = sa.union(
            sa.select(Participation.right_id).where(Participation.vote_id == vote.id),
            sa.select(PaperEnvelope.right_id).where(PaperEnvelope.vote_id == vote.id),
        )
        rights = rights.where(VotingRight.id.not_in(used))
    rights = rights.subquery()
    proxies = (
        sa.select(ProxyAuthorisation.proxy_id)
        .join(rights, rights.c.person_id == ProxyAuthorisation.owner_id)
        .where(ProxyAuthorisation.vote_id == vote.id, ProxyAuthorisation.revoked_at.is_(None))
    )
    return sa.union(sa.select(rights.c.person_id), proxies)


def _notify(vote: Vote, event: str, only_not_voted: bool, activated_only: bool = False) -> int:
    """One notification per person asked, in one INSERT … SELECT (a 20,000-unit compound is one statement); how many
    (`activated_only`: only those who have an account to read it in)."""
    asked = _asked(vote, only_not_voted).subquery()
    columns = ("person_id", "compound_id", "event", "subject", "link", "created_at")
    values = (vote.compound_id, event, vote.title[:200], _path(vote), utcnow())
    select = sa.select(asked.c[0], *(sa.literal(value) for value in values))
    if activated_only:
        select = select.where(asked.c[0].in_(sa.select(Person.id).where(Person.password_hash.is_not(None))))
    table = Notification.__table__
    # Counted from RETURNING: a driver's rowcount of INSERT … SELECT is not to be trusted (psycopg through the ORM: -1).
    return len(db.session.execute(sa.insert(table).from_select(columns, select).returning(table.c.id)).all())


def tell_open(vote: Vote) -> None:
    """投票已开始: every voter and proxy is told in their inbox."""
    _notify(vote, "vote.open", only_not_voted=False)


def remind(vote: Vote) -> None:
    """投票即将截止: only those whose right is not used yet (online, by proxy or on paper) are reminded."""
    _notify(vote, "vote.closing", only_not_voted=True)


def remind_not_voted(vote: Vote, actor) -> int:
    """提醒未投票的业主, by committee or staff, at most once a day (Beijing time) for a vote: every activated voter or
    proxy whose right is still unused gets one notification, so nobody twice in a day; how many. Owners without an
    account get a printed slip instead. One audit line."""
    will_write()  # SQLite: the check and the insert in one write transaction (PostgreSQL: the row lock below)
    db.session.execute(sa.select(Vote.id).where(Vote.id == vote.id).with_for_update())
    if vote.status != VoteStatus.open:
        raise Refused("step_not_possible")
    local = utcnow().astimezone(SHANGHAI)
    day_start = datetime.combine(local.date(), time(0), SHANGHAI).astimezone(UTC)
    sent = sa.select(Notification.id).where(
        Notification.event == "vote.reminder", Notification.link == _path(vote), Notification.created_at >= day_start
    )
    if db.session.scalar(sent.limit(1)) is not None:
        raise Refused("reminded_today")
    count = _notify(vote, "vote.reminder", only_not_voted=True, activated_only=True)
    audit.record("vote.reminded", actor, vote.compound, vote_id=vote.id, reminded=count)
    return count


@dataclass(frozen=True)
class Awaiting:
    """An open vote waiting for this person: how many rights they can still use (their own and as a proxy)."""

    vote: Vote
    rights: int

    @property
    def closes_at(self) -> datetime:
        """When the vote closes."""
        return self.vote.closes_at

    def days_left(self, now: datetime | None = None) -> int:
        """Whole days left, counted up: 1 on the last day, 0 once closed."""
        left = self.vote.closes_at - (now or utcnow())
        if left.total_seconds() <= 0:
            return 0
        return left.days + (1 if left.seconds or left.microseconds else 0)


def awaiting(compound, person) -> list[Awaiting]:
    """待我投票: the compound's open votes in which this person still holds an unused right, soonest close first."""
    if not getattr(person, "is_authenticated", False):
        return []
    now = utcnow()
    held = sa.or_(
        VotingRight.person_id == person.id,
        VotingRight.person_id.in_(
            sa.select(ProxyAuthorisation.owner_id).where(
                ProxyAuthorisation.vote_id == Vote.id,
                ProxyAuthorisation.proxy_id == person.id,
                ProxyAuthorisation.revoked_at.is_(None),
            )
        ),
    )
    used = sa.select(Participation.right_id).where(Participation.vote_id == Vote.id)
    rows = db.session.execute(
        sa.select(Vote, sa.func.count(VotingRight.id))
        .join(VotingRight, VotingRight.vote_id == Vote.id)
        .where(
            Vote.compound_id == compound.id,
            Vote.status == VoteStatus.open,
            Vote.closes_at > now,
            held,
            VotingRight.id.not_in(used),
            VotingRight.id.not_in(sa.select(PaperEnvelope.right_id).where(PaperEnvelope.vote_id == Vote.id)),
        )
        .group_by(Vote.id)
        .order_by(Vote.closes_at, Vote.id)
    ).all()
    return [Awaiting(vote, count) for vote, count in rows]
