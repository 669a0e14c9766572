"""The demo data: what `make run` shows on a fresh machine must keep working."""

from __future__ import annotations

import sqlalchemy as sa

from portal import demo
from portal.compounds import services
from portal.compounds.models import Compound
from portal.voting.models import Vote, VoteKind, VoteStatus
from portal.voting.verify import verify


def test_demo_builds_two_compounds_votes_and_logins(app, database, client):
    demo.create()
    database.session.commit()
    lvyuan = database.session.scalar(sa.select(Compound).filter_by(slug="lvyuan"))
    guihua = database.session.scalar(sa.select(Compound).filter_by(slug="guihua"))
    big, small = services.totals(lvyuan), services.totals(guihua)
    assert big.units == 300 and small.units == 40
    assert big.heads < big.units  # the developer's block and owners of several units are one head each
    votes = {v.title: v for v in database.session.scalars(sa.select(Vote))}
    finished = next(v for v in votes.values() if v.status == VoteStatus.final)
    assert verify(finished).ok
    assert {v.kind for v in votes.values()} == {VoteKind.resolution, VoteKind.poll, VoteKind.election}
    for account, *_ in demo.LOGINS:
        response = client.post("/login", data={"login": account, "password": demo.DEMO_PASSWORD})
        assert response.status_code == 303, account
        client.post("/logout")
