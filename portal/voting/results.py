"""A vote's result, computed from what the box holds: named ballots with their weights, or a secret vote's sealed
ballots with their areas decrypted (a secret vote has no result before its seal).

Nothing here decides a threshold itself: portal/voting/tally.py applies Art. 278 with exact arithmetic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from portal.extensions import db
from portal.voting import ballot_key, sealing, tally
from portal.voting.models import Ballot, Secrecy, Vote, VoteKind
from portal.voting.tally import Counts, Weight

CENT = Decimal("0.01")


def electorate_weight(vote: Vote) -> Weight:
    """The frozen electorate's heads and area."""
    return Weight(vote.electorate_heads or 0, vote.electorate_area or Decimal("0.00"))


def plain_ballots(vote: Vote) -> list[tally.PlainBallot]:
    """The counted ballots as plain tuples (one head, the area in cents, the choices): a named ballot carries its
    right's area; a sealed secret ballot's area is decrypted with the ballot key."""
    secret = vote.secrecy == Secrecy.secret
    if secret and vote.digest is None:
        raise ValueError("a secret vote has no result before its ballot box is sealed")
    columns = [Ballot.answers, Ballot.selected, Ballot.options]
    if secret:
        query = sa.select(*columns, Ballot.id, Ballot.encrypted).where(Ballot.vote_id == vote.id)
    else:
        query = sa.select(*columns, Ballot.weight_area).where(
            Ballot.vote_id == vote.id, Ballot.current_right_id.is_not(None)
        )
    rows = db.session.connection().execute(query).all()
    poll = vote.kind == VoteKind.poll
    keys = ballot_key.for_vote(vote.id) if secret else None
    parsed: dict[str, object] = {}  # ballots repeat the same few answer sets: parse each text once

    def read(text: str):
        if text not in parsed:
            value = json.loads(text)
            parsed[text] = [str(key) for key in value] if isinstance(value, list) else value
        return parsed[text]

    def cents(row) -> int:
        if poll:
            return 0
        if secret:
            return sealing.decrypt_area(vote.id, row[3], row[4], keys)
        return int(Decimal(row[3]).scaleb(2))

    return [(1, cents(row), read(row[0]), read(row[1]), read(row[2])) for row in rows]


def _keys(vote: Vote) -> tuple[list[str], list[str], list[str]]:
    items = [item.key for item in vote.items] if vote.kind == VoteKind.resolution else []
    candidates = [c.key for c in vote.candidates if c.on_ballot] if vote.kind == VoteKind.election else []
    options = [o.key for o in vote.options] if vote.kind == VoteKind.poll else []
    return items, candidates, options


def counts(vote: Vote) -> Counts:
    """The counts a decision is made from."""
    items, candidates, options = _keys(vote)
    return tally.aggregate_plain(plain_ballots(vote), items, candidates, options)


@dataclass
class VoteResults:
    """Everything a result notice shows."""

    vote: Vote
    electorate: Weight
    participation: Weight
    quorum_met: bool
    items: list[tuple] = field(default_factory=list)  # (VoteItem, ItemResult)
    candidates: list[tuple] = field(default_factory=list)  # (Candidate, CandidateResult)
    options: list[tuple] = field(default_factory=list)  # (PollOption, OptionResult)
    ballot_count: int = 0
    digest: str | None = None


def compute(vote: Vote) -> VoteResults:
    """The result of a vote from the stored ballots or counters."""
    electorate = electorate_weight(vote)
    found = counts(vote)
    result = VoteResults(
        vote=vote,
        electorate=electorate,
        participation=found.participation,
        quorum_met=vote.kind != VoteKind.poll and tally.quorum_met(found.participation, electorate),
        ballot_count=found.participation.heads,
        digest=vote.digest,
    )
    if vote.kind == VoteKind.resolution:
        matters = {item.key: tally.Matter(item.matter.value) for item in vote.items}
        decided = {r.key: r for r in tally.decide_items(electorate, found, matters)}
        result.items = [(item, decided[item.key]) for item in vote.items]
    elif vote.kind == VoteKind.election:
        on_ballot = [c for c in vote.candidates if c.on_ballot]
        decided = {r.key: r for r in tally.decide_election(electorate, found, vote.seats, [c.key for c in on_ballot])}
        result.candidates = sorted(
            ((c, decided[c.key]) for c in on_ballot), key=lambda pair: (-pair[1].votes.heads, -pair[1].votes.area)
        )
    else:
        decided = {r.key: r for r in tally.decide_poll(found, [o.key for o in vote.options])}
        result.options = [(o, decided[o.key]) for o in vote.options]
    return result
