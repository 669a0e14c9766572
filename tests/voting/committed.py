"""Committed worlds for the tests that need real concurrent transactions (test_concurrency, test_close_race): a
compound of single-unit owners with distinct areas, and a resolution walked through the real lifecycle to open.
Callers run these inside an app context of their own schema or file and clean up themselves."""

from __future__ import annotations

from decimal import Decimal

from portal.extensions import db

SLUG = "binfa"
OWNERS = 200


def build_compound(password_hash: str) -> dict:
    """Owners 1..200, each with one unit of a different area (so a lost area would show), and a staff member."""
    from portal.accounts.models import Person
    from portal.compounds.models import AreaSource, Building, Community, Compound, Entrance, Unit
    from portal.register.models import Ownership
    from portal.roles.models import CommunityStaff, Membership, Role

    community = Community(name="并发社区")
    compound = Compound(slug=SLUG, name="并发小区", community=community)
    staff = Person(name="工作人员", account_no="c-staff", password_hash=password_hash)
    building = Building(compound=compound, name="1栋")
    entrance = Entrance(building=building, name="1单元")
    db.session.add_all([community, compound, staff, building, entrance])
    db.session.flush()
    db.session.add(CommunityStaff(person_id=staff.id, community_id=community.id))
    owners = []
    for n in range(1, OWNERS + 1):
        person = Person(name=f"业主{n}", account_no=f"c-{n:04d}", password_hash=password_hash)
        room = f"{100 + n}"
        unit = Unit(
            compound_id=compound.id,
            building_id=building.id,
            entrance_id=entrance.id,
            room=room,
            unit_key=f"1栋|1单元|{room}",
            area_m2=Decimal("50.00") + Decimal(n * 37 % 9000) / 100,
            area_source=AreaSource.registered,
        )
        db.session.add_all([person, unit])
        db.session.flush()
        db.session.add(Ownership(unit_id=unit.id, person_id=person.id, is_designated_voter=True))
        db.session.add(Membership(person_id=person.id, compound_id=compound.id, role=Role.owner))
        owners.append(person.id)
    db.session.commit()
    return {"compound_id": compound.id, "staff_id": staff.id, "owner_ids": owners}


def open_vote(world, secrecy: str) -> int:
    """A two-item resolution (ordinary + major) walked through the real lifecycle to open, as the benchmark opens
    one; committed; returns its id."""
    from tests.bench import data

    with world.app.app_context():
        vote_id = data.open_resolution(world.compound_id, world.staff_id, "并发测试表决", secrecy)
        db.session.remove()
    return vote_id


def item_ids(world, vote_id: int) -> list[int]:
    """The vote's item ids, read in the world's own app."""
    from portal.voting.models import Vote

    with world.app.app_context():
        ids = [item.id for item in db.session.get(Vote, vote_id).items]
        db.session.remove()
    return ids


def confirm(items: list[int], answer: str) -> dict[str, str]:
    """The reviewed ballot as submitted: every item answered `answer`, in the fixed-length answer codes."""
    from portal.voting import ballot_form

    return {"step": "confirm", **{f"item_{i}": ballot_form.CODES[answer] for i in items}}
