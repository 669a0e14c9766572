"""打印: what committee and staff print to reach the quorum door to door (issue 14): reminder slips (提醒单),
pre-filled paper ballots (书面表决票) and proxy forms (业主委托书), per building or for one voting right.

A right belongs to the building of its first unit on the roll, as it counts for heads in `turnout.by_place`, so each
right gets one sheet even when it holds units in two buildings. Every sheet of a print is loaded in a fixed number of
statements whatever the building's size (rights with their people, then their units); QR codes are drawn here, from
absolute addresses (PORTAL_BASE_URL as on the activation letters). Reading only: nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, url_for
from markupsafe import Markup

from portal import qr
from portal.compounds.models import Building, Compound, Unit
from portal.compounds.services import natural_key
from portal.extensions import db
from portal.voting.models import Participation, Vote, VotingRight, VotingRightUnit

# A QR code on a printed sheet is scanned from clean paper: one fixed mask pattern halves the time to make it (the best
# of the eight is otherwise chosen by trying each), which matters for a building of a thousand sheets.


@dataclass(frozen=True)
class Sheet:
    """One right's sheet: the right (rooms, area, roll number), its designated voter, and whether it is used."""

    right: VotingRight
    used: bool

    @property
    def owner(self):
        """The designated voter (业主) of the right."""
        return self.right.person

    @property
    def activated(self) -> bool:
        """The owner has an account to vote with (a password is set)."""
        return self.right.person.password_hash is not None

    @property
    def form_number(self) -> str:
        """委托书编号, the same on the form and at the desk: the vote and the right's number on the roll (W12-0045)."""
        return form_number(self.right)


def form_number(right: VotingRight) -> str:
    """The proxy form's number for a right: W, the vote, the roll number in four digits at least."""
    return f"W{right.vote_id}-{right.ordinal:04d}"


def building_ids(compound: Compound, vote: Vote | None = None) -> dict[str, int]:
    """The compound's buildings, name → id, in natural order (2栋 before 10栋), for the print links; for a vote of
    some buildings or entrances (表决范围), only the buildings in its scope."""
    query = sa.select(Building.name, Building.id).where(Building.compound_id == compound.id)
    if vote is not None and vote.scope:
        query = query.where(Building.id.in_({row.building_id for row in vote.scope}))
    rows = db.session.execute(query).all()
    return dict(sorted(((name, id_) for name, id_ in rows), key=lambda row: natural_key(row[0])))


def building_of(compound: Compound, building_id: int | None) -> Building | None:
    """A building of this compound (None for another compound's or none)."""
    if building_id is None:
        return None
    building = db.session.get(Building, building_id)
    return building if building is not None and building.compound_id == compound.id else None


def right_of(vote: Vote, right_id: int | None) -> VotingRight | None:
    """A frozen voting right of this vote, with its units (None for another vote's or none)."""
    if right_id is None:
        return None
    return db.session.scalar(
        sa.select(VotingRight)
        .where(VotingRight.id == right_id, VotingRight.vote_id == vote.id)
        .options(sa.orm.selectinload(VotingRight.units))
    )


def _first_units(vote: Vote):
    """Each right's first unit on the roll (the lowest id of its frozen units)."""
    return (
        sa.select(sa.func.min(VotingRightUnit.id).label("id"))
        .join(VotingRight, VotingRight.id == VotingRightUnit.right_id)
        .where(VotingRight.vote_id == vote.id)
        .group_by(VotingRightUnit.right_id)
        .subquery()
    )


def sheets(vote: Vote, building: Building | None = None, right: VotingRight | None = None, unused_only: bool = True):
    """The sheets of one building (its rights not used yet, by default) or of one right, in roll order: two
    statements (rights with their people, then all their units), whatever the number of rights."""
    used = sa.select(Participation.right_id).where(Participation.vote_id == vote.id)
    query = sa.select(VotingRight, VotingRight.id.in_(used)).where(VotingRight.vote_id == vote.id)
    if right is not None:
        query = query.where(VotingRight.id == right.id)
    if building is not None:
        first = _first_units(vote)
        located = (
            sa.select(VotingRightUnit.right_id)
            .join(first, first.c.id == VotingRightUnit.id)
            .join(Unit, Unit.id == VotingRightUnit.unit_id)
            .where(Unit.building_id == building.id)
        )
        query = query.where(VotingRight.id.in_(located))
    if unused_only:
        query = query.where(VotingRight.id.not_in(used))
    query = query.options(sa.orm.joinedload(VotingRight.person), sa.orm.selectinload(VotingRight.units))
    return [Sheet(r, bool(is_used)) for r, is_used in db.session.execute(query.order_by(VotingRight.ordinal))]


def absolute(endpoint: str, **values) -> str:
    """An absolute address for a printed QR code: under PORTAL_BASE_URL when set (the address people reach), else
    the request's own."""
    base = current_app.config.get("PORTAL_BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def ballot_url(vote: Vote) -> str:
    """The vote's online ballot, for an activated owner's reminder slip."""
    return absolute("voting.ballot", slug=vote.compound.slug, vote_id=vote.id)


def paper_entry_url(vote: Vote, right: VotingRight) -> str:
    """The desk's paper-entry form for this right (staff only), for the QR code on its paper ballot."""
    return absolute("voting.desk", slug=vote.compound.slug, vote_id=vote.id, right=right.id, _anchor="paper")


def proxy_entry_url(vote: Vote, right: VotingRight) -> str:
    """The desk's proxy form for this right (staff only): the desk fills in the owner's room and the form's number."""
    return absolute("voting.desk", slug=vote.compound.slug, vote_id=vote.id, proxy=right.id, _anchor="proxies")


def first_room(right: VotingRight) -> str:
    """The right's first room on the roll ("1栋 1单元 601"), which the desk finds it by; its roll number if none."""
    return right.units[0].label if right.units else str(right.ordinal)


@dataclass(frozen=True)
class Code:
    """A sheet's QR code and the address it opens (kept beside it on the page as data-url, for tests and tools)."""

    url: str
    svg: Markup

    @classmethod
    def of(cls, url: str, label: str) -> Code:
        """Draw the QR code of `url`."""
        return cls(url, qr.svg(url, label))
