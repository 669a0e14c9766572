"""What asks an owner to vote: the inbox notification when a vote opens, the reminder a day before it closes (only to
those who have not voted), and the "待我投票" list on the compound home.

Who is asked: the designated voter of each voting right, and the proxy of each right held by an active
authorisation. The reminder knows who has not voted from the participation register (已投票登记), never from a
ballot, so it says nothing about how anyone voted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for

from portal.db import utcnow
from portal.extensions import db
from portal.inbox.models import Notification
from portal.voting.models import Participation, ProxyAuthorisation, Vote, VoteStatus, VotingRight


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
        used = sa.select(Participation.right_id).where(Participation.vote_id == vote.id)
        rights = rights.where(VotingRight.id.not_in(used))
    rights = rights.subquery()
    proxies = (
        sa.select(ProxyAuthorisation.proxy_id)
        .join(rights, rights.c.person_id == ProxyAuthorisation.owner_id)
        .where(ProxyAuthorisation.vote_id == vote.id, ProxyAuthorisation.revoked_at.is_(None))
    )
    return sa.union(sa.select(rights.c.person_id), proxies)


def _notify(vote: Vote, event: str, only_not_voted: bool) -> None:
    """One notification per person asked, in one INSERT … SELECT (a 20,000-unit compound is one statement)."""
    asked = _asked(vote, only_not_voted).subquery()
    columns = ("person_id", "compound_id", "event", "subject", "link", "created_at")
    values = (vote.compound_id, event, vote.title[:200], _path(vote), utcnow())
    select = sa.select(asked.c[0], *(sa.literal(value) for value in values))
    db.session.execute(sa.insert(Notification.__table__).from_select(columns, select))


def tell_open(vote: Vote) -> None:
    """投票已开始: every voter and proxy is told in their inbox."""
    _notify(vote, "vote.open", only_not_voted=False)


def remind(vote: Vote) -> None:
    """投票即将截止: only those whose right is not used yet (online, by proxy or on paper) are reminded."""
    _notify(vote, "vote.closing", only_not_voted=True)


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
        )
        .group_by(Vote.id)
        .order_by(Vote.closes_at, Vote.id)
    ).all()
    return [Awaiting(vote, count) for vote, count in rows]
