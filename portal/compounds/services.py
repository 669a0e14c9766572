"""Compound queries and changes: creation, totals of the register, notices."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask import abort

from portal import audit
from portal.compounds.models import Community, Compound, Notice, Unit
from portal.extensions import db
from portal.register.models import Ownership
from portal.roles.models import CommitteePost, Membership, Role


def get_compound(slug: str) -> Compound:
    """The compound with this slug, or 404."""
    compound = db.session.scalar(db.select(Compound).where(Compound.slug == slug))
    if compound is None:
        abort(404)
    return compound


def get_or_create_community(name: str) -> Community:
    """The community of this name, created if new."""
    community = db.session.scalar(db.select(Community).where(Community.name == name))
    if community is None:
        community = Community(name=name)
        db.session.add(community)
        db.session.flush()
    return community


def create_compound(slug: str, name: str, community: Community, actor=None) -> Compound:
    """Create a compound in a community (the slug is checked by the caller's form)."""
    compound = Compound(slug=slug, name=name, community=community)
    db.session.add(compound)
    db.session.flush()
    audit.record("compound.created", actor, compound, slug=slug, name=name, community=community.name)
    return compound


def slug_taken(slug: str) -> bool:
    """True if a compound already uses this slug."""
    return db.session.scalar(db.select(Compound.id).where(Compound.slug == slug)) is not None


@dataclass(frozen=True)
class RollUnit:
    """One line of the owners' roll: a unit and its area, never a name."""

    label: str
    area_m2: Decimal
    area_source: str
    co_owners: int


@dataclass(frozen=True)
class RegisterTotals:
    """The register's size: units, total exclusive area, and owners counted as Art. 278 counts heads."""

    units: int
    area_m2: Decimal
    heads: int


def roll(compound: Compound) -> list[RollUnit]:
    """The units of a compound in building/entrance/room order, with area and number of co-owners."""
    units = db.session.scalars(
        db.select(Unit)
        .where(Unit.compound_id == compound.id)
        .options(db.joinedload(Unit.building), db.joinedload(Unit.entrance), db.selectinload(Unit.ownerships))
    ).all()
    units = sorted(units, key=lambda u: natural_key(u.unit_key))
    return [RollUnit(u.label, u.area_m2, u.area_source.value, len(u.ownerships)) for u in units]


def natural_key(text: str) -> tuple:
    """Sort "2|1|101" before "10|1|101": numbers compare as numbers."""
    import re

    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


def totals(compound: Compound) -> RegisterTotals:
    """Units, total area and heads (one per voting right: a buyer of several units and the developer are one)."""
    areas = db.session.scalars(db.select(Unit.area_m2).where(Unit.compound_id == compound.id)).all()
    voters = db.session.execute(
        db.select(Ownership.unit_id, Ownership.person_id)
        .join(Unit, Unit.id == Ownership.unit_id)
        .where(Unit.compound_id == compound.id, Ownership.is_designated_voter.is_(True))
    ).all()
    return RegisterTotals(
        units=len(areas),
        area_m2=sum(areas, Decimal("0.00")),
        heads=len({person_id for _unit, person_id in voters}),
    )


def committee(compound: Compound) -> list[Membership]:
    """The committee members, chair first."""
    order = {CommitteePost.chair: 0, CommitteePost.vice_chair: 1, CommitteePost.secretary: 2, CommitteePost.member: 3}
    rows = db.session.scalars(
        db.select(Membership)
        .where(Membership.compound_id == compound.id, Membership.role == Role.committee)
        .options(db.joinedload(Membership.person))
    ).all()
    return sorted(rows, key=lambda m: (order.get(m.post, 9), m.person.name))


def notices(compound: Compound, members: bool, limit: int = 10) -> list[Notice]:
    """Newest notices first; public ones only unless the reader is a member."""
    query = db.select(Notice).where(Notice.compound_id == compound.id)
    if not members:
        query = query.where(Notice.is_public.is_(True))
    return list(db.session.scalars(query.order_by(Notice.published_at.desc()).limit(limit)))


def post_notice(
    compound: Compound, title: str, body: str, is_public: bool, actor, event: str | None = None, vote_id=None
) -> Notice:
    """Publish a notice on the compound home (actor None: posted by the portal itself)."""
    notice = Notice(
        compound_id=compound.id,
        title=title,
        body=body,
        is_public=is_public,
        author_id=getattr(actor, "id", None),
        event=event,
        vote_id=vote_id,
    )
    db.session.add(notice)
    db.session.flush()
    audit.record("notice.posted", actor, compound, notice_id=notice.id, public=is_public, event=event)
    return notice
