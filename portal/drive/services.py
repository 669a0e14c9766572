"""The turnout drive: naming captains, the doors still to knock on (who has not voted), and the visits recorded.

Services flush, never commit. Each change writes one audit line.

Who has voted comes from the participation register (已投票登记) alone, the same register the paper desk and the
reminders read; a ballot is never read here, so nothing on these pages says how anyone voted, even in a secret vote
(see `doors`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased, joinedload, selectinload

from portal import audit, csvsafe
from portal.accounts.models import Person
from portal.accounts.services import find_login
from portal.compounds.models import Building, Compound, Entrance, Unit
from portal.compounds.services import natural_key
from portal.db import utcnow
from portal.drive import access
from portal.drive.models import NOTE_MAX, Captain, Visit, VisitOutcome
from portal.extensions import db
from portal.i18n import to_local
from portal.labels import label
from portal.refusals import Refused
from portal.roles.models import Membership, Role
from portal.voting.access import is_open_now
from portal.voting.models import PaperEnvelope, Participation, Vote, VoteStatus, VotingRight, VotingRightUnit

BOM = "\ufeff"  # so that spreadsheet programs read the CSV as UTF-8
# Who may be a captain: someone living in the compound (committee members are owners too).
CAPTAIN_ROLES = (Role.owner, Role.resident, Role.committee)


# --- Captains ---------------------------------------------------------------------------------------------------


def captains_of(compound: Compound) -> list[Captain]:
    """The compound's captains, by building, entrance (the whole building first) and name."""
    rows = db.session.scalars(
        sa.select(Captain)
        .where(Captain.compound_id == compound.id)
        .options(joinedload(Captain.person), joinedload(Captain.building))
        .options(joinedload(Captain.entrance))
    ).all()
    return sorted(
        rows,
        key=lambda c: (natural_key(c.building.name), natural_key(c.entrance.name if c.entrance else ""), c.person.name),
    )


def captain_in(compound: Compound, captain_id: int) -> Captain | None:
    """One captaincy of this compound, or None."""
    return db.session.scalar(sa.select(Captain).where(Captain.id == captain_id, Captain.compound_id == compound.id))


def candidate(compound: Compound, login: str) -> Person:
    """The person a captaincy is for: found by account number or login phone, living in the compound, activated
    (a captain works in the portal: without an account there is no list to open)."""
    person = find_login(login or "")
    if person is None:
        raise Refused("not_found")
    lives_here = db.session.scalar(
        sa.select(Membership.id)
        .where(
            Membership.person_id == person.id,
            Membership.compound_id == compound.id,
            Membership.role.in_(CAPTAIN_ROLES),
        )
        .limit(1)
    )
    if lives_here is None:
        raise Refused("captain_not_resident")
    if person.password_hash is None or not person.is_active_account:
        raise Refused("captain_not_activated")
    return person


