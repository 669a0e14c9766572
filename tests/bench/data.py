"""Benchmark data: a fresh migrated database, a compound of owners who log in over HTTP, and a 20,000-unit compound.

The small compound is built through the models; the big one with bulk INSERTs (executemany), and its ballots are
written straight into the box's tables the way `box.cast` stores them, so that building it takes seconds.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa

from portal.db import utcnow
from portal.extensions import db
from portal.voting import box, lifecycle
from portal.voting.models import (
    Ballot,
    BallotChannel,
    Matter,
    Participation,
    Secrecy,
    Vote,
    VoteItem,
    VoteKind,
    VoteStatus,
    VotingRight,
)

PASSWORD = "bench horse battery staple"  # every bench owner's password (a throwaway database)
ANSWERS = ("yes", "no", "abstain")


def reset_database(url: str) -> None:
    """Start empty: SQLite gets a new file; PostgreSQL's database is created if missing and its schema emptied."""
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    target = sa.engine.make_url(url)
    server = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database})
        if not exists:
            conn.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
    server.dispose()
    engine = sa.create_engine(target)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


def migrate() -> None:
    """Build the schema with every migration, plus the probe's table (inside an app context)."""
    from flask_migrate import upgrade

    from tests.bench.app_with_probe import create_probe_table

    upgrade()
    create_probe_table(db.engine)


def _community_and_compound(slug: str, name: str):
    from portal.compounds.models import Community, Compound

    community = Community(name=f"{name}社区")
    compound = Compound(slug=slug, name=name, community=community)
    db.session.add_all([community, compound])
    db.session.flush()
    return community, compound


def _staff(community, account_no: str, password_hash: str | None):
    from portal.accounts.models import Person
    from portal.roles.models import CommunityStaff

    staff = Person(name="社区工作人员", account_no=account_no, password_hash=password_hash)
    db.session.add(staff)
    db.session.flush()
    db.session.add(CommunityStaff(person_id=staff.id, community_id=community.id))
    return staff


def owners_compound(owners: int, seed: int = 1) -> SimpleNamespace:
    """A compound "bench" of single-unit owners who can log in (account b-0001… and PASSWORD); commits."""
    from portal.accounts.models import Person
    from portal.compounds.models import AreaSource, Building, Entrance, Unit
    from portal.register.models import Ownership
    from portal.roles.models import Membership, Role
    from portal.security import hash_password

    pick = random.Random(seed)
    password_hash = hash_password(PASSWORD)  # one scrypt hash for all: hashing is slow on purpose
    community, compound = _community_and_compound("bench", "基准小区")
    staff = _staff(community, "b-staff", password_hash)
    accounts = []
    places: dict[str, tuple[int, int]] = {}  # building name → (building id, entrance id)
    for n in range(1, owners + 1):
        building = f"{(n - 1) // 100 + 1}栋"
        room = f"{(n - 1) % 100 // 4 + 1}{(n - 1) % 4 + 1:02d}"
        if building not in places:
            b = Building(compound_id=compound.id, name=building)
            e = Entrance(building=b, name="1单元")
            db.session.add_all([b, e])
            db.session.flush()
            places[building] = (b.id, e.id)
        person = Person(name=f"业主{n}", account_no=f"b-{n:04d}", password_hash=password_hash)
        unit = Unit(
            compound_id=compound.id,
            building_id=places[building][0],
            entrance_id=places[building][1],
            room=room,
            unit_key=f"{building}|1单元|{room}",
            area_m2=Decimal(pick.randint(4500, 18000)) / 100,
            area_source=AreaSource.registered,
        )
        db.session.add_all([person, unit])
        db.session.flush()
        db.session.add(Ownership(unit_id=unit.id, person_id=person.id, is_designated_voter=True))
        db.session.add(Membership(person_id=person.id, compound_id=compound.id, role=Role.owner))
        accounts.append(person.account_no)
    db.session.commit()
    return SimpleNamespace(slug=compound.slug, compound_id=compound.id, staff_id=staff.id, accounts=accounts)


def open_resolution(
    compound_id: int, staff_id: int, title: str, secrecy: str = "named", building: str | None = None
) -> int:
    """A two-item resolution (one ordinary, one major) taken through the real lifecycle to open; commits.

    `building`: the vote is of that building's owners alone (表决范围), e.g. "3栋"."""
    from portal.accounts.models import Person
    from portal.compounds.models import Building, Compound
    from portal.voting.models import VoteScope

    staff = db.session.get(Person, staff_id)
    now = utcnow()
    vote = Vote(
        compound=db.session.get(Compound, compound_id),
        kind=VoteKind.resolution,
        title=title,
        secrecy=Secrecy(secrecy),
        opens_at=now + timedelta(days=20),
        closes_at=now + timedelta(days=27),
        created_by_id=staff.id,
    )
    vote.items = [
        VoteItem(position=1, title="关于续聘物业服务企业的议案", matter=Matter.ordinary),
        VoteItem(position=2, title="关于使用专项维修资金更换电梯的议案", matter=Matter.major),
    ]
    if building is not None:
        place = db.session.scalar(sa.select(Building.id).filter_by(compound_id=compound_id, name=building))
        vote.scope = [VoteScope(building_id=place)]
    db.session.add(vote)
    db.session.flush()
    lifecycle.transition(vote, VoteStatus.announced, staff, reason="基准测试")
    vote.opens_at = utcnow() - timedelta(minutes=1)
    lifecycle.transition(vote, VoteStatus.open, staff)
    db.session.commit()
    return vote.id


