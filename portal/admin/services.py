"""The administrator's changes: communities, community staff and administrators. Services flush, never commit."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from portal import audit
from portal.accounts.models import Person
from portal.accounts.services import find_login, new_account_no
from portal.compounds.models import Community, Compound
from portal.extensions import db
from portal.roles import services as roles
from portal.roles.models import CommunityStaff
from portal.security import hash_password, new_code


@dataclass
class CommunityRow:
    """A community as the administrator's list shows it."""

    community: Community
    compounds: int = 0
    staff: list[Person] = field(default_factory=list)


def overview() -> list[CommunityRow]:
    """Every community with its number of compounds and its staff, by name (three queries, whatever the count)."""
    rows = {c.id: CommunityRow(c) for c in db.session.scalars(db.select(Community).order_by(Community.name))}
    counts = db.session.execute(
        db.select(Compound.community_id, db.func.count(Compound.id)).group_by(Compound.community_id)
    )
    for community_id, count in counts:
        rows[community_id].compounds = count
    for community_id, person in db.session.execute(
        db.select(CommunityStaff.community_id, Person)
        .join(Person, Person.id == CommunityStaff.person_id)
        .order_by(Person.name, Person.id)
    ):
        rows[community_id].staff.append(person)
    return list(rows.values())


def staff_of(community: Community) -> list[Person]:
    """The community's staff, by name."""
    return list(
        db.session.scalars(
            db.select(Person)
            .join(CommunityStaff, CommunityStaff.person_id == Person.id)
            .where(CommunityStaff.community_id == community.id)
            .order_by(Person.name, Person.id)
        )
    )


def community_name_taken(name: str) -> bool:
    """True if a community already has this name."""
    return db.session.scalar(db.select(Community.id).where(Community.name == name)) is not None


def create_community(name: str, actor) -> Community:
    """Create a community (社区); the caller's form has checked that the name is free."""
    community = Community(name=name)
    db.session.add(community)
    db.session.flush()
    audit.record("community.created", actor, None, community_id=community.id, name=name)
    return community


def find_person(typed: str) -> Person | None:
    """The person with this account number or phone, the phone as people type it (spaces and dashes allowed)."""
    return find_login(typed) or find_login(re.sub(r"[\s-]", "", typed))


def create_staff(community: Community, name: str, account_no: str | None, actor) -> tuple[Person, str]:
    """A new person who works for the community, with an initial password returned once (stored only hashed).

    The password is drawn like an activation code (60 bits, nothing to misread on paper): the person changes it
    on their account page after logging in.
    """
    password = new_code()
    person = Person(name=name, account_no=account_no or new_account_no(), password_hash=hash_password(password))
    db.session.add(person)
    db.session.flush()
    audit.record("person.created", actor, None, person_id=person.id, community_id=community.id)
    roles.add_staff(person, community, actor)
    return person, password


def create_admin(account_no: str, name: str, password: str) -> Person:
    """A platform administrator (平台管理员) who can log in at once; the caller has checked the password."""
    person = Person(name=name, account_no=account_no, password_hash=hash_password(password), is_platform_admin=True)
    db.session.add(person)
    db.session.flush()
    audit.record("admin.created", None, None, person_id=person.id, account_no=account_no)
    return person
