"""What a secret vote's published totals give away by themselves (公布的票数本身透露的信息).

The law requires the heads and the area per answer to be published. When exactly one owner chose an answer, the
area shown for it is that owner's own area, so anyone who knows who took part can tell who it was; when every
participant chose the same, everybody's choice is known. A public paper count reveals exactly the same. Nothing here
hides a number: it only finds these cases so that the result can warn about them.

Pure: no Flask and no database, so it can be read and tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from portal.voting.tally import Answer

if TYPE_CHECKING:
    from portal.voting.results import VoteResults


class Reveal(StrEnum):
    """How a published number points to owners."""

    alone = "alone"  # exactly one participant chose it: their area is the area shown
    everyone = "everyone"  # every participant chose it: everybody's choice is known
    all_but_one = "all_but_one"  # a candidate ticked by all but one: the one left out is the area missing
    sole_voter = "sole_voter"  # only one owner took part: all of their choices are known


@dataclass(frozen=True)
class Disclosure:
    """One published number that reveals a choice: an item's answer, a candidate or a poll option."""

    kind: str  # "item", "candidate", "option", or "vote" for a sole voter
    subject: object | None  # the VoteItem, Candidate or PollOption; None for the whole vote
    answer: Answer | None  # an item's answer; None for candidates and options
    reveal: Reveal
    heads: int
    participants: int


def _reveal(heads: int, participants: int, *, complement: bool = False) -> Reveal | None:
    """Whether `heads` of `participants` points to owners (`complement`: also all-but-one, for ticked lists)."""
    if heads == 1:
        return Reveal.alone
    if heads == participants:
        return Reveal.everyone
    if complement and heads == participants - 1:
        return Reveal.all_but_one
    return None


def revealing(results: VoteResults) -> list[Disclosure]:
    """The numbers of a secret vote's result that reveal someone's choice, in the order the result shows them."""
    if results.vote.secrecy != "secret":  # Secrecy is a StrEnum: compared by value, without importing the models
        return []  # a named vote's choices are known to those who may see them anyway
    n = results.participation.heads
    if n == 0:
        return []
    if n == 1:
        return [Disclosure("vote", None, None, Reveal.sole_voter, 1, 1)]
    found = []
    for item, res in results.items:
        # The three answers add up to the participants, so "all but one" here is always another answer's "alone".
        for answer, weight in ((Answer.yes, res.yes), (Answer.no, res.no), (Answer.abstain, res.abstain)):
            if reveal := _reveal(weight.heads, n):
                found.append(Disclosure("item", item, answer, reveal, weight.heads, n))
    for candidate, res in results.candidates:
        # Several candidates may be ticked, so the one owner who left a candidate out shows as the area missing.
        if reveal := _reveal(res.votes.heads, n, complement=True):
            found.append(Disclosure("candidate", candidate, None, reveal, res.votes.heads, n))
    for option, res in results.options:
        # A poll publishes heads only: no area to match, but a lone or unanimous choice is still plain to see.
        if reveal := _reveal(res.heads, n):
            found.append(Disclosure("option", option, None, reveal, res.heads, n))
    return found
