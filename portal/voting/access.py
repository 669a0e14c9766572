"""Voting access helpers shared by the vote pages: load a vote the person may see, and whose right they use."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from portal import permissions
from portal.compounds.models import Compound
from portal.compounds.services import get_compound
from portal.db import utcnow
from portal.extensions import db
from portal.inputs import db_int
from portal.voting import electorate
from portal.voting.models import ProxyAuthorisation, Vote, VoteKind, VoteStatus, VotingRight


def load(slug: str, vote_id: int, action: str = "view_votes"):
    """(compound, vote) after the permission check; drafts exist only for those who prepare votes."""
    compound, vote, _right = _load(slug, vote_id, action, with_right=False)
    return compound, vote


def load_with_right(slug: str, vote_id: int):
    """(compound, vote, own right) for the ballot: one query, as casting is the hot path.

    Holding a right on the roll frozen at opening is itself the permission to see the vote and cast (the electorate
    does not change while the vote runs), so the role look-up is needed only for those without one.
    """
    return _load(slug, vote_id, "view_votes", with_right=True)


def _load(slug: str, vote_id: int, action: str, with_right: bool):
    # One query for the vote, its compound and its items (every vote page needs all three), and on the ballot the
    # person's own voting right.
    person_id = current_user.id if with_right and current_user.is_authenticated else None
    query = (
        db.select(Vote, VotingRight)
        .join(Vote.compound)
        .outerjoin(VotingRight, (VotingRight.vote_id == Vote.id) & (VotingRight.person_id == person_id))
        if person_id is not None
        else db.select(Vote).join(Vote.compound)
    )
    query = query.where(Vote.id == vote_id, Compound.slug == slug).options(
        db.contains_eager(Vote.compound), db.joinedload(Vote.items)
    )
    row = db.session.execute(query).unique().one_or_none()
    vote, right = (None, None) if row is None else (row[0], row[1] if person_id is not None else None)
    compound = vote.compound if vote is not None else get_compound(slug)
    # A proxy need not live in the compound: holding an authorisation for this vote lets them see it.
    if (
        (right is None or vote.status == VoteStatus.draft)
        and not permissions.may(current_user, action, compound)
        and not (action == "view_votes" and vote is not None and vote.status != VoteStatus.draft and proxy_rights(vote))
    ):
        permissions.require(action, compound)
    if vote is None:
        abort(404)
    if vote.status == VoteStatus.draft and not may_see_draft(vote):
        abort(404)
    from portal.voting import lifecycle

    lifecycle.keep_time(vote)  # the window opens and closes the vote by itself, on the first request after
    return compound, vote, right


def may_see_draft(vote: Vote, person=None) -> bool:
    """Drafts are for those who prepare them; a draft election is its nomination phase, open to owners."""
    person = current_user if person is None else person
    if may_manage(vote, person):
        return True
    return vote.kind == VoteKind.election and permissions.may(person, "view_roll", vote.compound)


def may_manage(vote: Vote, person=None) -> bool:
    """Committee or staff prepare resolutions and polls; elections and certification are staff's (社区监督)."""
    person = current_user if person is None else person
    if vote.kind == VoteKind.election:
        return permissions.may(person, "certify_votes", vote.compound)
    return permissions.may(person, "manage_votes", vote.compound)


def may_certify(vote: Vote, person=None) -> bool:
    """Staff certify results, record proxies and enter paper ballots."""
    return permissions.may(current_user if person is None else person, "certify_votes", vote.compound)


def proxy_rights(vote: Vote, person=None) -> list[VotingRight]:
    """The rights this person may use as a proxy in this vote (staff recorded the authorisation)."""
    person = current_user if person is None else person
    if not getattr(person, "is_authenticated", False):
        return []
    return list(
        db.session.scalars(
            db.select(VotingRight)
            .join(ProxyAuthorisation, ProxyAuthorisation.owner_id == VotingRight.person_id)
            .where(
                VotingRight.vote_id == vote.id,
                ProxyAuthorisation.vote_id == vote.id,
                ProxyAuthorisation.proxy_id == person.id,
                ProxyAuthorisation.revoked_at.is_(None),
            )
            .order_by(VotingRight.ordinal)
        )
    )


def right_for(vote: Vote, on_behalf: str | None, own: VotingRight | None = None):
    """(right, proxy): the person's own right (`own` when already loaded), or an owner's right they hold a proxy
    for; 404 otherwise."""
    if on_behalf:
        right_id = db_int(on_behalf)
        if right_id is None:
            abort(404)
        for right in proxy_rights(vote):
            if right.id == right_id:
                return right, current_user
        abort(404)
    right = own or electorate.right_of(vote, current_user)
    if right is None:
        abort(403)
    return right, None


RESULT_STATUSES = (VoteStatus.preliminary, VoteStatus.final, VoteStatus.archived)


def results_visible(vote: Vote) -> bool:
    """Results are shown once posted; those who run the vote see them from its close. Never before."""
    if vote.status in RESULT_STATUSES:
        return True
    return vote.status == VoteStatus.closed and (may_manage(vote) or may_certify(vote))


def is_open_now(vote: Vote) -> bool:
    """Ballots are accepted: the vote is open and its closing time has not passed."""
    return vote.status == VoteStatus.open and utcnow() < vote.closes_at
