"""Staff queries and changes: people of a compound with their roles and code states; invitations."""

from __future__ import annotations

from dataclasses import dataclass, field

from portal import audit
from portal.accounts.models import ActivationCode, CodeState, Person
from portal.accounts.services import IssuedCode, issue_code, new_account_no
from portal.compounds.models import Compound, Unit
from portal.db import utcnow
from portal.extensions import db
from portal.register.models import Ownership
from portal.roles import services as roles
from portal.roles.models import Membership, Role


@dataclass
class PersonRow:
    """A person as the staff pages list them."""

    person: Person
    roles: dict = field(default_factory=dict)  # Role → Membership
    rooms: list[str] = field(default_factory=list)
    code_state: CodeState = CodeState.none


def people(compound: Compound, query: str = "", role: str = "", code_state: str = "") -> list[PersonRow]:
    """Everyone with a role in the compound, filtered by name/room/account text, role and code state."""
    members = db.session.execute(
        db.select(Membership, Person)
        .join(Person, Person.id == Membership.person_id)
        .where(Membership.compound_id == compound.id)
    ).all()
    rows: dict[int, PersonRow] = {}
    for membership, person in members:
        rows.setdefault(person.id, PersonRow(person)).roles[membership.role] = membership
    if not rows:
        return []
    for person_id, unit in db.session.execute(
        db.select(Ownership.person_id, Unit)
        .join(Unit, Unit.id == Ownership.unit_id)
        .where(Unit.compound_id == compound.id, Ownership.person_id.in_(rows))
        .options(db.joinedload(Unit.building), db.joinedload(Unit.entrance))
    ).all():
        rows[person_id].rooms.append(unit.label)
    now = utcnow()
    latest: dict[int, ActivationCode] = {}
    for code in db.session.scalars(
        db.select(ActivationCode)
        .where(ActivationCode.compound_id == compound.id, ActivationCode.person_id.in_(rows))
        .order_by(ActivationCode.created_at, ActivationCode.id)
    ):
        latest[code.person_id] = code
    for person_id, row in rows.items():
        if row.person.password_hash:
            row.code_state = CodeState.active
        elif person_id in latest:
            row.code_state = latest[person_id].state(now)
    result = sorted(rows.values(), key=lambda r: (r.rooms[0] if r.rooms else "~", r.person.name))
    if query:
        q = query.strip().lower()
        result = [
            r
            for r in result
            if q in r.person.name.lower() or q in r.person.account_no or any(q in room.lower() for room in r.rooms)
        ]
    if role:
        result = [r for r in result if role in r.roles]
    if code_state:
        result = [r for r in result if r.code_state == code_state]
    return result


def person_in(compound: Compound, person_id: int) -> Person | None:
    """The person if they hold a role in the compound, else None (staff act only on their compound's people)."""
    return db.session.scalar(
        db.select(Person)
        .join(Membership, Membership.person_id == Person.id)
        .where(Person.id == person_id, Membership.compound_id == compound.id)
        .limit(1)
    )


def invite(compound: Compound, name: str, phone: str | None, role: Role, actor) -> IssuedCode:
    """Create a person outside the register (a resident, a manager...) with a role and an activation code."""
    person = Person(name=name, phone=phone or None, account_no=new_account_no())
    db.session.add(person)
    db.session.flush()
    roles.grant(person, compound, role, actor)
    audit.record("person.invited", actor, compound, person_id=person.id, role=role.value)
    return issue_code(person, compound, actor)


def issue_letters(compound: Compound, person_ids: list[int], actor) -> list[IssuedCode]:
    """Issue a fresh code to each chosen person who has not activated yet (earlier codes are revoked)."""
    issued = []
    for person_id in person_ids:
        person = person_in(compound, person_id)
        if person is not None and not person.password_hash:
            issued.append(issue_code(person, compound, actor))
    return issued
