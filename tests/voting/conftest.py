"""Voting fixtures: a compound with a small register, and builders for votes in any state."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from portal.compounds.models import Building, Entrance
from portal.db import utcnow
from portal.extensions import db
from portal.voting import lifecycle
from portal.voting.models import Matter, PollOption, Secrecy, Vote, VoteItem, VoteKind, VoteScope, VoteStatus


@pytest.fixture
def estate(make, database):
    """A compound: a buyer of three units, a developer block of two, a co-owned unit, two single owners,
    a resident, a committee chair and a staff member of its community."""
    community = make.community("阳光社区")
    compound = make.compound("lvyuan", "绿园小区", community)
    people = SimpleNamespace(
        buyer=make.person("三套业主"),
        developer=make.person("开发商", is_developer=True),
        husband=make.person("丈夫"),
        wife=make.person("妻子"),
        one=make.person("单套业主甲"),
        two=make.person("单套业主乙"),
        resident=make.person("租户"),
        chair=make.person("主任"),
        staff=make.person("社区工作人员"),
    )
    for room, area in (("101", "100.00"), ("102", "50.50"), ("103", "49.50")):
        make.unit(compound, room, area, owners=[people.buyer])
    for room in ("901", "902"):
        make.unit(compound, room, "120.00", building="9栋", owners=[people.developer])
    make.unit(compound, "201", "88.88", owners=[people.husband, people.wife], voter=1)
    make.unit(compound, "301", "70.00", owners=[people.one])
    make.unit(compound, "302", "71.12", owners=[people.two])
    for person in (people.buyer, people.developer, people.husband, people.wife, people.one, people.two):
        make.member(person, compound)
    make.member(people.resident, compound, "resident")
    make.member(people.chair, compound, "committee", "chair")
    make.staff(people.staff, community)
    return SimpleNamespace(compound=compound, community=community, people=people)


@pytest.fixture
def crowd(estate, make):
    """Twelve more owners, each with one unit of an area no other unit has (17 rights with the estate's five): a change
    of the turnout by one voter's area would name that voter (the secrecy tests of the turnout)."""
    people = []
    for n in range(12):
        person = make.person(f"业主{n:02d}")
        make.unit(
            estate.compound, f"5{n:02d}", f"{61 + 7 * n}.{(13 * n + 7) % 100:02d}", building="5栋", owners=[person]
        )
        make.member(person, estate.compound)
        people.append(person)
    return people


@pytest.fixture
def make_vote(estate):
    """Build a vote and bring it to a status through the real lifecycle."""

    def _make(
        kind="resolution",
        status="open",
        secrecy="named",
        matters=("ordinary", "major"),
        options=("方案一", "方案二"),
        allow_change=False,
        opens_in=timedelta(days=20),
        seats=None,
        scope=(),
    ):
        """`scope`: the places whose owners decide, as (building name, entrance name or None); () the compound."""
        now = utcnow()
        vote = Vote(
            compound_id=estate.compound.id,
            kind=VoteKind(kind),
            title="关于更换物业公司的表决",
            secrecy=Secrecy(secrecy),
            opens_at=now + opens_in,
            closes_at=now + opens_in + timedelta(days=7),
            allow_change=allow_change,
            seats=seats,
            created_by_id=estate.people.staff.id,
        )
        vote.compound = estate.compound
        db.session.add(vote)
        db.session.flush()
        if kind == "resolution":
            for position, matter in enumerate(matters, start=1):
                vote.items.append(VoteItem(position=position, title=f"事项{position}", matter=Matter(matter)))
        if kind == "poll":
            for position, label in enumerate(options, start=1):
                vote.options.append(PollOption(position=position, label=label))
        for building, entrance in scope:
            b = db.session.scalar(sa.select(Building).filter_by(compound_id=estate.compound.id, name=building))
            e = db.session.scalar(sa.select(Entrance).filter_by(building_id=b.id, name=entrance)) if entrance else None
            vote.scope.append(VoteScope(building_id=b.id, entrance_id=e.id if e else None))
        db.session.flush()
        target = VoteStatus(status)
        path = [VoteStatus.announced, VoteStatus.open, VoteStatus.closed, VoteStatus.preliminary, VoteStatus.final]
        for step in path:
            if VoteStatus.draft == target:
                break
            if step == VoteStatus.open:
                # the window starts now so that ballots are accepted
                vote.opens_at = utcnow() - timedelta(minutes=1)
            lifecycle.transition(vote, step, estate.people.staff, reason="测试")
            if step == target:
                break
        db.session.commit()
        return vote

    return _make
