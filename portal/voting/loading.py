"""Load the vote a page is about: the permission check, drafts only for those who prepare them, and the window's
due step (a vote opens and closes by itself on the first request after its time, as `portal tick` would)."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from portal import permissions
from portal.compounds.models import Compound
from portal.compounds.services import get_compound
from portal.extensions import db
from portal.voting import access, lifecycle
from portal.voting.models import Vote, VoteStatus, VotingRight


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
    as_proxy = action == "view_votes" and vote is not None and vote.status != VoteStatus.draft
    if (
        (right is None or vote.status == VoteStatus.draft)
        and not permissions.may(current_user, action, compound)
        and not (as_proxy and access.proxy_rights(current_user, vote))
    ):
        permissions.require(action, compound, current_user)
    if vote is None:
        abort(404)
    if vote.status == VoteStatus.draft and not access.can_see_draft(current_user, vote):
        abort(404)
    lifecycle.keep_time(vote)  # the window opens and closes the vote by itself, on the first request after
    return compound, vote, right
