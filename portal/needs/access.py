"""Who may see a request or micro-wish, see who asked, and take each step on it. Views call these first.

Rules:
- A request is public only if the requester allowed it AND staff accepted it (open, taken, done, closed): then anyone
  reads it, without the requester's name, room or photos. Otherwise only the requester, the community's staff and
  the taker (the person, or a member of the taking organisation) may see it; anyone else gets 404.
- The requester's name, rooms and the photos are shown only to the requester, staff and the taker: photos of a
  doorway or a room can tell who and where as surely as a name.
- Staff (manage_board) accept, decline, dispatch and supervise (督办). Volunteers of the compound and members of
  organisations serving it claim open requests they may see. The taker marks it done; only the requester confirms
  and rates it, or reopens it.
"""

from __future__ import annotations

from flask import abort

from portal import permissions
from portal.boards.access import is_volunteer, org_ids_of, serving
from portal.boards.models import Organisation
from portal.compounds.models import Compound
from portal.compounds.services import get_compound
from portal.extensions import db
from portal.needs.models import Need, NeedStatus

# Accepted by staff: a public request shows on public pages from then on (a submitted one is not yet reviewed).
PUBLIC_STATES = frozenset({NeedStatus.open, NeedStatus.taken, NeedStatus.done, NeedStatus.closed})
# Still to be dealt with: flagged for 督办 when untouched too long, and may be pressed.
UNFINISHED_STATES = frozenset({NeedStatus.submitted, NeedStatus.open, NeedStatus.taken, NeedStatus.done})
PRESSABLE_STATES = frozenset({NeedStatus.taken, NeedStatus.done})  # someone other than staff is to act


def load(slug: str, need_id: int, person) -> tuple[Compound, Need]:
    """(compound, request) if the person may see it; a login first for visitors, 404 for everyone else."""
    compound = get_compound(slug)
    need = db.session.scalar(db.select(Need).where(Need.id == need_id, Need.compound_id == compound.id))
    if need is None:
        abort(404)
    if not may_see(person, need):
        if permissions.signed_in(person) is None:  # the requester may follow a notification's link while logged out
            abort(permissions.login_manager.unauthorized())
        abort(404)
    return compound, need


def is_staff(person, compound: Compound) -> bool:
    """Community staff of the compound (and admins): accept, decline, dispatch, supervise."""
    return permissions.may(permissions.signed_in(person), "manage_board", compound)


def is_requester(person, need: Need) -> bool:
    """The resident who posted it."""
    person = permissions.signed_in(person)
    return person is not None and person.id == need.requester_id


def is_taker(person, need: Need) -> bool:
    """The person who took it on, or a member of the organisation that did."""
    person = permissions.signed_in(person)
    if person is None:
        return False
    if need.taker_person_id is not None and need.taker_person_id == person.id:
        return True
    return need.taker_org_id is not None and need.taker_org_id in org_ids_of(person)


def sees_name(person, need: Need) -> bool:
    """May read who asked, their rooms, and the photos: the requester, staff and the taker."""
    return is_requester(person, need) or is_taker(person, need) or is_staff(person, need.compound)


def may_see(person, need: Need) -> bool:
    """May read the request at all: everyone once a public one is accepted; else the requester, staff, the taker."""
    if need.is_public and need.status in PUBLIC_STATES:
        return True
    return sees_name(person, need)


def claim_orgs(person, compound: Compound) -> list[Organisation]:
    """Organisations serving the compound that the person belongs to (they may claim for them)."""
    mine = org_ids_of(permissions.signed_in(person))
    return [o for o in serving(compound) if o.id in mine] if mine else []


def may_take_as_person(person, compound: Compound, orgs: list[Organisation] | None = None) -> bool:
    """May take requests in their own name: a volunteer of the compound or a member of an organisation serving it."""
    person = permissions.signed_in(person)
    if person is None:
        return False
    return is_volunteer(person, compound) or bool(claim_orgs(person, compound) if orgs is None else orgs)


def claim_choices(person, need: Need) -> tuple[list[Organisation], bool]:
    """(organisations the person may claim the request for, may claim it in their own name); nothing if they may
    not claim it at all (not open, not visible to them, their own request)."""
    person = permissions.signed_in(person)
    if person is None or need.status != NeedStatus.open or is_requester(person, need) or not may_see(person, need):
        return [], False
    orgs = claim_orgs(person, need.compound)
    return orgs, may_take_as_person(person, need.compound, orgs)


def may_claim_somewhere(person, compound: Compound) -> bool:
    """Shows the "to claim" list: a volunteer of the compound or a member of an organisation serving it."""
    return may_take_as_person(person, compound)


def can_accept(person, need: Need) -> bool:
    """受理 or 不予受理: staff, while the request waits for review."""
    return need.status == NeedStatus.submitted and is_staff(person, need.compound)


def can_dispatch(person, need: Need) -> bool:
    """派单: staff send a request to an organisation or a volunteer (again, if the first taker does not act)."""
    return need.status in (NeedStatus.submitted, NeedStatus.open, NeedStatus.taken) and is_staff(person, need.compound)


def can_mark_done(person, need: Need) -> bool:
    """办结: the taker reports it done."""
    return need.status == NeedStatus.taken and is_taker(person, need)


def can_answer(person, need: Need) -> bool:
    """反馈: only the requester confirms and rates it, or reopens it, once the taker says it is done."""
    return need.status == NeedStatus.done and is_requester(person, need)


def can_supervise(person, need: Need) -> bool:
    """督办: staff press the taker of a request in hand (or, once it is done, the requester to confirm). A request
    still waiting for review or a taker is flagged too, but it is staff's own move: accept or dispatch it."""
    return need.status in PRESSABLE_STATES and is_staff(person, need.compound)
