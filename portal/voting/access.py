"""Voting access rules: who may see a draft, manage or certify a vote, use which right, see the results.

The pages load a vote through `portal.voting.loading`, which applies these rules."""

from __future__ import annotations

from flask import abort

from portal import permissions
from portal.db import utcnow
from portal.extensions import db
from portal.inputs import db_int
from portal.voting import electorate
from portal.voting.models import ProxyAuthorisation, Vote, VoteKind, VoteStatus, VotingRight


def can_see_draft(person, vote: Vote) -> bool:
    """Drafts are for those who prepare them; a draft election is its nomination phase, open to owners."""
    if can_manage(person, vote):
        return True
    return vote.kind == VoteKind.election and permissions.may(person, "view_roll", vote.compound)


def can_manage(person, vote: Vote) -> bool:
    """Committee or staff prepare resolutions and polls; elections and certification are staff's (社区监督)."""
    if vote.kind == VoteKind.election:
        return permissions.may(person, "certify_votes", vote.compound)
    return permissions.may(person, "manage_votes", vote.compound)


def can_drive_turnout(person, vote: Vote) -> bool:
    """Committee and staff, who knock on doors to reach the quorum: the turnout of each building and entrance, and
    reminders to those who have not voted."""
    return permissions.may(person, "manage_votes", vote.compound) or can_certify(person, vote)


def can_certify(person, vote: Vote) -> bool:
    """Staff certify results, record proxies and enter paper ballots."""
    return permissions.may(person, "certify_votes", vote.compound)


def proxy_rights(person, vote: Vote) -> list[VotingRight]:
    """The rights this person may use as a proxy in this vote (staff recorded the authorisation)."""
    if permissions.signed_in(person) is None:
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


def right_for(person, vote: Vote, on_behalf: str | None, own: VotingRight | None = None):
    """(right, proxy): the person's own right (`own` when already loaded), or an owner's right they hold a proxy
    for; 404 otherwise, 403 without a right."""
    if on_behalf:
        right_id = db_int(on_behalf)
        if right_id is None:
            abort(404)
        for right in proxy_rights(person, vote):
            if right.id == right_id:
                return right, person
        abort(404)
    right = own or electorate.right_of(vote, person)
    if right is None:
        abort(403)
    return right, None


RESULT_STATUSES = (VoteStatus.preliminary, VoteStatus.final, VoteStatus.archived)


def can_see_results(person, vote: Vote) -> bool:
    """Results are shown once posted; those who run the vote see them from its close. Never before."""
    if vote.status in RESULT_STATUSES:
        return True
    return vote.status == VoteStatus.closed and (can_manage(person, vote) or can_certify(person, vote))


def is_open_now(vote: Vote) -> bool:
    """Ballots are accepted: the vote is open and its closing time has not passed."""
    return vote.status == VoteStatus.open and utcnow() < vote.closes_at
