"""What a secret vote's published totals reveal by themselves: answers chosen by one owner, or by all of them."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from portal.voting import tally
from portal.voting.disclosure import Reveal, revealing
from portal.voting.models import Secrecy
from portal.voting.results import VoteResults
from portal.voting.tally import Answer, Counts, Weight

ELECTORATE = Weight(10, Decimal("1000.00"))


def weight(heads: int) -> Weight:
    """Every participant of these cases holds 100.00 m²."""
    return Weight(heads, Decimal(100 * heads))


def results_of(secrecy="secret", n=4, items=None, candidates=None, options=None, poll_multiple=False) -> VoteResults:
    """A VoteResults as results.compute builds it, from heads per answer / candidate / option."""
    items, candidates, options = items or {}, candidates or {}, options or {}
    counts = Counts(
        participation=weight(n),
        items={key: {a: weight(h) for a, h in zip(Answer, row, strict=True)} for key, row in items.items()},
        candidates={key: weight(h) for key, h in candidates.items()},
        options=dict(options),
    )
    vote = SimpleNamespace(secrecy=Secrecy(secrecy), poll_multiple=poll_multiple)
    r = VoteResults(vote=vote, electorate=ELECTORATE, participation=counts.participation, quorum_met=False)
    if items:
        matters = dict.fromkeys(items, tally.Matter.ordinary)
        r.items = [(SimpleNamespace(key=d.key), d) for d in tally.decide_items(ELECTORATE, counts, matters)]
    if candidates:
        decided = tally.decide_election(ELECTORATE, counts, 3, list(candidates))
        ranked = sorted(decided, key=lambda d: (-d.votes.heads, -d.votes.area))  # as results.compute shows them
        r.candidates = [(SimpleNamespace(key=d.key), d) for d in ranked]
    if options:
        r.options = [(SimpleNamespace(key=d.key), d) for d in tally.decide_poll(counts, list(options))]
    return r


ALONE, EVERYONE, ALL_BUT_ONE, SOLE = Reveal.alone, Reveal.everyone, Reveal.all_but_one, Reveal.sole_voter
CASES = [
    # (id, results, expected (kind, key, answer, reveal) in display order)
    ("named votes show choices anyway", results_of("named", 4, items={"a": (3, 1, 0)}), []),
    ("nobody took part", results_of(n=0, items={"a": (0, 0, 0)}, candidates={"x": 0}), []),
    ("one participant: all their choices", results_of(n=1, items={"a": (1, 0, 0)}), [("vote", None, None, SOLE)]),
    ("one owner against", results_of(n=4, items={"a": (3, 1, 0)}), [("item", "a", Answer.no, ALONE)]),
    ("everybody agrees", results_of(n=4, items={"a": (4, 0, 0)}), [("item", "a", Answer.yes, EVERYONE)]),
    ("everybody abstains", results_of(n=3, items={"a": (0, 0, 3)}), [("item", "a", Answer.abstain, EVERYONE)]),
    ("two and two: nothing", results_of(n=4, items={"a": (2, 2, 0)}), []),
    (
        "one each of two",
        results_of(n=2, items={"a": (1, 1, 0)}),
        [("item", "a", "yes", ALONE), ("item", "a", "no", ALONE)],
    ),
    (
        "several items, in order",
        results_of(n=4, items={"a": (2, 1, 1), "b": (2, 2, 0), "c": (3, 0, 1)}),
        [("item", "a", "no", ALONE), ("item", "a", "abstain", ALONE), ("item", "c", "abstain", ALONE)],
    ),
    (
        "candidates: one vote, all votes, all but one (the one left out shows by area)",
        results_of(n=5, candidates={"p": 1, "q": 5, "r": 4, "s": 0, "t": 3}),
        [("candidate", "q", None, EVERYONE), ("candidate", "r", None, ALL_BUT_ONE), ("candidate", "p", None, ALONE)],
    ),
    (
        "two participants: one vote is not also 'all but one'",
        results_of(n=2, candidates={"p": 1, "q": 0}),
        [("candidate", "p", None, ALONE)],
    ),
    (
        "poll options: one and all, counted by heads only",
        results_of(n=3, options={"x": 1, "y": 2, "z": 0}),
        [("option", "x", None, ALONE)],
    ),
    (
        "multiple-choice poll: everyone ticked one option",
        results_of(n=3, options={"x": 3, "y": 1}, poll_multiple=True),
        [("option", "x", None, EVERYONE), ("option", "y", None, ALONE)],
    ),
]


@pytest.mark.parametrize(("results", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_revealing_finds_exactly_the_answers_that_point_to_owners(results, expected):
    found = revealing(results)
    got = [(d.kind, d.subject.key if d.subject is not None else None, d.answer, d.reveal) for d in found]
    assert got == expected
    for d in found:
        assert d.participants == results.participation.heads
        assert d.heads == {ALONE: 1, EVERYONE: d.participants, ALL_BUT_ONE: d.participants - 1, SOLE: 1}[d.reveal]
