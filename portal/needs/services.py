"""Changes to requests and micro-wishes (群众点单 → 社区派单 → 党员接单; 收集 → 受理 → 处理 → 督办 → 反馈).

Flush, never commit. Every step is a NeedEvent on the request's timeline, moves `last_step_at` (the clock of 督办),
writes an audit line and tells the people concerned in their portal inbox. A step changes the status only from the
states it expects, in one conditional UPDATE, so two volunteers claiming at once cannot both get it. Views check
access first (needs/access.py); the rules that hold whoever calls (reasons, stars 1–5, who may be a taker) are here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from portal import audit, uploads, user_text
from portal.boards import photos, rules
from portal.boards.access import org_ids_of, serves
from portal.boards.models import Category, Organisation, OrgMember, Photo
from portal.compounds.models import Compound
from portal.db import utcnow
from portal.extensions import db
from portal.inbox import services as inbox
from portal.inputs import page_number
from portal.needs import access
from portal.needs.models import Need, NeedEvent, NeedKind, NeedStatus, NeedStep
from portal.refusals import Refused
from portal.roles.models import CommunityStaff

TITLE_LIMIT = 120  # the column's length
COMMENT_LIMIT = 500  # the requester's comment with the rating


_text = Refused.text


def _link(need: Need) -> str:
    return url_for("needs.show", slug=need.compound.slug, need_id=need.id)


def _move(need: Need, allowed: Iterable[NeedStatus], **values) -> None:
    """Change the request only if it is still in one of the `allowed` states (else Refused("changed"))."""
    values = user_text.with_html(Need, values)  # an UPDATE statement: the ORM's set events do not run
    db.session.flush()
    result = db.session.execute(
        sa.update(Need)
        .where(Need.id == need.id, Need.status.in_(list(allowed)))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(need)
        raise Refused("changed")
    for key, value in values.items():  # keep the object in step without another SELECT
        set_committed_value(need, key, value)


def _step(need: Need, step: NeedStep, actor, note: str = "", *, org=None, person=None, at=None) -> NeedEvent:
    """One step on the timeline, with its audit line."""
    event = NeedEvent(
        need_id=need.id,
        step=step,
        actor_id=getattr(actor, "id", None),
        taker_org_id=getattr(org, "id", None),
        taker_person_id=getattr(person, "id", None),
        note=note,
        at=at or utcnow(),
    )
    db.session.add(event)
    db.session.flush()
    detail = {"need_id": need.id, "event_id": event.id}
    if org is not None or person is not None:
        detail.update(taker_org_id=event.taker_org_id, taker_person_id=event.taker_person_id)
    audit.record(f"need.{step.value}", actor, need.compound, **detail)
    return event


def taker_ids(need: Need) -> set[int]:
    """Who acts as the taker: the person, or every member of the taking organisation."""
    ids = {need.taker_person_id} if need.taker_person_id is not None else set()
    if need.taker_org_id is not None:
        ids |= set(
            db.session.scalars(sa.select(OrgMember.person_id).where(OrgMember.organisation_id == need.taker_org_id))
        )
    return ids


def _tell(ids: Iterable[int], event: str, need: Need, actor) -> None:
    """Notify everyone in `ids` except whoever took the step."""
    others = set(ids) - {getattr(actor, "id", None)}
    inbox.notify(others, event, need.title, _link(need), need.compound)


# Steps


def post(
    compound: Compound,
    requester,
    *,
    kind: NeedKind,
    category: Category,
    title: str,
    description: str,
    is_public: bool = False,
    checked: list[uploads.Upload] = (),
) -> Need:
    """收集: a resident posts a request or micro-wish (photos already checked by photos.check_all); staff are told."""
    need = Need(
        compound_id=compound.id,
        requester_id=requester.id,
        kind=kind,
        category=category,
        title=_text(title, TITLE_LIMIT, code="need_title"),
        description=_text(description, code="description"),
        is_public=bool(is_public),
        status=NeedStatus.submitted,
    )
    now = utcnow()
    need.created_at = need.last_step_at = now
    db.session.add(need)
    db.session.flush()
    photos.save(list(checked), requester, need_id=need.id)
    _step(need, NeedStep.submitted, requester, at=now)
    staff = db.session.scalars(
        sa.select(CommunityStaff.person_id).where(CommunityStaff.community_id == compound.community_id)
    )
    _tell(staff, "need.submitted", need, requester)
    return need


def accept(need: Need, actor, note: str = "", *, org: Organisation | None = None, person=None) -> NeedEvent:
    """受理: staff accept a submitted request, leaving it open for volunteers to claim or dispatching it at once."""
    note = _text(note, required=False)
    now = utcnow()
    _move(need, [NeedStatus.submitted], status=NeedStatus.open, last_step_at=now)
    event = _step(need, NeedStep.accepted, actor, note, at=now)
    if org is None and person is None:
        _tell([need.requester_id], "need.accepted", need, actor)
        return event
    return take(need, actor, org=org, person=person)


def decline(need: Need, actor, reason: str) -> NeedEvent:
    """不予受理: staff decline a submitted request, with the reason the requester will read."""
    reason = _text(reason, code="reason")
    now = utcnow()
    _move(need, [NeedStatus.submitted], status=NeedStatus.declined, declined_reason=reason, last_step_at=now)
    event = _step(need, NeedStep.declined, actor, reason, at=now)
    _tell([need.requester_id], "need.declined", need, actor)
    return event


def may_take(person, compound: Compound) -> bool:
    """May be a taker in their own name: a volunteer or organisation member for the compound, or its staff."""
    return access.may_take_as_person(person, compound) or access.is_staff(person, compound)


def take(need: Need, actor, *, org: Organisation | None = None, person=None, note: str = "") -> NeedEvent:
    """接单 / 派单: the request is taken by an organisation or a person. `claimed` when the actor takes it for
    themselves or their own organisation (it must be open); `dispatched` when staff send it to someone else (from
    submitted, open, or taken: a second dispatch replaces a taker who did not act). The requester is told, and a
    dispatched taker too."""
    if (org is None) == (person is None):
        raise ValueError("a request is taken by exactly one organisation or one person")
    compound = need.compound
    if person is not None and person.id == need.requester_id:
        raise Refused("own")
    if org is not None and not serves(org, compound):
        raise Refused("not_serving")
    if person is not None and not may_take(person, compound):
        raise Refused("not_taker")
    own = (person is not None and person.id == actor.id) or (org is not None and org.id in org_ids_of(actor))
    if own and not access.is_staff(actor, compound):
        allowed = [NeedStatus.open]
    elif access.is_staff(actor, compound):
        allowed = [NeedStatus.submitted, NeedStatus.open, NeedStatus.taken]
    else:
        raise Refused("not_allowed")
    note = _text(note, required=False)
    now = utcnow()
    _move(
        need,
        allowed,
        status=NeedStatus.taken,
        taker_org_id=getattr(org, "id", None),
        taker_person_id=getattr(person, "id", None),
        last_step_at=now,
    )
    set_committed_value(need, "taker_org", org)
    set_committed_value(need, "taker_person", person)
    step = NeedStep.claimed if own else NeedStep.dispatched
    event = _step(need, step, actor, note, org=org, person=person, at=now)
    _tell([need.requester_id], f"need.{step.value}", need, actor)
    if not own:
        _tell(taker_ids(need) - {need.requester_id}, "need.assigned", need, actor)
    return event


def mark_done(need: Need, actor, note: str, checked: list[uploads.Upload] = ()) -> NeedEvent:
    """办结: the taker says what was done (with photos already checked); the requester is asked to confirm."""
    if not access.is_taker(actor, need):
        raise Refused("not_taker")
    note = _text(note, code="note")
    now = utcnow()
    _move(need, [NeedStatus.taken], status=NeedStatus.done, done_note=note, last_step_at=now)
    photos.save(list(checked), actor, need_id=need.id)
    event = _step(need, NeedStep.done, actor, note, at=now)
    _tell([need.requester_id], "need.done", need, actor)
    return event


def confirm(need: Need, actor, stars: object, comment: str = "") -> NeedEvent:
    """反馈: the requester confirms it is done and rates it 1–5 (optional comment); it is closed."""
    if actor.id != need.requester_id:
        raise Refused("not_requester")
    if not rules.valid_stars(stars):
        raise Refused("stars")
    comment = _text(comment, COMMENT_LIMIT, required=False)
    now = utcnow()
    _move(
        need,
        [NeedStatus.done],
        status=NeedStatus.closed,
        stars=stars,
        rating_comment=comment,
        closed_at=now,
        last_step_at=now,
    )
    event = _step(need, NeedStep.confirmed, actor, comment, at=now)
    audit.record("need.rated", actor, need.compound, need_id=need.id, stars=stars)
    _tell(taker_ids(need), "need.confirmed", need, actor)
    return event


def reopen(need: Need, actor, reason: str) -> NeedEvent:
    """The requester says it is not done yet, with a reason: back to the same taker, who is told."""
    if actor.id != need.requester_id:
        raise Refused("not_requester")
    reason = _text(reason, code="reason")
    now = utcnow()
    _move(need, [NeedStatus.done], status=NeedStatus.taken, done_note=None, last_step_at=now)
    event = _step(need, NeedStep.reopened, actor, reason, at=now)
    _tell(taker_ids(need), "need.reopened", need, actor)
    return event


def supervise(need: Need, actor, note: str = "") -> NeedEvent:
    """督办: staff press for a request in hand or done; the taker and the requester are told, the clock restarts."""
    note = _text(note, required=False)
    now = utcnow()
    _move(need, access.PRESSABLE_STATES, last_step_at=now)
    event = _step(need, NeedStep.supervised, actor, note, at=now)
    _tell(taker_ids(need), "need.supervised", need, actor)
    _tell([need.requester_id], "need.followed_up", need, actor)
    return event


# Supervision (督办): computed in SQL, with `now` injectable for tests


def supervision_days() -> int:
    """PORTAL_SUPERVISION_DAYS: how many days a request may go untouched before it is flagged."""
    return int(current_app.config["PORTAL_SUPERVISION_DAYS"])


def flag_cutoff(now: datetime | None = None, days: int | None = None) -> datetime:
    """Requests whose last step is older than this are flagged."""
    return (now or utcnow()) - timedelta(days=supervision_days() if days is None else days)


def flagged_clause(now: datetime | None = None, days: int | None = None):
    """SQL: unfinished, and no step since the cutoff."""
    return Need.status.in_(list(access.UNFINISHED_STATES)) & (Need.last_step_at < flag_cutoff(now, days))


def is_flagged(need: Need, now: datetime | None = None, days: int | None = None) -> bool:
    """The same rule for one request already loaded."""
    return need.status in access.UNFINISHED_STATES and need.last_step_at < flag_cutoff(now, days)


def supervision(compound: Compound, now: datetime | None = None, limit: int = 20) -> tuple[list[Need], int]:
    """(the longest-untouched flagged requests, how many are flagged) for the staff page of the compound."""
    where = (Need.compound_id == compound.id) & flagged_clause(now)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Need).where(where))
    if not total:
        return [], 0
    rows = db.session.scalars(
        sa.select(Need)
        .where(where)
        .options(joinedload(Need.taker_org), joinedload(Need.taker_person))
        .order_by(Need.last_step_at, Need.id)
        .limit(limit)
    )
    return list(rows), total


# Reading


VIEWS = ("public", "mine", "taking", "claim", "all")
PAGE_SIZE = 30


@dataclass
class Filters:
    """The list's tab and filters, read from the query string (unknown values are ignored, not errors)."""

    view: str = "public"
    kind: str = ""
    category: str = ""
    status: str = ""
    flagged: bool = False
    page: int = 1

    @classmethod
    def from_args(cls, args, views: Iterable[str]) -> Filters:
        """Filters from request.args; a tab the person may not use falls back to the public list."""
        view = args.get("view", "")
        kind, category, status = args.get("kind", ""), args.get("category", ""), args.get("status", "")
        return cls(
            view=view if view in views else "public",
            kind=kind if kind in NeedKind.__members__ else "",
            category=category if category in Category.__members__ else "",
            status=status if status in NeedStatus.__members__ else "",
            flagged=args.get("flagged") == "1",
            page=page_number(args.get("page")),
        )

    def args(self, **changes) -> dict:
        """Query-string arguments for a link (e.g. the next page), leaving out empty ones."""
        values = {
            "view": self.view,
            "kind": self.kind,
            "category": self.category,
            "status": self.status,
            "flagged": "1" if self.flagged else "",
            "page": self.page,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v and not (k == "page" and v == 1)}


