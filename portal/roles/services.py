"""Granting and removing roles. Services flush, never commit."""

from __future__ import annotations

from portal import audit, permissions
from portal.compounds.models import Compound
from portal.extensions import db
from portal.roles.models import CommitteePost, CommunityStaff, Membership, Role

# Roles staff give and take on the roles page; owner follows the register and is not toggled by hand.
MANAGED_ROLES = (Role.resident, Role.committee, Role.property_manager, Role.volunteer)


def membership(person, compound: Compound, role: Role) -> Membership | None:
    """The person's membership in this role, if any."""
    return db.session.scalar(
        db.select(Membership).where(
            Membership.person_id == person.id, Membership.compound_id == compound.id, Membership.role == role
        )
    )


def grant(person, compound: Compound, role: Role, actor=None, post: CommitteePost | None = None) -> Membership:
    """Give a role (idempotent); committee members get a post (委员 unless said)."""
    row = membership(person, compound, role)
    post = (post or CommitteePost.member) if role == Role.committee else None
    if row is None:
        row = Membership(person_id=person.id, compound_id=compound.id, role=role, post=post)
        db.session.add(row)
    elif row.post == post:
        return row
    else:
        row.post = post
    _changed("role.granted", actor, compound, person, role=role.value, post=post and post.value)
    return row


def remove(person, compound: Compound, role: Role, actor=None) -> bool:
    """Take a role away; returns whether there was one."""
    row = membership(person, compound, role)
    if row is None:
        return False
    db.session.delete(row)
    _changed("role.removed", actor, compound, person, role=role.value)
    return True


def _staff_row(person, community) -> CommunityStaff | None:
    """The person's place on the community's staff, if any."""
    return db.session.scalar(
        db.select(CommunityStaff).where(
            CommunityStaff.person_id == person.id, CommunityStaff.community_id == community.id
        )
    )


def add_staff(person, community, actor=None) -> CommunityStaff:
    """Make a person community staff of a community (idempotent)."""
    row = _staff_row(person, community)
    if row is None:
        row = CommunityStaff(person_id=person.id, community_id=community.id)
        db.session.add(row)
        _changed("staff.added", actor, None, person, community_id=community.id)
    return row


def remove_staff(person, community, actor=None) -> bool:
    """Take a person off a community's staff; returns whether they were on it."""
    row = _staff_row(person, community)
    if row is None:
        return False
    db.session.delete(row)
    _changed("staff.removed", actor, None, person, community_id=community.id)
    return True


def _changed(event: str, actor, compound: Compound | None, person, **values: object) -> None:
    """Every change of who holds what: written (flushed), the cached roles forgotten, one audit line."""
    db.session.flush()
    permissions.forget_roles()
    audit.record(event, actor, compound, person_id=person.id, **values)
