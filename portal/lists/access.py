"""Who may do what with the three lists (三张清单). Views call these first; nothing else decides access here.

Rules: the lists are public (view_board). Members of an organisation serving the compound, and the community's staff,
offer, change and withdraw the organisation's resources (资源). Everyone sees the public needs (需求) that were
accepted (open, taken, done, closed), never who asked; staff see every need. An organisation's members claim an open
need for it (双向认领, one way); staff link a need to an offered resource (the other way) or set up a project
directly. The organisation carrying out a project, and staff, post its progress and complete or cancel it.
"""

from __future__ import annotations

import sqlalchemy as sa

from portal import permissions
from portal.boards.access import acts_for, org_ids_of, serving
from portal.boards.models import Organisation
from portal.compounds.models import Compound
from portal.compounds.services import get_compound
from portal.lists.models import Project, Resource
from portal.needs.access import PUBLIC_STATES, may_see
from portal.needs.models import Need, NeedStatus

# Needs shown on the public list: accepted by staff (never submitted-but-unread or declined ones).
LISTED = tuple(sorted(PUBLIC_STATES))


def load(slug: str, person) -> Compound:
    """The compound whose lists are asked for (the lists are public: anyone may read them)."""
    compound = get_compound(slug)
    permissions.require("view_board", compound, person)
    return compound


def may_manage(person, compound: Compound) -> bool:
    """Community staff (and admins): see every need, link needs to resources, set up projects."""
    return permissions.may(person, "manage_board", compound)


# Organisations and resources


def acting_organisations(person, compound: Compound) -> list[Organisation]:
    """The organisations serving the compound this person may act for: their own; staff act for any of them."""
    if permissions.signed_in(person) is None:
        return []
    organisations = serving(compound)
    if may_manage(person, compound):
        return organisations
    mine = org_ids_of(person)
    return [o for o in organisations if o.id in mine]


def resource_filter(compound: Compound):
    """SQL condition: a resource is on this compound's list (offered to it, or to its whole community)."""
    return sa.and_(
        Resource.community_id == compound.community_id,
        sa.or_(Resource.compound_id.is_(None), Resource.compound_id == compound.id),
    )


def resource_in(resource: Resource, compound: Compound) -> bool:
    """The resource is on this compound's list."""
    if resource.compound_id is not None:
        return resource.compound_id == compound.id
    return resource.community_id == compound.community_id


def can_offer(person, compound: Compound) -> bool:
    """Add a resource: someone who acts for an organisation serving the compound, or staff."""
    return bool(acting_organisations(person, compound))


def can_edit_resource(person, resource: Resource) -> bool:
    """Change or withdraw a resource: the organisation's members, and its community's staff."""
    return permissions.signed_in(person) is not None and acts_for(person, resource.organisation)


def can_match(person, compound: Compound) -> bool:
    """Link a need to an offered resource (资源对接): staff, who know both sides and whether they fit."""
    return may_manage(person, compound)


def can_create_project(person, compound: Compound) -> bool:
    """Set up a project directly (not from a claim or a match): staff."""
    return may_manage(person, compound)


# Needs


def can_ask(person, compound: Compound) -> bool:
    """Post a request or micro-wish (on the requests' own pages): owners and residents of the compound."""
    return permissions.may(person, "take_part", compound)


def need_listed(need: Need) -> bool:
    """The need may appear on public pages (without its requester): the requester allowed it and staff accepted it."""
    return need.is_public and need.status in LISTED


def listed_filter(compound: Compound, person):
    """SQL condition: the needs of this compound the person sees on the list (staff: all of them)."""
    condition = Need.compound_id == compound.id
    if may_manage(person, compound):
        return condition
    return sa.and_(condition, Need.is_public.is_(True), Need.status.in_(LISTED))


def need_shown(person, need: Need, compound: Compound) -> bool:
    """What the need asks (never who asked) may be shown to this person: public and accepted, or they may see it
    anyway (staff, the requester, the taker)."""
    if need_listed(need) or may_manage(person, compound):
        return True
    return may_see(permissions.signed_in(person), need)


def claimable(need: Need, by_staff: bool) -> bool:
    """Still waiting for a taker: open (accepted); staff may also dispatch one not yet accepted."""
    if need.status == NeedStatus.open:
        return True
    return by_staff and need.status == NeedStatus.submitted


# Projects


def can_report(person, project: Project) -> bool:
    """Post progress, complete or cancel: the organisation carrying it out, and the community's staff."""
    person = permissions.signed_in(person)
    if person is None:
        return False
    if permissions.is_staff_of(person, project.community_id):
        return True
    return project.organisation_id is not None and project.organisation_id in org_ids_of(person)
