"""The ballot box: who has voted, the ballots, proxies, paper entries, conflicts, and secret counters.

Named votes: a ballot names its voting right, channel and weight. Secret votes: while the vote is open a ballot is
one ciphertext under a random id (`portal/voting/sealing.py`); at the seal it becomes a fresh plain row with the
answers, the receipt hash and its area encrypted (a plain per-ballot area would identify a unit whose area is unique).
Who voted is in `Participation` alone.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Area, UTCDateTime, enum_column, utcnow
from portal.extensions import db


class BallotChannel(enum.StrEnum):
    """How a voting right was used."""

    online = "online"
    proxy = "proxy"  # 委托投票
    paper = "paper"  # 书面表决票


class Participation(db.Model):
    """已投票登记: each voting right is used once, across online, proxy and paper (the database enforces it)."""

    __table_args__ = (sa.UniqueConstraint("vote_id", "right_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(sa.ForeignKey("vote.id", ondelete="CASCADE"), index=True)
    right_id: Mapped[int] = mapped_column(sa.ForeignKey("voting_right.id", ondelete="CASCADE"))
    channel: Mapped[BallotChannel] = mapped_column(enum_column(BallotChannel, length=10))
    proxy_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    right = relationship("VotingRight")


class Ballot(db.Model):
    """A cast ballot. `current_right_id` equals right_id while it counts (unique per vote), NULL once replaced."""

    __table_args__ = (sa.UniqueConstraint("vote_id", "current_right_id"),)
    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)  # random: no order to link by
    vote_id: Mapped[int] = mapped_column(sa.ForeignKey("vote.id", ondelete="CASCADE"), index=True)
    receipt_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    answers: Mapped[str] = mapped_column(sa.Text, default="{}")  # JSON: item id → yes/no/abstain
    # Secret votes only: the whole ballot while the vote is open, the sealed ballot's area after (sealing.py).
    encrypted: Mapped[str | None] = mapped_column(sa.Text)
    selected: Mapped[str] = mapped_column(sa.Text, default="[]")  # JSON: candidate ids
    options: Mapped[str] = mapped_column(sa.Text, default="[]")  # JSON: poll option ids
    # Named votes only (NULL in secret votes):
    right_id: Mapped[int | None] = mapped_column(sa.ForeignKey("voting_right.id", ondelete="CASCADE"), index=True)
    current_right_id: Mapped[int | None] = mapped_column(sa.ForeignKey("voting_right.id", ondelete="CASCADE"))
    channel: Mapped[BallotChannel | None] = mapped_column(enum_column(BallotChannel, length=10))
    proxy_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    weight_area: Mapped[Decimal | None] = mapped_column(Area)
    cast_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replaced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    right = relationship("VotingRight", foreign_keys=[right_id])
    proxy = relationship("Person")


class ProxyAuthorisation(db.Model):
    """委托: a named person votes for an owner in one vote, on a written authorisation (委托书)."""

    __table_args__ = (sa.UniqueConstraint("vote_id", "owner_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(sa.ForeignKey("vote.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))  # whose voting right
    proxy_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    reference: Mapped[str] = mapped_column(sa.String(100))  # the written authorisation's number
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    owner = relationship("Person", foreign_keys=[owner_id])
    proxy = relationship("Person", foreign_keys=[proxy_id])


class PaperEntry(db.Model):
    """One staff member's entry of a paper ballot; two matching entries by different staff make it count."""

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(sa.ForeignKey("vote.id", ondelete="CASCADE"), index=True)
    right_id: Mapped[int] = mapped_column(sa.ForeignKey("voting_right.id", ondelete="CASCADE"), index=True)
    entered_by_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answers: Mapped[str] = mapped_column(sa.Text, default="{}")
    selected: Mapped[str] = mapped_column(sa.Text, default="[]")
    options: Mapped[str] = mapped_column(sa.Text, default="[]")
    encrypted: Mapped[str | None] = mapped_column(sa.Text)  # secret votes: the choices, until counted or voided
    state: Mapped[str] = mapped_column(sa.String(10), default="pending")  # pending, counted, mismatch, void

    right = relationship("VotingRight")
    entered_by = relationship("Person")


class PaperEnvelope(db.Model):
    """信封登记: the envelope of a secret vote's paper ballot came in for this right (who took part, not what they
    chose: the sheet inside carries no unit and is entered apart, by its sheet code)."""

    __table_args__ = (sa.UniqueConstraint("vote_id", "right_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(sa.ForeignKey("vote.id", ondelete="CASCADE"), index=True)
    right_id: Mapped[int] = mapped_column(sa.ForeignKey("voting_right.id", ondelete="CASCADE"))
    received_by_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    right = relationship("VotingRight")
    received_by = relationship("Person")


class Conflict(db.Model):
    """An attempt to use a voting right already used (listed for the supervisor)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(sa.ForeignKey("vote.id", ondelete="CASCADE"), index=True)
    right_id: Mapped[int] = mapped_column(sa.ForeignKey("voting_right.id", ondelete="CASCADE"))
    attempted: Mapped[BallotChannel] = mapped_column(enum_column(BallotChannel, length=10))
    existing: Mapped[BallotChannel | None] = mapped_column(enum_column(BallotChannel, length=10))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(sa.Text, default="")

    right = relationship("VotingRight")
