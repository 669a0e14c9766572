"""Authorization in one place: may this person do this in this compound?

Every route asks `require(action, compound)` (or `may`) before doing any work. Someone who may not even know a
compound's member-only content exists gets 404; a member who lacks the right for one action gets 403.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, g

from portal.compounds.models import Community, Compound
from portal.extensions import db, login_manager
from portal.roles.models import CommunityStaff, Membership, Role


def signed_in(person):
    """The person if logged in; None for an anonymous visitor (or nobody). Rules take the person explicitly: the
    views pass `current_user`, and None never stands for "the current user"."""
    if person is None or not getattr(person, "is_authenticated", False):
        return None
    return person


def roles_in(person, compound: Compound) -> frozenset[Role]:
    """The roles a person holds in a compound (cached for the request)."""
    person = signed_in(person)
    if person is None:
        return frozenset()
    cache = g.setdefault("_roles_cache", {})
    key = (person.id, compound.id)
    if key not in cache:
        rows = db.session.scalars(
            db.select(Membership.role).where(Membership.person_id == person.id, Membership.compound_id == compound.id)
        )
        cache[key] = frozenset(rows)
    return cache[key]


def staff_community_ids(person) -> frozenset[int]:
    """Ids of the communities a person works for as community staff (cached for the request)."""
    person = signed_in(person)
    if person is None:
        return frozenset()
    cache = g.setdefault("_staff_cache", {})
    if person.id not in cache:
        cache[person.id] = frozenset(
            db.session.scalars(db.select(CommunityStaff.community_id).where(CommunityStaff.person_id == person.id))
        )
    return cache[person.id]


def forget_roles() -> None:
    """Drop the request's cached roles and staff posts (after a change of them in the same request or command)."""
    g.pop("_roles_cache", None)
    g.pop("_staff_cache", None)


def is_admin(person) -> bool:
    """Platform administrators may act everywhere."""
    person = signed_in(person)
    return bool(person and person.is_platform_admin)


def is_staff_of(person, community: Community | int) -> bool:
    """Community staff of this community, or a platform administrator."""
    community_id = community if isinstance(community, int) else community.id
    return is_admin(person) or community_id in staff_community_ids(person)


def is_staff(person) -> bool:
    """Works for at least one community (or administers the platform): may open the staff pages."""
    return is_admin(person) or bool(staff_community_ids(person))


def _staff(person, compound: Compound) -> bool:
    return is_staff_of(person, compound.community_id)


def _member(person, compound: Compound) -> bool:
    return bool(roles_in(person, compound)) or _staff(person, compound)


def _owner_side(person, compound: Compound) -> bool:
    return bool(roles_in(person, compound) & {Role.owner, Role.committee}) or _staff(person, compound)


def _committee_or_staff(person, compound: Compound) -> bool:
    return Role.committee in roles_in(person, compound) or _staff(person, compound)


def _lives_here(person, compound: Compound) -> bool:
    """An owner or resident of the compound (committee members are owners): rates and posts requests."""
    return bool(roles_in(person, compound) & {Role.owner, Role.resident, Role.committee})


def _anyone(person, compound: Compound) -> bool:
    return True


# action → rule. Names say what the person wants to do.
ACTIONS: dict[str, Callable] = {
    "view_public": _anyone,  # the compound's name and public notices
    "view_members": _member,  # member-only pages: member notices, committee list
    "view_roll": _owner_side,  # 业主名册 (rooms and areas, no names): owners, committee, staff
    "post_notice": _committee_or_staff,
    "manage_compound": _staff,  # staff pages of a compound
    "import_register": _staff,
    "manage_roles": _staff,
    "manage_codes": _staff,
    "view_votes": _member,  # the compound's votes, turnout and results
    "manage_votes": _committee_or_staff,  # draft, announce, open, close resolutions and polls
    "certify_votes": _staff,  # elections, proxies, paper ballots, results, objections (社区监督)
    "manage_meetings": _committee_or_staff,  # create and prepare meetings (微会议)
    "view_board": _anyone,  # the public service-commitment board, report cards, public requests, the three lists
    "take_part": _lives_here,  # rate commitments, post requests and micro-wishes (owners and residents)
    "manage_board": _staff,  # organisations and their members, accept/decline/dispatch requests, supervise (督办)
}


def may(person, action: str, compound: Compound) -> bool:
    """True if the person may do `action` in `compound`."""
    return ACTIONS[action](person, compound)


def require(rule: str | bool, compound: Compound, person, shown: bool = False) -> None:
    """Go on when allowed, else abort: a login for visitors, 404 to those outside the compound, 403 to its members.

    `rule` is an action of ACTIONS ("view_votes"), or what a feature's access rule answered for this person
    (`access.can_edit_resource(current_user, resource)`): every view refuses through here, one way. `shown`: the
    page about it was already shown to this person (a meeting or request they may read), so it is no secret that
    it exists: 403 even outside the compound."""
    if may(person, rule, compound) if isinstance(rule, str) else rule:
        return
    if signed_in(person) is None:  # logged out: ask to log in rather than refuse
        abort(login_manager.unauthorized())
    if not shown and rule != "view_public" and not _member(person, compound):
        abort(404)
    abort(403)


def may_create_compound(person, community: Community) -> bool:
    """Staff create compounds in their own community; administrators anywhere."""
    return is_staff_of(person, community)


def visible_compounds(person) -> list[Compound]:
    """The compounds a person belongs to or supervises, by name."""
    person = signed_in(person)
    if person is None:
        return []
    query = db.select(Compound).order_by(Compound.name)
    if not is_admin(person):
        member = db.select(Membership.compound_id).where(Membership.person_id == person.id)
        query = query.where(Compound.id.in_(member) | Compound.community_id.in_(staff_community_ids(person) or [-1]))
    return list(db.session.scalars(query))
