"""The owner register in the database: compare a parsed file with it, and apply the file. Flush, never commit.

The file is the whole register of a compound: units missing from it are removed, owners who no longer own a unit
there lose their owner role (their Person row stays: they may hold an account and other roles). An owner is found
again by `owner_key` within the compound. The register's phone is contact data (`Person.phone`): owners may share one,
and it is never the phone anyone logs in with (`Person.login_phone`, set at activation). An empty phone cell keeps the
phone the person has (they may have given it themselves at activation).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

from portal import audit, permissions
from portal.accounts.models import Person
from portal.accounts.services import new_account_no
from portal.compounds.models import AreaSource, Building, Compound, Entrance, Unit
from portal.compounds.services import natural_key
from portal.extensions import db
from portal.register.importer import ParsedOwner, ParsedRegister, ParsedUnit, RowError
from portal.register.models import Ownership
from portal.roles.models import Membership, Role

# An owner as the diff knows them: their owner_key, or the person id of an owner the register did not create.
Ref = str | int


class RegisterError(ValueError):
    """The register cannot be applied: the file has errors or clashes with the database."""

    def __init__(self, errors: list[RowError]) -> None:
        """Keep the errors for the caller to show."""
        super().__init__(f"{len(errors)} problem(s) in the register")
        self.errors = errors


@dataclass(frozen=True)
class Change:
    """One field that changes: field is area_m2, area_source, owners, voter, name, phone or is_developer."""

    field: str
    old: object
    new: object


@dataclass(frozen=True)
class UnitView:
    """A unit as the diff shows it; owners and voter are names."""

    key: str
    label: str
    area_m2: Decimal
    area_source: str
    owners: tuple[str, ...]
    voter: str


@dataclass(frozen=True)
class OwnerView:
    """An owner as the diff shows it; key is None for an owner the register did not create."""

    key: str | None
    name: str
    phone: str | None
    is_developer: bool


@dataclass(frozen=True)
class Changed:
    """A unit or owner that stays, with what changes; `label` is the room or the owner's name."""

    key: str
    label: str
    changes: tuple[Change, ...]


