"""Staff queries and changes: people of a compound with their roles and code states; invitations; letters.

The people page is filtered and paged in SQL (issue 13): a compound may hold thousands of people, and the page shows
PAGE_SIZE of them with a fixed number of statements, whatever the compound's size.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from portal import audit
from portal.accounts.models import ActivationCode, CodeState, Person
from portal.accounts.services import IssuedCode, issue_code, new_account_no
from portal.compounds.models import Building, Compound, Entrance, Unit
from portal.db import utcnow
from portal.extensions import db
from portal.register.models import Ownership
from portal.roles import services as roles
from portal.roles.models import Membership, Role

PAGE_SIZE = 50
# A room as staff type it: 3-2-501, 3栋2单元501, 3栋 2单元 501室, 3-501 (building, optional entrance, room).
ROOM_QUERY = re.compile(
    r"^(\d+)\s*(?:栋|幢|座|号楼|-|－|—|\s)\s*(?:(\d+)\s*(?:单元|-|－|—|\s)\s*)?([0-9A-Za-z]+)\s*(?:室|号)?$"
)
LEADING_NUMBER = re.compile(r"\D*?0*(\d+)")
MAX_ID = 2**63 - 1  # beyond any id: a longer number is never one, and never reaches the database


@dataclass
class PersonRow:
    """A person as the staff pages list them (`person` has id, name, account_no and is_developer)."""

    person: object
    roles: dict = field(default_factory=dict)  # Role → Membership
    rooms: list[str] = field(default_factory=list)
    code_state: CodeState = CodeState.none


@dataclass
class PeoplePage:
    """One page of the people list: its rows, how many people match in all, and where the page stands."""

    rows: list[PersonRow]
    total: int
    page: int
    pages: int


@dataclass
class Place:
    """A building of the compound with its entrances, for the filter and for reading typed rooms."""

    id: int
    name: str
    entrances: dict[int, str] = field(default_factory=dict)  # entrance id → name


def places(compound: Compound) -> list[Place]:
    """The compound's buildings (with their entrances) in number order: 2栋 before 10栋."""
    found: dict[int, Place] = {}
    for building_id, name, entrance_id, entrance in db.session.execute(
        db.select(Building.id, Building.name, Entrance.id, Entrance.name)
        .outerjoin(Entrance, Entrance.building_id == Building.id)
        .where(Building.compound_id == compound.id)
    ):
        place = found.setdefault(building_id, Place(building_id, name))
        if entrance_id is not None:
            place.entrances[entrance_id] = entrance
    return sorted(found.values(), key=lambda p: (_number(p.name) or 0, p.name))


def _number(name: str) -> int | None:
    match = LEADING_NUMBER.match(name)
    return int(match.group(1)) if match else None


def _by_person(column):
    """`column` kept out of index choice (column + 0): in per-person subqueries and lookups, SQLite would otherwise read
    the compound's index (every unit or code of the compound, for each person) instead of the person's own rows."""
    return column + 0


def _owns(compound: Compound, *conditions):
    """The person owns a unit of the compound that meets `conditions` (the owners are found once, not per person)."""
    return Person.id.in_(
        sa.select(Ownership.person_id)
        .join(Unit, Unit.id == Ownership.unit_id)
        .where(Unit.compound_id == compound.id, *conditions)
    )


def _search(compound: Compound, query: str, buildings: list[Place]):
    """Who `query` finds: part of a name, the whole account number, the phone's last digits (4 or more), or a room
    (501, 3-2-501, 3栋2单元501)."""
    found = [Person.name.icontains(query, autoescape=True), sa.func.lower(Person.account_no) == query.lower()]
    if query.isdigit() and len(query) >= 4:
        found += [Person.phone.endswith(query, autoescape=True), Person.login_phone.endswith(query, autoescape=True)]
    room = ROOM_QUERY.match(query)
    if room:
        b, e, r = room.groups()
        building_ids = [p.id for p in buildings if _number(p.name) == int(b)]
        conditions = [Unit.building_id.in_(building_ids), Unit.room == r]
        if e is not None:
            entrance_ids = [i for p in buildings for i, name in p.entrances.items() if _number(name) == int(e)]
            conditions.append(Unit.entrance_id.in_(entrance_ids))
        if building_ids:
            found.append(_owns(compound, *conditions))
    elif len(query) <= 20:
        found.append(_owns(compound, Unit.room == query))
    return sa.or_(*found)


def _code_state(compound: Compound):
    """The code-state column (CodeState values): active once a password is set, else the state of the person's
    latest code in this compound, else none. One scalar subquery per person, on the person's own codes (a join on
    "the latest code" made PostgreSQL pair every person with every code)."""
    latest = (
        sa.select(
            sa.case(
                (ActivationCode.used_at.is_not(None), CodeState.used.value),
                (ActivationCode.revoked_at.is_not(None), CodeState.revoked.value),
                (ActivationCode.expires_at <= utcnow(), CodeState.expired.value),
                else_=CodeState.valid.value,
            )
        )
        .where(ActivationCode.person_id == Person.id, _by_person(ActivationCode.compound_id) == compound.id)
        .order_by(ActivationCode.created_at.desc(), ActivationCode.id.desc())
        .limit(1)
        .correlate(Person)
        .scalar_subquery()
    )
    return sa.case(
        (Person.password_hash.is_not(None), CodeState.active.value),
        else_=sa.func.coalesce(latest, CodeState.none.value),
    )