def assign(compound: Compound, person: Person, building: Building, entrance: Entrance | None, actor) -> Captain:
    """Name `person` captain of `building` (or of one `entrance` of it); refused when they already hold it, or the
    whole building."""
    if building.compound_id != compound.id or (entrance is not None and entrance.building_id != building.id):
        raise Refused("captain_place")
    held = db.session.scalars(
        sa.select(Captain).where(Captain.person_id == person.id, Captain.building_id == building.id)
    ).all()
    if any(c.entrance_id is None or c.entrance_id == (entrance.id if entrance else None) for c in held):
        raise Refused("captain_already")
    row = Captain(
        compound_id=compound.id,
        person_id=person.id,
        building_id=building.id,
        entrance_id=entrance.id if entrance else None,
        assigned_by_id=getattr(actor, "id", None),
        assigned_at=utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    access.forget()
    audit.record(
        "captain.assigned",
        actor,
        compound,
        person_id=person.id,
        building_id=building.id,
        entrance_id=row.entrance_id,
    )
    return row


def remove(captain: Captain, actor) -> None:
    """End a captaincy (their visits stay in the log)."""
    compound_id = captain.compound_id
    values = {"person_id": captain.person_id, "building_id": captain.building_id, "entrance_id": captain.entrance_id}
    db.session.delete(captain)
    db.session.flush()
    access.forget()
    audit.record("captain.removed", actor, db.session.get(Compound, compound_id), **values)


def places(compound: Compound) -> list[tuple[Building, list[Entrance]]]:
    """The compound's buildings with their entrances, in natural order (the assignment form's choices)."""
    buildings = db.session.scalars(
        sa.select(Building).where(Building.compound_id == compound.id).options(selectinload(Building.entrances))
    ).all()
    return [
        (b, sorted(b.entrances, key=lambda e: natural_key(e.name)))
        for b in sorted(buildings, key=lambda b: natural_key(b.name))
    ]


# --- Where a person drives the turnout --------------------------------------------------------------------------


def open_votes(compound: Compound) -> list[Vote]:
    """The compound's votes open now (frozen electorate), soonest close first: the votes captains knock for."""
    return list(
        db.session.scalars(
            sa.select(Vote)
            .where(Vote.compound_id == compound.id, Vote.status == VoteStatus.open, Vote.electorate_heads.is_not(None))
            .order_by(Vote.closes_at, Vote.id)
        )
    )


def buildings_for(person, compound: Compound) -> list[tuple[Building, list[Entrance] | None]]:
    """我负责的楼栋: each building the person drives, with the entrances of their scope (None: the whole building);
    every building for committee and staff."""
    if access.can_assign_captains(person, compound):
        return [(b, None) for b, _entrances in places(compound)]
    scopes: dict[int, tuple[Building, list[Entrance] | None]] = {}
    for c in access.captaincies(person, compound):
        building, entrances = scopes.get(c.building_id, (c.building, []))
        if entrances is not None:
            entrances = None if c.entrance is None else [*entrances, c.entrance]
        scopes[c.building_id] = (building, entrances)
    return sorted(scopes.values(), key=lambda s: natural_key(s[0].name))


# --- The doors: units whose voting right has not been used --------------------------------------------------------


@dataclass(frozen=True)
class Door:
    """A unit whose owner has not voted yet, as a captain needs it at the door: nothing about any ballot."""

    unit_id: int
    building: str
    entrance: str
    room: str
    owner: str
    activated: bool
    phone: str | None
    visits: int
    last_outcome: VisitOutcome | None
    last_at: datetime | None
    last_by: str | None
    last_note: str

    @property
    def label(self) -> str:
        """The room as owners write it: 3栋 2单元 1201."""
        return " ".join(p for p in (self.building, self.entrance, self.room) if p)


def doors(vote: Vote, building: Building, scope: access.Scope, unit_id: int | None = None) -> list[Door]:
    """The units of `building` (within `scope`) whose voting right in `vote` is unused, with the last visit of each:
    one statement whatever the number of units (the last visit is joined by its id, the greatest of the unit's).

    Why this reveals no choice, even in an open secret vote: a unit is listed or not from the participation register
    alone (an envelope was handed in, or not), which the desk and the reminders use too; the ballots, sealed apart
    from the register, are never read. A captain who watches a door leave the list learns when its owner voted, as
    the desk does, and nothing of the choice: no figure of the building is shown here, and the turnout owners see
    moves in steps while the vote is open. Door-knocking needs exactly this and nothing more: the owners who voted
    are not listed at all."""
    used = sa.union_all(
        sa.select(Participation.right_id).where(Participation.vote_id == vote.id),
        sa.select(PaperEnvelope.right_id).where(PaperEnvelope.vote_id == vote.id),  # a secret vote's envelope is in
    )
    seen = (
        sa.select(
            Visit.unit_id.label("unit_id"),
            sa.func.max(Visit.id).label("last_id"),
            sa.func.count(Visit.id).label("visits"),
        )
        .join(Unit, Unit.id == Visit.unit_id)
        .where(Visit.vote_id == vote.id, Unit.building_id == building.id)
        .group_by(Visit.unit_id)
        .subquery()
    )
    last = aliased(Visit)
    visitor = aliased(Person)
    query = (
        sa.select(
            Unit.id,
            Unit.room,
            Entrance.name,
            Person.name,
            Person.password_hash.is_not(None),
            Person.phone,
            sa.func.coalesce(seen.c.visits, 0),
            last.outcome,
            last.at,
            visitor.name,
            last.note,
        )
        .select_from(VotingRightUnit)
        .join(VotingRight, VotingRight.id == VotingRightUnit.right_id)
        .join(Unit, Unit.id == VotingRightUnit.unit_id)
        .join(Person, Person.id == VotingRight.person_id)
        .outerjoin(Entrance, Entrance.id == Unit.entrance_id)
        .outerjoin(seen, seen.c.unit_id == Unit.id)
        .outerjoin(last, last.id == seen.c.last_id)
        .outerjoin(visitor, visitor.id == last.visitor_id)
        .where(VotingRight.vote_id == vote.id, Unit.building_id == building.id, VotingRight.id.not_in(used))
    )
    if scope.entrances is not None:
        query = query.where(Unit.entrance_id.in_(sorted(scope.entrances)))
    if unit_id is not None:
        query = query.where(Unit.id == unit_id)
    rows = [
        Door(uid, building.name, entrance or "", room, owner, bool(active), phone, visits, outcome, at, by, note or "")
        for uid, room, entrance, owner, active, phone, visits, outcome, at, by, note in db.session.execute(query)
    ]
    return sorted(rows, key=lambda d: (natural_key(d.entrance), natural_key(d.room)))


PAGE_SIZE = 50  # doors to a page: a floor or two of a stairwell, light on a phone


@dataclass(frozen=True)
class DoorsPage:
    """One page of a building's doors, with how many in all and where the page stands."""

    rows: list[Door]
    total: int
    page: int
    pages: int


def page_of(rows: list[Door], page: int) -> DoorsPage:
    """Page `page` (1-based, brought within range) of the doors, PAGE_SIZE to a page."""
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    return DoorsPage(rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE], len(rows), page, pages)


