"""The hot path of casting: an owner submitting their own ballot in an open vote.

Owners cast in the same few days, often in the same evening hour, so this path reads with one core query (the
vote's state and the owner's own right) and checks the ballot against what the vote asks — items, candidates,
options, fixed since the vote was announced — kept per process under the vote and the moment it opened. Whatever is
not the plain case (no right of one's own, a proxy, a used right, a closed vote, a ballot that does not read) is left
to the ordinary path through `box.cast`, and nothing is written here before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace

import sqlalchemy as sa
from flask import current_app

from portal.compounds.models import Compound
from portal.db import utcnow
from portal.extensions import db
from portal.refusals import Refused
from portal.voting import box
from portal.voting.models import BallotChannel, Secrecy, Vote, VoteKind, VoteStatus, VotingRight

CACHE_KEY = "linli.open_votes"
CACHE_SIZE = 512


@dataclass(frozen=True)
class Choice:
    """An item, candidate or option as the ballot refers to it."""

    id: int
    on_ballot: bool = True

    @property
    def key(self) -> str:
        """The key in ballots and tallies (as on the models)."""
        return str(self.id)


@dataclass(frozen=True)
class OpenVote:
    """What a ballot is checked against and stored with; the same attribute names as `Vote`."""

    id: int
    compound: SimpleNamespace
    kind: VoteKind
    secrecy: Secrecy
    allow_change: bool
    seats: int | None
    poll_multiple: bool
    closes_at: datetime
    items: tuple[Choice, ...]
    candidates: tuple[Choice, ...]
    options: tuple[Choice, ...]
    receipt_key: bytes | None = None
    status: VoteStatus = VoteStatus.open


@dataclass(frozen=True)
class OwnRight:
    """The owner's own voting right (what the ballot box needs of it)."""

    id: int
    vote_id: int
    area_m2: Decimal


_V, _C, _R = Vote.__table__, Compound.__table__, VotingRight.__table__
_STATE = (
    sa.select(_V.c.status, _V.c.opened_at, _V.c.closes_at, _R.c.id.label("right_id"), _R.c.area_m2)
    .select_from(
        _V.join(_C, _C.c.id == _V.c.compound_id).outerjoin(
            _R, (_R.c.vote_id == _V.c.id) & (_R.c.person_id == sa.bindparam("person_id"))
        )
    )
    .where(_V.c.id == sa.bindparam("vote_id"), _C.c.slug == sa.bindparam("slug"))
    # The state is read under FOR SHARE of the vote row (`locks.share`, in the same round trip): a closing, which
    # takes the row FOR UPDATE, waits until this ballot is stored, or this read already sees the vote closed.
    # SQLite renders no FOR SHARE; there the request's BEGIN IMMEDIATE (portal/db.py) serialises the two.
    .with_for_update(read=True, of=_V)
)


def try_cast(slug: str, vote_id: int, person, read_choices) -> str | None:
    """Cast the person's own ballot the quick way; the receipt, or None to take the ordinary path instead."""
    row = db.session.execute(_STATE, {"person_id": person.id, "vote_id": vote_id, "slug": slug}).one_or_none()
    if row is None or row.right_id is None or row.status != VoteStatus.open or utcnow() >= row.closes_at:
        return None
    vote = _open_vote(vote_id, row.opened_at, row.closes_at)
    right = OwnRight(row.right_id, vote_id, row.area_m2)
    try:
        choices = box.validate(vote, read_choices(vote))
    except Refused:
        return None
    return box.cast_unused(vote, right, choices, BallotChannel.online, person, None)


def _open_vote(vote_id: int, opened_at: datetime, closes_at: datetime) -> OpenVote:
    """The vote as the ballot sees it, from this process's copy or read once."""
    cache = current_app.extensions.setdefault(CACHE_KEY, {})
    key = (vote_id, opened_at, closes_at)
    vote = cache.get(key)
    if vote is None:
        if len(cache) >= CACHE_SIZE:
            cache.clear()
        vote = cache[key] = _read(vote_id)
    return vote


def _read(vote_id: int) -> OpenVote:
    """Read the vote with what it asks (once per process and vote)."""
    vote = db.session.get(Vote, vote_id)
    return OpenVote(
        id=vote.id,
        compound=SimpleNamespace(id=vote.compound_id),
        kind=vote.kind,
        secrecy=vote.secrecy,
        allow_change=vote.allow_change,
        seats=vote.seats,
        poll_multiple=vote.poll_multiple,
        closes_at=vote.closes_at,
        items=tuple(Choice(i.id) for i in vote.items),
        candidates=tuple(Choice(c.id, c.on_ballot) for c in vote.candidates),
        options=tuple(Choice(o.id) for o in vote.options),
        receipt_key=vote.receipt_key,
    )
