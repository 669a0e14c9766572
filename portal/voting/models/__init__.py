"""Voting models: the vote and what voters answer; the frozen electorate; the ballot box."""

from portal.voting.models.ballot import (
    Ballot,
    BallotChannel,
    Conflict,
    PaperEntry,
    PaperEnvelope,
    Participation,
    ProxyAuthorisation,
)
from portal.voting.models.electorate import VotingRight, VotingRightUnit
from portal.voting.models.vote import (
    Candidate,
    CandidateStatus,
    Matter,
    Nomination,
    NominationState,
    Objection,
    PollOption,
    Secrecy,
    Vote,
    VoteEvent,
    VoteItem,
    VoteKind,
    VoteScope,
    VoteStatus,
)

__all__ = [
    "Ballot",
    "BallotChannel",
    "Candidate",
    "CandidateStatus",
    "Conflict",
    "Matter",
    "Nomination",
    "NominationState",
    "Objection",
    "PaperEntry",
    "PaperEnvelope",
    "Participation",
    "PollOption",
    "ProxyAuthorisation",
    "Secrecy",
    "Vote",
    "VoteEvent",
    "VoteItem",
    "VoteKind",
    "VoteScope",
    "VoteStatus",
    "VotingRight",
    "VotingRightUnit",
]
