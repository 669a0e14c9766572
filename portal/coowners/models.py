"""Who votes for a co-owned unit: a proposal (提议) and the co-owners' confirmations of it (确认)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import UTCDateTime, enum_column, utcnow
from portal.extensions import db


class ProposalState(enum.StrEnum):
    """open (waiting for the other co-owners) → done (all confirmed, or staff recorded it: the voter switched) |
    withdrawn (by its proposer) | declined (by another co-owner) | replaced (by a newer proposal or a staff record)."""

    open = "open"
    done = "done"
    withdrawn = "withdrawn"
    declined = "declined"
    replaced = "replaced"


class VoterProposal(db.Model):
    """One proposal of who votes for a unit. `reference` set: staff recorded it from the signed paper form (it is
    done at once and has no confirmations). At most one open proposal per unit."""

    __table_args__ = (
        sa.Index(
            "uq_voter_proposal_open_unit",
            "unit_id",
            unique=True,
            sqlite_where=sa.text("state = 'open'"),
            postgresql_where=sa.text("state = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    nominee_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    proposer_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    on_paper: Mapped[bool] = mapped_column(default=False)  # recorded by staff from the paper form
    reference: Mapped[str | None] = mapped_column(sa.String(60))  # the paper form's number, if it has one
    state: Mapped[ProposalState] = mapped_column(enum_column(ProposalState, 12), default=ProposalState.open)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))

    nominee = relationship("Person", foreign_keys=[nominee_id])
    proposer = relationship("Person", foreign_keys=[proposer_id])
    closed_by = relationship("Person", foreign_keys=[closed_by_id])
    confirmations: Mapped[list[VoterConfirmation]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="VoterConfirmation.id"
    )


class VoterConfirmation(db.Model):
    """A co-owner confirmed a proposal (once)."""

    __table_args__ = (sa.UniqueConstraint("proposal_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("voter_proposal.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    proposal: Mapped[VoterProposal] = relationship(back_populates="confirmations")