def page_with(rows: list[Door], unit_id: int) -> int:
    """The page on which this unit's door is listed (the first when it is no longer listed)."""
    for index, door in enumerate(rows):
        if door.unit_id == unit_id:
            return index // PAGE_SIZE + 1
    return 1


def has_voted(vote: Vote, unit: Unit) -> bool:
    """The unit's voting right in `vote` has been used (online, by proxy or on paper), or its envelope is in."""
    right = sa.select(VotingRightUnit.right_id).where(VotingRightUnit.unit_id == unit.id)
    used = sa.union_all(
        sa.select(Participation.id).where(Participation.vote_id == vote.id, Participation.right_id.in_(right)),
        sa.select(PaperEnvelope.id).where(PaperEnvelope.vote_id == vote.id, PaperEnvelope.right_id.in_(right)),
    )
    return db.session.scalar(sa.select(sa.exists(used))) is True


def on_roll(vote: Vote, unit: Unit) -> bool:
    """The unit is on the vote's frozen roll."""
    return (
        db.session.scalar(
            sa.select(VotingRightUnit.id)
            .join(VotingRight, VotingRight.id == VotingRightUnit.right_id)
            .where(VotingRight.vote_id == vote.id, VotingRightUnit.unit_id == unit.id)
            .limit(1)
        )
        is not None
    )


# --- Visits ------------------------------------------------------------------------------------------------------


def record_visit(vote: Vote, unit: Unit, visitor, outcome: VisitOutcome, note: str | None) -> Visit:
    """走访记录: one visit, while the vote is open and the unit's right is unused."""
    if not is_open_now(vote):
        raise Refused("vote_not_open")
    if has_voted(vote, unit):
        raise Refused("used")
    visit = Visit(
        vote_id=vote.id,
        unit_id=unit.id,
        visitor_id=visitor.id,
        outcome=VisitOutcome(outcome),
        note=Refused.text(note, limit=NOTE_MAX, required=False),
        at=utcnow(),
    )
    db.session.add(visit)
    db.session.flush()
    audit.record("visit.recorded", visitor, vote.compound, vote_id=vote.id, unit_id=unit.id, outcome=visit.outcome)
    return visit


def visits_of(vote: Vote, unit: Unit) -> list[Visit]:
    """The unit's visit log in this vote, newest first, with who went."""
    return list(
        db.session.scalars(
            sa.select(Visit)
            .where(Visit.vote_id == vote.id, Visit.unit_id == unit.id)
            .options(joinedload(Visit.visitor))
            .order_by(Visit.id.desc())
        )
    )


# --- The file for staff ------------------------------------------------------------------------------------------


def _minute(moment: datetime | None) -> str:
    return to_local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def doors_csv(rows: list[Door]) -> str:
    """未投票名单 as CSV (UTF-8 with a BOM, in the reader's language, every cell formula-safe): one row per unit."""
    out = io.StringIO()
    out.write(BOM)
    writer = csvsafe.writer(out, lineterminator="\r\n")  # names, phones and notes are typed by people
    writer.writerow(
        [_("Building"), _("Entrance"), _("Room"), _("Owner"), _("Account activated"), _("Phone")]
        + [_("Last visit"), _("Visits"), _("Last visit at (Beijing time)"), _("Last visit note")]
    )
    for d in rows:
        writer.writerow(
            [d.building, d.entrance, d.room, d.owner, _("Yes") if d.activated else _("No"), d.phone or ""]
            + [label(d.last_outcome) if d.last_outcome else "", d.visits, _minute(d.last_at), d.last_note]
        )
    return out.getvalue()
