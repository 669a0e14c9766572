"""The demo board: organisations with members, pledges in every state (one overdue), a progress photo, ratings."""

from __future__ import annotations

import sqlalchemy as sa

from portal.boards import board, demo
from portal.boards.models import Commitment, CommitmentStatus, Organisation, Photo, Rating
from portal.extensions import db


def test_the_demo_board_has_every_state(yard, make, upload_dir):
    secretary = make.person("秘书")
    make.member(secretary, yard.compound, "committee", "secretary")
    people = {"staff": yard.staff, "chair": yard.chair, "secretary": secretary, "manager": yard.manager,
              "owner": yard.owner, "resident": yard.resident, "volunteer": yard.volunteer}  # fmt: skip
    existing = set(db.session.scalars(sa.select(Organisation.id)))
    demo.seed(yard.compound, people)
    made = db.session.scalars(sa.select(Organisation).where(Organisation.id.not_in(existing))).all()
    assert len(made) == 5 and all(o.members for o in made)
    statuses = [c.status for c in db.session.scalars(sa.select(Commitment))]
    assert len(statuses) == 8
    assert {CommitmentStatus.in_progress, CommitmentStatus.fulfilled, CommitmentStatus.withdrawn} <= set(statuses)
    summary = board.home_summary(yard.compound)
    assert summary["overdue_count"] == 1 and summary["fulfilled"] and summary["due_soon"]
    assert db.session.scalar(sa.select(sa.func.count(Photo.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(Rating.id))) >= 6
    late = [c for c in board.board(yard.compound, board.Filters(status="fulfilled")).cards if c.late]
    assert len(late) == 1