def views_for(person, compound: Compound) -> list[str]:
    """The tabs a person has: the public list for all; their own requests for residents; requests to claim and
    those they took for volunteers and organisation members; every request for staff."""
    from portal import permissions

    views = ["public"]
    if permissions.signed_in(person) is None:
        return views
    if permissions.may(person, "take_part", compound):
        views.append("mine")
    if access.may_claim_somewhere(person, compound):
        views += ["claim", "taking"]
    if access.is_staff(person, compound):
        views.append("all")
    return views


@dataclass
class Page:
    """One page of the list."""

    needs: list[Need]
    has_next: bool
    names: bool  # the requester's name is shown (their own, taken, or staff lists)


def listing(compound: Compound, person, filters: Filters) -> Page:
    """The requests of one tab, newest first, filtered; a fixed number of queries however many there are."""
    query = sa.select(Need).where(Need.compound_id == compound.id)
    names = filters.view in ("mine", "taking", "all")
    if filters.view == "public":
        query = query.where(Need.is_public.is_(True), Need.status.in_(list(access.PUBLIC_STATES)))
    elif filters.view == "mine":
        query = query.where(Need.requester_id == person.id)
    elif filters.view == "taking":
        orgs = list(org_ids_of(person))
        mine = Need.taker_person_id == person.id
        query = query.where(mine | Need.taker_org_id.in_(orgs) if orgs else mine)
    elif filters.view == "claim":
        query = query.where(Need.status == NeedStatus.open, Need.is_public.is_(True), Need.requester_id != person.id)
    if filters.kind:
        query = query.where(Need.kind == NeedKind(filters.kind))
    if filters.category:
        query = query.where(Need.category == Category(filters.category))
    if filters.status:
        query = query.where(Need.status == NeedStatus(filters.status))
    if filters.flagged:
        query = query.where(flagged_clause())
    options = [joinedload(Need.taker_org), joinedload(Need.taker_person)]
    if names:
        options.append(joinedload(Need.requester))
    order = (Need.last_step_at, Need.id) if filters.flagged else (Need.created_at.desc(), Need.id.desc())
    rows = list(
        db.session.scalars(
            query.options(*options).order_by(*order).limit(PAGE_SIZE + 1).offset((filters.page - 1) * PAGE_SIZE)
        )
    )
    return Page(needs=rows[:PAGE_SIZE], has_next=len(rows) > PAGE_SIZE, names=names)


