"""Who may act for an organisation, pledge, report progress and rate (named rules; views call these first)."""

from __future__ import annotations

from flask import g

from portal import permissions
from portal.boards.models import Commitment, Organisation, OrgMember
from portal.compounds.models import Compound
from portal.extensions import db
from portal.roles.models import Role


def org_ids_of(person) -> frozenset[int]:
    """Ids of the organisations a person acts for (cached for the request)."""
    if person is None or not getattr(person, "is_authenticated", False):
        return frozenset()
    cache = g.setdefault("_org_cache", {})
    if person.id not in cache:
        rows = db.session.scalars(db.select(OrgMember.organisation_id).where(OrgMember.person_id == person.id))
        cache[person.id] = frozenset(rows)
    return cache[person.id]


def forget_orgs() -> None:
    """Drop the request's cached organisation memberships (after adding or removing a member)."""
    g.pop("_org_cache", None)


def acts_for(person, organisation: Organisation) -> bool:
    """A member of the organisation, or staff of its community (who may act for any organisation there)."""
    return organisation.id in org_ids_of(person) or permissions.is_staff_of(person, organisation.community_id)


def is_volunteer(person, compound: Compound) -> bool:
    """志愿者 / 在职党员 of this compound: pledges in their own name and claims requests and micro-wishes."""
    return Role.volunteer in permissions.roles_in(person, compound)


def serves(organisation: Organisation, compound: Compound) -> bool:
    """The organisation works for this compound: its own, or one serving the whole community."""
    if organisation.compound_id is not None:
        return organisation.compound_id == compound.id
    return organisation.community_id == compound.community_id


def serving(compound: Compound) -> list[Organisation]:
    """Every organisation serving the compound (its own, and community-wide ones), by kind and name."""
    statement = (
        db.select(Organisation)
        .where(
            Organisation.community_id == compound.community_id,
            Organisation.compound_id.is_(None) | (Organisation.compound_id == compound.id),
        )
        .order_by(Organisation.kind, Organisation.name)
    )
    return list(db.session.scalars(statement))


def commitment_in(commitment: Commitment, compound: Compound) -> bool:
    """The commitment is shown on this compound's board (its own, or community-wide in its community)."""
    if commitment.compound_id is not None:
        return commitment.compound_id == compound.id
    return commitment.community_id == compound.community_id


# Rules of the board itself (added by the boards part): who pledges, reports, rates, manages organisations.


def may_manage(person, compound: Compound) -> bool:
    """Community staff (and admins) manage the organisations serving the compound and supervise the board."""
    return permissions.may(person, "manage_board", compound)


def pledge_choices(person, compound: Compound) -> tuple[list[Organisation], bool]:
    """(organisations the person may pledge for on this board, may pledge in their own name).

    Staff pledge for any organisation serving the compound; members for their own organisations; volunteers of the
    compound and members of any organisation serving it may also pledge in their own name (亮身份, as a person).
    """
    if permissions.signed_in(person) is None:
        return [], False
    orgs = serving(compound)
    mine = [o for o in orgs if o.id in org_ids_of(person)]
    own_name = bool(mine) or is_volunteer(person, compound)
    if permissions.is_staff_of(person, compound.community_id):
        return orgs, own_name
    return mine, own_name


def can_pledge(person, compound: Compound) -> bool:
    """May make a commitment on this compound's board (for an organisation or in their own name)."""
    orgs, own_name = pledge_choices(person, compound)
    return bool(orgs) or own_name


def may_pledge_community_wide(person, organisation: Organisation | None, compound: Compound) -> bool:
    """A pledge for every compound of the community: staff, or someone acting for a community-wide organisation."""
    if permissions.is_staff_of(person, compound.community_id):
        return True
    return organisation is not None and organisation.compound_id is None and acts_for(person, organisation)


def is_own(person, commitment: Commitment) -> bool:
    """The person made this pledge, or belongs to the organisation that made it."""
    if permissions.signed_in(person) is None:
        return False
    if commitment.pledger_id == person.id:
        return True
    return commitment.organisation_id is not None and commitment.organisation_id in org_ids_of(person)


def can_report(person, commitment: Commitment) -> bool:
    """Post progress, mark fulfilled or withdraw: the organisation's members (or, for a personal pledge, its
    pledger), and the community's staff."""
    if permissions.signed_in(person) is None:
        return False
    if permissions.is_staff_of(person, commitment.community_id):
        return True
    if commitment.organisation_id is not None:
        return commitment.organisation_id in org_ids_of(person)
    return commitment.pledger_id == person.id


def can_rate(person, commitment: Commitment, compound: Compound) -> bool:
    """Owners and residents of a compound whose board shows the pledge rate it; nobody rates their own pledge."""
    return (
        commitment_in(commitment, compound)
        and permissions.may(person, "take_part", compound)
        and not is_own(person, commitment)
    )


def sees_rater_names(person, compound: Compound) -> bool:
    """Raters are named only to staff (others read "a resident"), so that nobody is pressed over a low rating."""
    return may_manage(person, compound)
