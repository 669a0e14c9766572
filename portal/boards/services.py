"""Changes on the board: organisations and their members, pledges, progress, fulfilment, withdrawal, ratings.
Flush, never commit; one audit line per change. Views check access first (boards/access.py); services keep the
rules that hold whoever calls them (a reason to withdraw, stars 1–5, one rating per person, no rating from outside).
"""

from __future__ import annotations

from datetime import date
from typing import Required, TypedDict, Unpack

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from portal import audit, uploads
from portal.accounts.models import Person
from portal.boards import access, rules, undertakings
from portal.boards.models import (
    Category,
    Commitment,
    CommitmentStatus,
    Organisation,
    OrgKind,
    OrgMember,
    Progress,
    Rating,
)
from portal.compounds.models import Community, Compound
from portal.db import utcnow
from portal.extensions import db
from portal.refusals import Refused

COMMENT_LIMIT = 500  # characters of a rating's comment


_text = Refused.text


# Organisations and their members


class Identity(TypedDict, total=False):
    """亮身份 / 亮职责: what an organisation is (kind and name required), what it does, and where it serves (compound
    None: every compound of its community)."""

    kind: Required[OrgKind]
    name: Required[str]
    duty: str
    contact: str
    compound: Compound | None


def create_organisation(community: Community, actor, **identity: Unpack[Identity]) -> Organisation:
    """A new organisation of the community (for one of its compounds, or compound None: for all of them)."""
    organisation = Organisation(community_id=community.id, created_by_id=getattr(actor, "id", None))
    _identify(organisation, **identity)
    db.session.add(organisation)
    db.session.flush()
    kind, name = organisation.kind.value, organisation.name
    audit.record("org.created", actor, identity.get("compound"), organisation_id=organisation.id, kind=kind, name=name)
    return organisation


def change_organisation(organisation: Organisation, actor, **identity: Unpack[Identity]) -> None:
    """Change an organisation's identity, duty, contact or scope (its past pledges keep theirs)."""
    before = {"kind": organisation.kind.value, "name": organisation.name, "compound_id": organisation.compound_id}
    _identify(organisation, **identity)
    db.session.flush()
    detail = {"before": before, "kind": organisation.kind.value, "name": organisation.name}
    audit.record("org.changed", actor, identity.get("compound"), organisation_id=organisation.id, **detail)


def _identify(
    organisation: Organisation, *, kind: OrgKind, name: str, duty: str = "", contact: str = "", compound=None
) -> None:
    """Set what the organisation is (a name no other of its community has), does, and serves."""
    if compound is not None and compound.community_id != organisation.community_id:
        raise ValueError("the compound belongs to another community")
    name = _text(name, 100, code="name")
    if name != organisation.name:
        _check_name_free(organisation.community_id, name)
    organisation.kind, organisation.name = kind, name
    organisation.duty = _text(duty, required=False)
    organisation.contact = _text(contact, 100, required=False)
    organisation.compound_id = compound.id if compound is not None else None


def _check_name_free(community_id: int, name: str) -> None:
    taken = db.session.scalar(
        sa.select(Organisation.id).where(Organisation.community_id == community_id, Organisation.name == name)
    )
    if taken is not None:
        raise Refused("duplicate_name")


def add_member(organisation: Organisation, actor, person: Person, title: str = "", is_lead: bool = False) -> OrgMember:
    """Add a person who acts for the organisation (亮身份: their name and title are shown on its page)."""
    exists = db.session.scalar(
        sa.select(OrgMember.id).where(OrgMember.organisation_id == organisation.id, OrgMember.person_id == person.id)
    )
    if exists is not None:
        raise Refused("already_member")
    member = OrgMember(
        organisation_id=organisation.id, person_id=person.id, title=_text(title, 60, required=False), is_lead=is_lead
    )
    db.session.add(member)
    db.session.flush()
    access.forget_orgs()
    audit.record("org.member_added", actor, organisation.compound, organisation_id=organisation.id, person_id=person.id)
    return member


def remove_member(organisation: Organisation, actor, member: OrgMember) -> None:
    """Remove a member (their past pledges and progress stay, under their name)."""
    if member.organisation_id != organisation.id:
        raise ValueError("not a member of this organisation")
    person_id = member.person_id
    db.session.delete(member)
    db.session.flush()
    access.forget_orgs()
    audit.record(
        "org.member_removed", actor, organisation.compound, organisation_id=organisation.id, person_id=person_id
    )


