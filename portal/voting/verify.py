"""Verify a ballot box: recount every item from the stored ballots and recompute the digest.

Any ballot added, removed or altered after the box was sealed shows up here; `flask portal verify-vote ID` prints
the problems and exits non-zero.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from portal.extensions import db
from portal.voting import box, results
from portal.voting.models import Ballot, Participation, Secrecy, SecretCounter, Vote, VotingRight


@dataclass
class Report:
    """What verification found; `ok` only when nothing is wrong."""

    vote: Vote
    problems: list[str] = field(default_factory=list)
    ballot_count: int = 0
    digest: str | None = None
    results: results.VoteResults | None = None

    @property
    def ok(self) -> bool:
        """True when the box is sealed and everything agrees."""
        return not self.problems


def verify(vote: Vote) -> Report:
    """Recount and recompute; every disagreement becomes a problem line (in English, for the command line)."""
    report = Report(vote)
    count, digest = box.compute_digest(vote)
    report.ballot_count, report.digest = count, digest
    if vote.digest is None:
        report.problems.append("the ballot box is not sealed yet (the vote has not closed)")
    elif digest != vote.digest:
        report.problems.append(f"digest mismatch: sealed {vote.digest}, recomputed {digest}")
    if vote.ballot_count is not None and count != vote.ballot_count:
        report.problems.append(f"ballot count mismatch: sealed {vote.ballot_count}, found {count}")
    participations = db.session.scalars(sa.select(Participation).where(Participation.vote_id == vote.id)).all()
    if len(participations) != count:
        report.problems.append(f"{len(participations)} voting rights were used but {count} ballots count")
    if vote.secrecy == Secrecy.named:
        _check_named(vote, participations, report)
    else:
        _check_secret(vote, participations, report)
    try:
        report.results = results.compute(vote)
    except ValueError as error:  # the tally refuses inconsistent counts
        report.problems.append(f"recount failed: {error}")
    return report


def _check_named(vote: Vote, participations, report: Report) -> None:
    used = {p.right_id for p in participations}
    ballots = box.counted_ballots(vote)
    counted = Counter(b.current_right_id for b in ballots)
    for right_id, n in counted.items():
        if n > 1:
            report.problems.append(f"voting right {right_id} has {n} counted ballots")
    if set(counted) != used:
        report.problems.append("the counted ballots do not match the voting rights used")
    areas = dict(
        db.session.execute(sa.select(VotingRight.id, VotingRight.area_m2).where(VotingRight.vote_id == vote.id)).all()
    )
    for ballot in ballots:
        if ballot.weight_area != areas.get(ballot.right_id):
            report.problems.append(f"ballot {ballot.id[:8]}… carries an area that is not its voting right's")


def _check_secret(vote: Vote, participations, report: Report) -> None:
    counters = {c.key: c for c in db.session.scalars(sa.select(SecretCounter).where(SecretCounter.vote_id == vote.id))}
    ballots = db.session.scalars(sa.select(Ballot).where(Ballot.vote_id == vote.id)).all()
    if any(b.right_id or b.current_right_id or b.channel or b.weight_area is not None for b in ballots):
        report.problems.append("a secret ballot carries a link to a voting right")
    heads = Counter({"participation": len(ballots)})
    for ballot in ballots:
        for item, answer in json.loads(ballot.answers).items():
            heads[f"item:{item}:{answer}"] += 1
        heads.update(f"candidate:{c}" for c in json.loads(ballot.selected))
        heads.update(f"option:{o}" for o in json.loads(ballot.options))
    for key, counter in counters.items():
        if counter.heads != heads.get(key, 0):
            report.problems.append(f"counter {key}: {counter.heads} heads stored, {heads.get(key, 0)} ballots found")
    unknown = set(heads) - set(counters)
    if unknown:
        report.problems.append(f"ballots answer what the vote does not ask: {sorted(unknown)}")
    used_area = sum(
        db.session.scalars(
            sa.select(VotingRight.area_m2).where(VotingRight.id.in_([p.right_id for p in participations]))
        ),
        Decimal("0.00"),
    )
    total = counters.get("participation")
    if total is not None and Decimal(total.area_cents) / 100 != used_area:
        report.problems.append(f"participating area {Decimal(total.area_cents) / 100} ≠ the used rights' {used_area}")
    for item in vote.items:
        area = sum(counters[f"item:{item.id}:{a}"].area_cents for a in box.ANSWERS if f"item:{item.id}:{a}" in counters)
        if total is not None and area != total.area_cents:
            report.problems.append(f"item {item.id}: the answers' area does not add up to the participating area")
