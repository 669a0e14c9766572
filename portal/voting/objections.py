"""异议: objections to a preliminary result, filed by owners who hold a voting right and answered by staff.

Objections are accepted while the vote is `preliminary` and until its deadline (the moment the preliminary result
was posted plus the vote's `objection_days`). Every objection and every answer is audited. Owners read all
objections with their answers but never who filed them; staff see the names. An answer, once given, stands
(a changed answer would undo what owners have already read). Services flush, never commit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from portal import audit
from portal.db import utcnow
from portal.extensions import db
from portal.refusals import Refused
from portal.voting import electorate
from portal.voting.models import Objection, Vote, VoteStatus

TEXT_MAX = 2000  # characters of an objection or an answer
# Staff may still answer after the deadline and after the final notice, until the vote is archived.
ANSWERABLE = (VoteStatus.preliminary, VoteStatus.final)


def deadline(vote: Vote) -> datetime | None:
    """When the objection period ends: the preliminary result's posting time plus `objection_days`."""
    if vote.preliminary_at is None:
        return None
    return vote.preliminary_at + timedelta(days=vote.objection_days)


def period_open(vote: Vote, now: datetime | None = None) -> bool:
    """Objections are accepted now: the result is preliminary and the deadline has not passed."""
    end = deadline(vote)
    return vote.status == VoteStatus.preliminary and end is not None and (now or utcnow()) <= end


def may_file(vote: Vote, person) -> bool:
    """The person holds a voting right in this vote and the objection period is open."""
    return period_open(vote) and electorate.right_of(vote, person) is not None


def _text(text: str | None) -> str:
    """The text as it will be stored, or an Refused (empty, too_long)."""
    text = (text or "").strip()
    if not text:
        raise Refused("empty")
    if len(text) > TEXT_MAX:
        raise Refused("too_long", limit=TEXT_MAX)
    return text


def file(vote: Vote, person, text: str | None) -> Objection:
    """File an objection to the preliminary result (提出异议) as the holder of a voting right."""
    if vote.status != VoteStatus.preliminary:
        raise Refused("objections_closed")
    if not period_open(vote):
        raise Refused("deadline")
    if electorate.right_of(vote, person) is None:
        raise Refused("no_right")
    objection = Objection(vote_id=vote.id, person_id=person.id, text=_text(text), filed_at=utcnow())
    db.session.add(objection)
    db.session.flush()
    audit.record("vote.objection", person, vote.compound, vote_id=vote.id, objection_id=objection.id)
    return objection


def answer(objection: Objection, actor, text: str | None) -> None:
    """Staff answer an objection (答复); published with it, it cannot be changed afterwards."""
    vote = db.session.get(Vote, objection.vote_id)
    if vote.status not in ANSWERABLE:
        raise Refused("objections_closed")
    if objection.answered_at is not None:
        raise Refused("answered")
    objection.answer = _text(text)
    objection.answered_by_id = actor.id
    objection.answered_at = utcnow()
    db.session.flush()
    audit.record("vote.objection_answered", actor, vote.compound, vote_id=vote.id, objection_id=objection.id)


def get(vote: Vote, objection_id: int) -> Objection | None:
    """One objection of this vote (None if it belongs to another)."""
    objection = db.session.get(Objection, objection_id)
    return objection if objection is not None and objection.vote_id == vote.id else None


def of(vote: Vote) -> list[Objection]:
    """The vote's objections, oldest first."""
    return list(
        db.session.scalars(
            db.select(Objection).where(Objection.vote_id == vote.id).order_by(Objection.filed_at, Objection.id)
        )
    )


def unanswered(vote: Vote) -> int:
    """How many objections still wait for an answer."""
    return sum(1 for o in of(vote) if o.answered_at is None)