def _people_query(
    compound: Compound,
    columns,
    query: str = "",
    building: int | None = None,
    role: str = "",
    state: str = "",
    buildings: list[Place] | None = None,
):
    """SELECT `columns` (which may use the code state) of the compound's people who match the filters."""
    code_state = _code_state(compound)
    members = sa.select(Membership.person_id).where(Membership.compound_id == compound.id)
    statement = sa.select(*columns(code_state)).select_from(Person).where(Person.id.in_(members))
    query = query.strip()
    if query:
        statement = statement.where(_search(compound, query, places(compound) if buildings is None else buildings))
    if building is not None:
        statement = statement.where(_owns(compound, Unit.building_id == building))
    if role:
        statement = statement.where(
            Person.id.in_(
                sa.select(Membership.person_id).where(Membership.compound_id == compound.id, Membership.role == role)
            )
        )
    if state:
        statement = statement.where(code_state == state)
    return statement


def _list_order(compound: Compound) -> tuple:
    """The list's order: by the person's first room (people without a room last), then name."""
    first_room = (
        sa.select(sa.func.min(Unit.unit_key))
        .join(Ownership, Ownership.unit_id == Unit.id)
        .where(Ownership.person_id == Person.id, _by_person(Unit.compound_id) == compound.id)
        .correlate(Person)
        .scalar_subquery()
    )
    return first_room.asc().nulls_last(), Person.name, Person.id


def people_page(
    compound: Compound,
    query: str = "",
    building: int | None = None,
    role: str = "",
    state: str = "",
    page: int = 1,
    buildings: list[Place] | None = None,
) -> PeoplePage:
    """One page (PAGE_SIZE) of the people with a role in the compound, in room order (those without a room last),
    filtered by search text, building, role and code state; a page beyond the last shows the last."""
    filters = {"query": query, "building": building, "role": role, "state": state, "buildings": buildings}
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(_people_query(compound, lambda s: [Person.id], **filters).subquery())
    )
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    columns = lambda s: [Person.id, Person.name, Person.account_no, Person.is_developer, s.label("code_state")]  # noqa: E731
    found = db.session.execute(
        _people_query(compound, columns, **filters)
        .order_by(*_list_order(compound))
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return PeoplePage(_rows(compound, found), total, page, pages)


def _rows(compound: Compound, found) -> list[PersonRow]:
    """PersonRows for the people `found` (rows with id… and code_state), their roles and rooms in two statements."""
    rows = {p.id: PersonRow(p, code_state=CodeState(p.code_state)) for p in found}
    if not rows:
        return []
    for membership in db.session.scalars(
        db.select(Membership).where(_by_person(Membership.compound_id) == compound.id, Membership.person_id.in_(rows))
    ):
        rows[membership.person_id].roles[membership.role] = membership
    for person_id, label in rooms(compound, list(rows)).items():
        rows[person_id].rooms = label
    return list(rows.values())


def rooms(compound: Compound, person_ids: list[int]) -> dict[int, list[str]]:
    """Each person's rooms in the compound (3栋 2单元 1201), in room order, in one statement."""
    found: dict[int, list[str]] = defaultdict(list)
    if not person_ids:
        return found
    for person_id, building, entrance, room in db.session.execute(
        db.select(Ownership.person_id, Building.name, Entrance.name, Unit.room)
        .join(Unit, Unit.id == Ownership.unit_id)
        .join(Building, Building.id == Unit.building_id)
        .outerjoin(Entrance, Entrance.id == Unit.entrance_id)
        .where(_by_person(Unit.compound_id) == compound.id, Ownership.person_id.in_(person_ids))
        .order_by(Unit.unit_key, Unit.id)
    ):
        found[person_id].append(" ".join(part for part in (building, entrance, room) if part))
    return found


def person_row(compound: Compound, person: Person) -> PersonRow | None:
    """The row of one person of the compound (for their page), or None once they hold no role in it."""
    columns = [
        Person.id,
        Person.name,
        Person.account_no,
        Person.is_developer,
        _code_state(compound).label("code_state"),
    ]
    members = sa.select(Membership.person_id).where(Membership.compound_id == compound.id)
    found = db.session.execute(sa.select(*columns).where(Person.id == person.id, Person.id.in_(members))).all()
    rows = _rows(compound, found)
    return rows[0] if rows else None


def members_among(compound: Compound, person_ids: list[int]) -> set[int]:
    """Those of `person_ids` who hold a role in the compound."""
    ids = [i for i in person_ids if 0 < i <= MAX_ID]
    if not ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(Membership.person_id).where(Membership.compound_id == compound.id, Membership.person_id.in_(ids))
        )
    )


def not_activated(compound: Compound, building: int | None = None) -> list[int]:
    """Everyone of the compound (or of one of its buildings) who has not activated yet, in the list's order."""
    statement = _people_query(compound, lambda s: [Person.id], building=building).where(Person.password_hash.is_(None))
    return list(db.session.scalars(statement.order_by(*_list_order(compound))))


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


def issue_letters(compound: Compound, person_ids: list[int], actor, days: int | None = None) -> list[IssuedCode]:
    """Issue a fresh code to each chosen person of the compound who has not activated yet (earlier codes are revoked),
    in the order chosen."""
    ids = members_among(compound, person_ids)
    found = (
        {
            person.id: person
            for person in db.session.scalars(
                db.select(Person).where(Person.id.in_(ids), Person.password_hash.is_(None))
            )
        }
        if ids
        else {}
    )
    return [issue_code(found[i], compound, actor, days) for i in dict.fromkeys(person_ids) if i in found]