def _insert_returning_ids(model, rows: list[dict]) -> list[int]:
    """Bulk INSERT (executemany / insertmanyvalues) returning the new ids in the order of `rows`."""
    statement = sa.insert(model).returning(model.id, sort_by_parameter_order=True)
    return list(db.session.scalars(statement, rows))


def big_compound(units: int = 20_000, developer_units: int = 600, pairs: int = 400, seed: int = 7) -> SimpleNamespace:
    """A compound of `units` units (50 buildings × 4 entrances × 100 rooms): the developer holds `developer_units`,
    `pairs` buyers hold two units each, every other unit has its own owner. Bulk inserts; commits."""
    from portal.accounts.models import Person
    from portal.compounds.models import AreaSource, Building, Entrance, Unit
    from portal.register.models import Ownership

    pick = random.Random(seed)
    community, compound = _community_and_compound("big", "大型小区")
    staff = _staff(community, "big-staff", None)
    per_entrance = 100
    entrances_per_building = 4
    buildings = -(-units // (per_entrance * entrances_per_building))
    building_ids = _insert_returning_ids(
        Building, [{"compound_id": compound.id, "name": f"{b}栋"} for b in range(1, buildings + 1)]
    )
    entrance_rows = [
        {"building_id": bid, "name": f"{e}单元"} for bid in building_ids for e in range(1, entrances_per_building + 1)
    ]
    entrance_ids = _insert_returning_ids(Entrance, entrance_rows)
    unit_rows = []
    for n in range(units):
        e_index, slot = divmod(n, per_entrance)
        room = f"{slot // 4 + 1}{slot % 4 + 1:02d}"
        b_name = f"{e_index // entrances_per_building + 1}栋"
        e_name = entrance_rows[e_index]["name"]
        unit_rows.append(
            {
                "compound_id": compound.id,
                "building_id": building_ids[e_index // entrances_per_building],
                "entrance_id": entrance_ids[e_index],
                "room": room,
                "unit_key": f"{b_name}|{e_name}|{room}",
                "area_m2": Decimal(pick.randint(3500, 25000)) / 100,
                "area_source": AreaSource.registered,
            }
        )
    unit_ids = _insert_returning_ids(Unit, unit_rows)
    singles = units - developer_units - 2 * pairs
    people = [{"name": "开发建设单位", "account_no": "big-dev", "is_developer": True}]
    people += [
        {"name": f"业主{n}", "account_no": f"big-{n:05d}", "is_developer": False} for n in range(pairs + singles)
    ]
    person_ids = _insert_returning_ids(Person, people)
    order = unit_ids[:]
    pick.shuffle(order)
    owners = [person_ids[0]] * developer_units
    owners += [pid for pid in person_ids[1 : pairs + 1] for _ in (0, 1)]
    owners += person_ids[pairs + 1 :]
    db.session.execute(
        sa.insert(Ownership),
        [{"unit_id": u, "person_id": p, "is_designated_voter": True} for u, p in zip(order, owners, strict=True)],
    )
    db.session.commit()
    return SimpleNamespace(compound_id=compound.id, staff_id=staff.id, heads=len(person_ids), units=units)


def bulk_ballots(vote_id: int, count: int, seed: int = 11) -> int:
    """Cast `count` online ballots for randomly chosen rights, stored exactly as `box.cast` stores them; commits.

    Answers lean towards yes so that the ordinary item passes and the major item is close to its threshold."""
    pick = random.Random(seed)
    vote = db.session.get(Vote, vote_id)
    rights = db.session.execute(
        sa.select(VotingRight.id, VotingRight.area_m2).where(VotingRight.vote_id == vote_id)
    ).all()
    chosen = pick.sample(rights, count)
    now = utcnow()
    participations, ballots = [], []
    for right_id, area in chosen:
        answers = {item.key: pick.choices((*ANSWERS, None), weights=(70, 15, 10, 5))[0] for item in vote.items}
        participations.append({"vote_id": vote_id, "right_id": right_id, "channel": BallotChannel.online, "at": now})
        right = SimpleNamespace(id=right_id, area_m2=area)
        # the ballot box's own row: a named ballot with its right and weight, a secret one encrypted
        choices = box.Choices(answers)
        ballots.append(box._ballot_row(vote, right, choices, box.new_receipt(), BallotChannel.online, None))
    db.session.execute(sa.insert(Participation), participations)
    db.session.execute(sa.insert(Ballot), ballots)
    db.session.commit()
    return count
