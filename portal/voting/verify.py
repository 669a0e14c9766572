"""Verify a ballot box: recompute the digest, the electorate's totals from the roll, and every result from the ballots.

Any ballot, roll entry or setting added, removed or altered after the box was sealed shows up here. Someone who can
write the database could also re-seal (store a new digest): `verify(vote, published=HEX)` compares with the digest
printed on the notice, which they cannot change. `flask portal verify-vote ID [--digest HEX]` prints the problems and
exits non-zero.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from portal.extensions import db
from portal.voting import box, results, sealing
from portal.voting.models import Ballot, Participation, Secrecy, Vote, VoteKind, VotingRight


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


def verify(vote: Vote, published: str | None = None) -> Report:
    """Recount and recompute; every disagreement becomes a problem line (in English, for the command line)."""
    report = Report(vote)
    count, digest = box.compute_digest(vote)
    report.ballot_count, report.digest = count, digest
    if vote.digest is None:
        report.problems.append("the ballot box is not sealed yet (the vote has not closed)")
    elif digest != vote.digest:
        report.problems.append(f"digest mismatch: sealed {vote.digest}, recomputed {digest}")
    if published is not None and published.strip().lower() != digest:
        report.problems.append(
            f"the digest differs from the published one: published {published.strip()}, recomputed {digest}"
        )
    _check_roll(vote, report)
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


def _check_roll(vote: Vote, report: Report) -> None:
    """The electorate's totals are recomputed from the frozen roll, never taken from the vote row."""
    areas = db.session.scalars(sa.select(VotingRight.area_m2).where(VotingRight.vote_id == vote.id)).all()
    heads, area = len(areas), sum(areas, Decimal("0.00"))
    if vote.electorate_heads != heads:
        report.problems.append(f"the vote records {vote.electorate_heads} owners but its roll has {heads}")
    if vote.kind != VoteKind.poll and vote.electorate_area != area:
        report.problems.append(f"the vote records {vote.electorate_area} m² but its roll adds up to {area} m²")


def _check_secret(vote: Vote, participations, report: Report) -> None:
    ballots = db.session.scalars(sa.select(Ballot).where(Ballot.vote_id == vote.id)).all()
    if any(b.right_id or b.current_right_id or b.channel or b.weight_area is not None or b.cast_at for b in ballots):
        report.problems.append("a secret ballot carries a link to a voting right")
    if vote.digest is None:
        return
    asked = {item.key for item in vote.items}
    found_area = 0
    for ballot in ballots:
        try:
            found_area += sealing.decrypt_area(vote.id, ballot.id, ballot.encrypted)
        except sealing.SealError as error:
            report.problems.append(str(error))
        if vote.kind == VoteKind.resolution and set(json.loads(ballot.answers or "{}")) != asked:
            report.problems.append(f"ballot {ballot.id[:8]}… does not answer exactly the items the vote asks")
    if vote.kind == VoteKind.poll:
        return
    used_area = sum(
        db.session.scalars(
            sa.select(VotingRight.area_m2).where(VotingRight.id.in_([p.right_id for p in participations]))
        ),
        Decimal("0.00"),
    )
    if Decimal(found_area) / 100 != used_area:
        report.problems.append(
            f"the sealed ballots' area {Decimal(found_area) / 100} m² ≠ the used voting rights' {used_area} m²"
        )