def counts(compound: Compound) -> dict[str, int]:
    """How many requests of the compound are in each status, and how many are flagged (for staff)."""
    rows = db.session.execute(
        sa.select(
            Need.status,
            sa.func.count(),
            sa.func.sum(sa.case((flagged_clause(), 1), else_=0)),
        )
        .where(Need.compound_id == compound.id)
        .group_by(Need.status)
    ).all()
    result = {status.value: 0 for status in NeedStatus}
    result["flagged"] = 0
    for status, count, flagged in rows:
        result[NeedStatus(status).value] = count
        result["flagged"] += int(flagged or 0)
    return result


def timeline(need: Need) -> list[NeedEvent]:
    """Every step of the request, oldest first, with who took it and for whom."""
    people = (joinedload(NeedEvent.actor), joinedload(NeedEvent.taker_org), joinedload(NeedEvent.taker_person))
    query = sa.select(NeedEvent).where(NeedEvent.need_id == need.id).options(*people).order_by(NeedEvent.id)
    return list(db.session.scalars(query))


def photos_of(need: Need) -> list[Photo]:
    """The request's photos: the requester's, then the taker's."""
    return list(db.session.scalars(sa.select(Photo).where(Photo.need_id == need.id).order_by(Photo.id)))


def volunteers(compound: Compound) -> list:
    """Volunteers of the compound (派单 to a person), by name."""
    from portal.accounts.models import Person
    from portal.roles.models import Membership, Role

    return list(
        db.session.scalars(
            sa.select(Person)
            .join(Membership, Membership.person_id == Person.id)
            .where(Membership.compound_id == compound.id, Membership.role == Role.volunteer)
            .order_by(Person.name, Person.id)
        )
    )