@dataclass
class RegisterDiff:
    """What applying a file would change. Owner roles out of step with the register are listed apart."""

    # Units, in room order.
    added_units: list[UnitView] = field(default_factory=list)
    removed_units: list[UnitView] = field(default_factory=list)
    changed_units: list[Changed] = field(default_factory=list)
    # Owner roles out of step, as names computed whole: who owns units here but lacks the role, who holds it but
    # owns nothing here.
    roles_granted: tuple[str, ...] = ()
    roles_revoked: tuple[str, ...] = ()
    # Owners in key order, those the register did not create last.
    added_owners: list[OwnerView] = field(default_factory=list)
    removed_owners: list[OwnerView] = field(default_factory=list)
    changed_owners: list[Changed] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """True if applying would change nothing."""
        return not any(getattr(self, name) for name in self.__dataclass_fields__)

    @property
    def digest(self) -> str:
        """A fingerprint of exactly this difference, to confirm that what was shown is what gets applied."""
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        text = json.dumps(data, default=_plain, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()


def _plain(value):
    """The JSON form of the diff's parts: dataclasses as objects, Decimals and the rest as text."""
    if hasattr(value, "__dataclass_fields__"):
        return {name: getattr(value, name) for name in value.__dataclass_fields__}
    return str(value)


@dataclass
class _Current:
    """The compound's register as stored: units by key, owners by ref, keyed persons, owner memberships."""

    units: dict[str, Unit]
    owners: dict[Ref, Person]
    keyed: dict[str, Person]
    owner_roles: dict[int, Membership]


def _ref(compound: Compound, person: Person) -> Ref:
    """The owner_key of a person the register created for this compound, else their id."""
    if person.key_compound_id == compound.id and person.owner_key:
        return person.owner_key
    return person.id


def _load(compound: Compound) -> _Current:
    """Read the stored register in a few queries."""
    units = db.session.scalars(
        db.select(Unit)
        .where(Unit.compound_id == compound.id)
        .options(
            db.joinedload(Unit.building),
            db.joinedload(Unit.entrance),
            db.selectinload(Unit.ownerships).joinedload(Ownership.person),
        )
    ).all()
    owners = {_ref(compound, o.person): o.person for u in units for o in u.ownerships}
    keyed = db.session.scalars(
        db.select(Person).where(Person.key_compound_id == compound.id, Person.owner_key.is_not(None))
    ).all()
    roles = db.session.scalars(
        db.select(Membership).where(Membership.compound_id == compound.id, Membership.role == Role.owner)
    ).all()
    return _Current(
        units={u.unit_key: u for u in units},
        owners=owners,
        keyed={p.owner_key: p for p in keyed},
        owner_roles={m.person_id: m for m in roles},
    )


def diff(compound: Compound, parsed: ParsedRegister) -> RegisterDiff:
    """What applying this file to the compound would change."""
    _require_valid(parsed)
    return _compare(compound, _load(compound), parsed)


def _require_valid(parsed: ParsedRegister) -> None:
    """Refuse a file with errors: a register is applied whole or not at all."""
    if parsed.errors:
        raise RegisterError(parsed.errors)


def _unit_view(unit: Unit) -> UnitView:
    """A stored unit as the diff shows it."""
    voter = next((o for o in unit.ownerships if o.is_designated_voter), None)
    return UnitView(
        key=unit.unit_key,
        label=unit.label,
        area_m2=unit.area_m2,
        area_source=AreaSource(unit.area_source).value,
        owners=tuple(o.person.name for o in unit.ownerships),
        voter=voter.person.name if voter else "",
    )


def _parsed_view(unit: ParsedUnit, owners: dict[str, ParsedOwner]) -> UnitView:
    """A unit of the file as the diff shows it."""
    return UnitView(
        key=unit.key,
        label=unit.label,
        area_m2=unit.area_m2,
        area_source=unit.area_source,
        owners=tuple(owners[k].name for k in unit.owner_keys),
        voter=owners[unit.voter_key].name,
    )


def _compare(compound: Compound, current: _Current, parsed: ParsedRegister) -> RegisterDiff:
    """The difference between the stored register and the file, each list in room or key order."""
    result = RegisterDiff()
    _compare_units(compound, current, parsed, result)
    _compare_owners(current, parsed, result)
    _compare_owner_roles(current, parsed, result)
    for units in (result.added_units, result.removed_units, result.changed_units):
        units.sort(key=lambda u: natural_key(u.key))
    for owners in (result.added_owners, result.removed_owners, result.changed_owners):
        owners.sort(key=lambda o: (o.key is None, natural_key(o.key or ""), getattr(o, "name", "")))
    return result


def _compare_units(compound: Compound, current: _Current, parsed: ParsedRegister, result: RegisterDiff) -> None:
    """Units added, removed, or changed in area, area source, owners or designated voter."""
    for key, unit in parsed.units.items():
        stored = current.units.get(key)
        new = _parsed_view(unit, parsed.owners)
        if stored is None:
            result.added_units.append(new)
            continue
        old = _unit_view(stored)
        changes = []
        if old.area_m2 != new.area_m2:
            changes.append(Change("area_m2", old.area_m2, new.area_m2))
        if old.area_source != new.area_source:
            changes.append(Change("area_source", old.area_source, new.area_source))
        if {_ref(compound, o.person) for o in stored.ownerships} != set(unit.owner_keys):
            changes.append(Change("owners", old.owners, new.owners))
        if {_ref(compound, o.person) for o in stored.ownerships if o.is_designated_voter} != {unit.voter_key}:
            changes.append(Change("voter", old.voter, new.voter))
        if changes:
            result.changed_units.append(Changed(key, unit.label, tuple(changes)))
    result.removed_units.extend(_unit_view(u) for key, u in current.units.items() if key not in parsed.units)


def _compare_owners(current: _Current, parsed: ParsedRegister, result: RegisterDiff) -> None:
    """Owners added, removed, or changed in name, phone (only when the file gives one) or developer flag."""
    for key, owner in parsed.owners.items():
        person = current.owners.get(key)
        if person is None:
            result.added_owners.append(OwnerView(key, owner.name, owner.phone, owner.is_developer))
            continue
        changes = []
        if person.name != owner.name:
            changes.append(Change("name", person.name, owner.name))
        if owner.phone is not None and person.phone != owner.phone:
            changes.append(Change("phone", person.phone, owner.phone))
        if person.is_developer != owner.is_developer:
            changes.append(Change("is_developer", person.is_developer, owner.is_developer))
        if changes:
            result.changed_owners.append(Changed(key, owner.name, tuple(changes)))
    for ref, person in current.owners.items():
        if ref not in parsed.owners:
            key = ref if isinstance(ref, str) else None
            result.removed_owners.append(OwnerView(key, person.name, person.phone, person.is_developer))


def _compare_owner_roles(current: _Current, parsed: ParsedRegister, result: RegisterDiff) -> None:
    """Owner roles out of step with ownership (added and removed owners change theirs anyway): the repairs."""
    final = {current.keyed[k].id: current.keyed[k] for k in parsed.owners if k in current.keyed}
    kept = {p.id for ref, p in current.owners.items() if ref in parsed.owners}
    owning = {p.id for p in current.owners.values()}
    result.roles_granted = tuple(
        sorted(p.name for pid, p in final.items() if pid in kept and pid not in current.owner_roles)
    )
    result.roles_revoked = tuple(
        sorted(m.person.name for pid, m in current.owner_roles.items() if pid not in final and pid not in owning)
    )


def apply(compound: Compound, parsed: ParsedRegister, actor: Person | None) -> RegisterDiff:
    """Make the compound's register what the file says; one audit line; returns what changed (nothing if empty)."""
    _require_valid(parsed)
    current = _load(compound)
    result = _compare(compound, current, parsed)
    if result.is_empty:
        return result

    persons = _apply_owners(compound, current, parsed)
    _apply_units(compound, current, parsed, persons)
    granted, revoked = _apply_owner_roles(compound, current, persons)
    db.session.flush()
    audit.record(
        "register.imported",
        actor,
        compound,
        file_sha256=parsed.sha256,
        units=len(parsed.units),
        owners=len(parsed.owners),
        units_added=len(result.added_units),
        units_removed=len(result.removed_units),
        units_changed=len(result.changed_units),
        owners_added=len(result.added_owners),
        owners_removed=len(result.removed_owners),
        owners_changed=len(result.changed_owners),
        owner_roles_granted=granted,
        owner_roles_revoked=revoked,
    )
    return result


def _apply_owners(compound: Compound, current: _Current, parsed: ParsedRegister) -> dict[str, Person]:
    """Create or update one Person per owner key; returns them by key."""
    persons: dict[str, Person] = {}
    issued: set[str] = set()
    for key, owner in parsed.owners.items():
        person = current.keyed.get(key)
        if person is None:
            account_no = new_account_no()
            while account_no in issued:  # new persons may still be pending in the session
                account_no = new_account_no()
            issued.add(account_no)
            person = Person(
                name=owner.name,
                account_no=account_no,
                key_compound_id=compound.id,
                owner_key=key,
                is_developer=owner.is_developer,
            )
            db.session.add(person)
        else:
            if person.name != owner.name:
                person.name = owner.name
            if person.is_developer != owner.is_developer:
                person.is_developer = owner.is_developer
        if owner.phone is not None and person.phone != owner.phone:
            person.phone = owner.phone  # contact data: shared or moved between owners freely
        persons[key] = person
    db.session.flush()
    return persons


def _apply_units(compound: Compound, current: _Current, parsed: ParsedRegister, persons: dict[str, Person]) -> None:
    """Remove units no longer listed, add new ones, update the others with their ownerships."""
    for key, unit in current.units.items():
        if key not in parsed.units:
            db.session.delete(unit)
    buildings = {b.name: b for b in db.session.scalars(db.select(Building).where(Building.compound_id == compound.id))}
    entrances = {
        (e.building_id, e.name): e
        for e in db.session.scalars(db.select(Entrance).join(Building).where(Building.compound_id == compound.id))
    }
    for key, item in parsed.units.items():
        unit = current.units.get(key)
        if unit is None:
            building = buildings.get(item.building)
            if building is None:
                building = buildings[item.building] = Building(compound_id=compound.id, name=item.building)
                db.session.add(building)
                db.session.flush()
            entrance = None
            if item.entrance:
                entrance = entrances.get((building.id, item.entrance))
                if entrance is None:
                    entrance = Entrance(building_id=building.id, name=item.entrance)
                    entrances[(building.id, item.entrance)] = entrance
                    db.session.add(entrance)
                    db.session.flush()
            unit = Unit(
                compound_id=compound.id,
                building=building,
                entrance=entrance,
                room=item.room,
                unit_key=key,
                area_m2=item.area_m2,
                area_source=AreaSource(item.area_source),
            )
            db.session.add(unit)
        else:
            if unit.area_m2 != item.area_m2:
                unit.area_m2 = item.area_m2
            if unit.area_source != item.area_source:
                unit.area_source = AreaSource(item.area_source)
        _set_owners(unit, item, persons)


def _set_owners(unit: Unit, item: ParsedUnit, persons: dict[str, Person]) -> None:
    """Make the unit's ownerships those of the file, touching only what differs."""
    wanted = {persons[k].id: k == item.voter_key for k in item.owner_keys}
    for ownership in list(unit.ownerships):
        if ownership.person_id not in wanted:
            unit.ownerships.remove(ownership)  # delete-orphan removes the row
    have = {o.person_id: o for o in unit.ownerships}
    for person_id, is_voter in wanted.items():
        ownership = have.get(person_id)
        if ownership is None:
            unit.ownerships.append(Ownership(person_id=person_id, is_designated_voter=is_voter))
        elif ownership.is_designated_voter != is_voter:
            ownership.is_designated_voter = is_voter


def _apply_owner_roles(compound: Compound, current: _Current, persons: dict[str, Person]) -> tuple[int, int]:
    """Every owner of a unit holds exactly one owner membership here; nobody else does. Returns (granted, revoked)."""
    owner_ids = {p.id for p in persons.values()}
    granted = 0
    for person_id in sorted(owner_ids - set(current.owner_roles)):
        db.session.add(Membership(person_id=person_id, compound_id=compound.id, role=Role.owner))
        granted += 1
    revoked = 0
    for person_id, membership in current.owner_roles.items():
        if person_id not in owner_ids:
            db.session.delete(membership)
            revoked += 1
    permissions.forget_roles()
    return granted, revoked


def rooms_of(compound: Compound, person: Person) -> list[str]:
    """The person's rooms in this compound (3栋 2单元 1201), in register order: for letters and for those who may see
    who asked for help."""
    from sqlalchemy.orm import joinedload

    units = db.session.scalars(
        db.select(Unit)
        .join(Ownership, Ownership.unit_id == Unit.id)
        .where(Ownership.person_id == person.id, Unit.compound_id == compound.id)
        .options(joinedload(Unit.building), joinedload(Unit.entrance))
        .order_by(Unit.id)
    )
    return [unit.label for unit in units]