# Commitments


def pledge(
    compound: Compound,
    actor,
    *,
    organisation: Organisation | None,
    title: str,
    target: str,
    category: Category,
    due_on: date,
    community_wide: bool = False,
    today: date | None = None,
) -> Commitment:
    """承诺: a measurable pledge with a due date on this compound's board, or on every board of the community."""
    today = rules.today_in_shanghai() if today is None else today
    if due_on < today:
        raise Refused("past_due")
    if organisation is not None and not access.serves(organisation, compound):
        raise ValueError("the organisation does not serve this compound")
    if community_wide and not access.may_pledge_community_wide(actor, organisation, compound):
        raise Refused("community_wide")
    commitment = Commitment(
        community_id=compound.community_id,
        compound_id=None if community_wide else compound.id,
        organisation_id=organisation.id if organisation is not None else None,
        pledger_id=actor.id,
        title=_text(title, 200, code="title"),
        target=_text(target, code="target"),
        category=category,
        due_on=due_on,
    )
    db.session.add(commitment)
    db.session.flush()
    detail = {"commitment_id": commitment.id, "organisation_id": commitment.organisation_id, "title": commitment.title}
    detail.update(due_on=due_on.isoformat(), community_wide=community_wide)
    audit.record("commitment.created", actor, compound, **detail)
    return commitment


# A pledge is an undertaking: progress while in progress, then fulfilled (践诺) or withdrawn.
STATES = CommitmentStatus
PLEDGE = undertakings.Ends(STATES.in_progress, "pledge_closed", STATES.fulfilled, "fulfilled_at", "fulfilled_note",
                           STATES.withdrawn, "withdrawn_at", "withdrawn_reason")  # fmt: skip


def add_progress(commitment: Commitment, actor, body: str, checked: list[uploads.Upload] = ()) -> Progress:
    """A dated update on the pledge's progress, its photos checked by photos.check_all (nothing stored if refused)."""
    update = Progress(commitment_id=commitment.id, author_id=actor.id)
    undertakings.add_update(commitment, PLEDGE, update, actor, body, checked, photo_link="progress_id")
    commitment.changed_at = utcnow()
    audit.record(
        "commitment.progress",
        actor,
        commitment.compound,
        commitment_id=commitment.id,
        progress_id=update.id,
        photos=len(checked),
    )
    return update


def fulfil(commitment: Commitment, actor, note: str) -> None:
    """践诺: mark the pledge fulfilled, saying what was done."""
    undertakings.finish(commitment, PLEDGE, note)
    audit.record("commitment.fulfilled", actor, commitment.compound, commitment_id=commitment.id)


def withdraw(commitment: Commitment, actor, reason: str) -> None:
    """Withdraw a pledge still in progress; the reason is required and shown on the board."""
    undertakings.give_up(commitment, PLEDGE, reason)
    reason = commitment.withdrawn_reason
    audit.record("commitment.withdrawn", actor, commitment.compound, commitment_id=commitment.id, reason=reason)


def rate(commitment: Commitment, person, compound: Compound, stars: object, comment: str = "") -> Rating:
    """Rate 1–5 with an optional comment; a person's second rating replaces the first (one row per person)."""
    if not rules.valid_stars(stars):
        raise Refused("stars")
    if not access.can_rate(person, commitment, compound):
        raise Refused("rate_not_allowed")
    comment = _text(comment, COMMENT_LIMIT, required=False)
    rating = _rating_of(commitment, person)
    previous = rating.stars if rating is not None else None
    if rating is None:
        try:
            with db.session.begin_nested():  # two first ratings at once: the unique constraint keeps one row
                rating = Rating(commitment_id=commitment.id, person_id=person.id, stars=stars, comment=comment)
                db.session.add(rating)
        except IntegrityError:
            rating = _rating_of(commitment, person)
    rating.stars, rating.comment = stars, comment
    db.session.flush()
    audit.record("commitment.rated", person, compound, commitment_id=commitment.id, stars=stars, replaced=previous)
    return rating


def _rating_of(commitment: Commitment, person) -> Rating | None:
    return db.session.scalar(
        sa.select(Rating).where(Rating.commitment_id == commitment.id, Rating.person_id == person.id)
    )
