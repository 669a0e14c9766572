"""Co-owner fixtures: 绿园小区 with a unit of two owners (李四 votes), a unit of three (王五 votes), a unit of one, a
neighbour, community staff, and an owner of another compound; a builder for a resolution vote."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from portal.extensions import db


@pytest.fixture
def home(make, database):
    """绿园小区 and its people (see the module's docstring)."""
    community = make.community("阳光社区")
    compound = make.compound("lvyuan", "绿园小区", community)
    other = make.compound("guihua", "桂花苑", community)
    people = {name: make.person(name) for name in ("张三", "李四", "王五", "赵六", "孙七", "周八", "邻居吴", "外人郑")}
    for person in people.values():
        make.member(person, other if person.name == "外人郑" else compound, "owner")
    pair = make.unit(
        compound, "1201", building="3栋", entrance="2单元", owners=[people["张三"], people["李四"]], voter=1
    )
    trio = make.unit(
        compound, "1202", building="3栋", entrance="2单元", owners=[people["王五"], people["赵六"], people["孙七"]]
    )
    single = make.unit(compound, "1203", building="3栋", entrance="2单元", owners=[people["周八"]])
    neighbour = make.unit(compound, "1204", building="3栋", entrance="2单元", owners=[people["邻居吴"]])
    elsewhere = make.unit(other, "101", owners=[people["外人郑"]])
    staff = make.person("社区工作人员")
    make.staff(staff, community)
    return SimpleNamespace(
        community=community,
        compound=compound,
        other=other,
        pair=pair,
        trio=trio,
        single=single,
        neighbour=neighbour,
        elsewhere=elsewhere,
        staff=staff,
        **{key: people[name] for key, name in (
            ("a", "张三"), ("b", "李四"), ("c", "王五"), ("d", "赵六"), ("e", "孙七"), ("solo", "周八"),
            ("next_door", "邻居吴"), ("outsider", "外人郑"),
        )},
    )  # fmt: skip


@pytest.fixture
def ctx(app, database):
    """A request context, for services that link to pages (notifications)."""
    with app.test_request_context():
        yield


@pytest.fixture
def open_vote(home):
    """open_vote(): a named resolution vote of 绿园小区, announced and opened now (its electorate frozen)."""
    from portal.db import utcnow
    from portal.voting import lifecycle, services
    from portal.voting.models import Secrecy, VoteKind, VoteStatus

    def _open(status=VoteStatus.open):
        now = utcnow()
        settings = services.Settings(
            kind=VoteKind.resolution,
            title="续聘物业",
            description="",
            secrecy=Secrecy.named,
            opens_at=now - timedelta(minutes=5),
            closes_at=now + timedelta(days=7),
            objection_days=7,
        )
        vote = services.create_vote(home.compound, settings, home.staff)
        services.add_item(vote, "续聘物业", "", "property_manager", home.staff)
        lifecycle.transition(vote, VoteStatus.announced, home.staff, reason="测试")
        if status == VoteStatus.open:
            lifecycle.transition(vote, VoteStatus.open, home.staff)
        db.session.commit()
        return vote

    return _open


def voters(unit) -> list[str]:
    """The names of the unit's designated voters (always exactly one)."""
    from portal.accounts.models import Person
    from portal.register.models import Ownership

    return list(
        db.session.scalars(
            db.select(Person.name)
            .join(Ownership, Ownership.person_id == Person.id)
            .where(Ownership.unit_id == unit.id, Ownership.is_designated_voter.is_(True))
        )
    )
