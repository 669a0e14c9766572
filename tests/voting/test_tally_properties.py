"""Random registers and ballots: the tally agrees with a naive recount in integer cents, whatever the ballot order.

The recount below is written on purpose without the tally's helpers: plain loops, areas as integer cents and
thresholds as cross-multiplied integer comparisons (Art. 278: quorum >= 2/3 of heads and area; ordinary > 1/2,
major >= 3/4 of the participating heads and area).
"""

from __future__ import annotations

from decimal import Decimal
from itertools import groupby
from random import Random

from hypothesis import event, given, settings
from hypothesis import strategies as st

from portal.voting.tally import (
    Answer,
    Matter,
    Weight,
    WeightedBallot,
    aggregate,
    decide_election,
    decide_items,
    decide_poll,
    electorate_of,
)

SETTINGS = settings(max_examples=200, deadline=None)

MISSING = "missing"  # the key is left out of the ballot's answers; like None, a blank item
ANSWERS = [Answer.yes, Answer.no, Answer.abstain, None, MISSING]
# Two registers in three are small with equal or near-equal areas, so that exact boundaries (2/3, 1/2, 3/4 to the
# cent) and exact ties come up often; the rest are 1–60 rights with any area from 0.01 to 500.00 m².
NEAR_EQUAL_CENTS = [9_999, 10_000, 10_001, 5_000, 15_000]


def to_area(cents: int) -> Decimal:
    """Integer cents as the two-place Decimal the register stores."""
    return Decimal(cents).scaleb(-2)


@st.composite
def registers(draw):
    """Areas in cents of 1–60 rights, which of them cast a ballot, and a seeded generator for the ballots."""
    rng = Random(draw(st.integers(0, 2**32)))  # hypothesis picks the shape; the seed spreads the details evenly
    kind = draw(st.sampled_from(["near_equal", "equal", "any"]))
    if kind == "near_equal":
        cents = [rng.choice(NEAR_EQUAL_CENTS) for _ in range(draw(st.integers(1, 12)))]
    elif kind == "equal":  # a tie in heads is then a tie in area too
        cents = [draw(st.integers(1, 50_000))] * draw(st.integers(1, 12))
    else:
        cents = [rng.randint(1, 50_000) for _ in range(draw(st.integers(1, 60)))]
    turnout = draw(st.sampled_from([100, 100, 90, 67, 50]))  # percent; full turnout often, so the quorum is met
    # Turnout may lean to the big or the small units, so that one half of the quorum is met and the other is not.
    lean = draw(st.sampled_from(["none", "none", "big", "small"]))
    median = sorted(cents)[len(cents) // 2]
    voted = []
    for c in cents:
        chance = turnout
        if lean != "none" and (c >= median) == (lean == "big"):
            chance = 100
        elif lean != "none":
            chance = turnout // 2
        voted.append(rng.randrange(100) < chance)
    return cents, voted, rng


@st.composite
def decisions(draw):
    """A register, who voted, and each ballot's answers (incl. None and missing keys) to 1–4 items of random matters."""
    cents, voted, rng = draw(registers())
    matters = draw(st.lists(st.sampled_from([Matter.ordinary, Matter.major]), min_size=1, max_size=4))
    keys = [f"item{i}" for i in range(len(matters))]
    # Each item has its own chance of yes (near 1/2 and 3/4 often); the rest is spread over no and the blanks.
    yes_rates = [draw(st.sampled_from([50, 60, 75, 80, 100, 30])) for _ in keys]
    answers = [
        [Answer.yes if rng.randrange(100) < rate else rng.choice(ANSWERS[1:]) for rate in yes_rates] if v else None
        for v in voted
    ]  # answers[i] is None when right i did not vote
    return cents, keys, dict(zip(keys, matters, strict=True)), answers


def ballots_for(cents, keys, answers):
    """One WeightedBallot per right that voted (heads 1, its area); a MISSING answer leaves the key out."""
    ballots = []
    for c, row in zip(cents, answers, strict=True):
        if row is None:
            continue
        given_answers = {k: a for k, a in zip(keys, row, strict=True) if a != MISSING}
        ballots.append(WeightedBallot(weight=Weight(1, to_area(c)), answers=given_answers))
    return ballots


def naive_items(cents, keys, matters, answers):
    """Recount each item from scratch: key -> (quorum, yes heads, yes cents, no..., abstain..., passed, reason)."""
    total_heads = len(cents)
    total_cents = sum(cents)
    heads = 0
    part_cents = 0
    for c, row in zip(cents, answers, strict=True):
        if row is not None:
            heads += 1
            part_cents += c
    quorum_heads = 3 * heads >= 2 * total_heads
    quorum_area = 3 * part_cents >= 2 * total_cents
    out = {}
    for i, key in enumerate(keys):
        tally = {"yes": [0, 0], "no": [0, 0], "abstain": [0, 0]}
        for c, row in zip(cents, answers, strict=True):
            if row is None:
                continue
            a = row[i]
            name = "abstain" if a is None or a == MISSING else str(a)
            tally[name][0] += 1
            tally[name][1] += c
        yes_heads, yes_cents = tally["yes"]
        if matters[key] == Matter.ordinary:
            heads_ok = 2 * yes_heads > heads
            area_ok = 2 * yes_cents > part_cents
        else:
            heads_ok = heads > 0 and 4 * yes_heads >= 3 * heads
            area_ok = part_cents > 0 and 4 * yes_cents >= 3 * part_cents
        if not quorum_heads and not quorum_area:
            reason = "no_quorum_both"
        elif not quorum_heads:
            reason = "no_quorum_heads"
        elif not quorum_area:
            reason = "no_quorum_area"
        elif heads_ok and area_ok:
            reason = "passed"
        elif not heads_ok and not area_ok:
            reason = "both_short"
        elif not heads_ok:
            reason = "heads_short"
        else:
            reason = "area_short"
        out[key] = (
            quorum_heads and quorum_area,
            tally["yes"],
            tally["no"],
            tally["abstain"],
            reason == "passed",
            reason,
        )
    return out


def cents_of(weight: Weight) -> list[int]:
    """[heads, area in integer cents], the recount's units."""
    cents = weight.area.scaleb(2)
    assert cents == int(cents)
    return [weight.heads, int(cents)]


@given(decisions(), st.randoms(use_true_random=False))
@SETTINGS
def test_items_match_a_naive_recount_in_any_ballot_order(decision, rnd):
    cents, keys, matters, answers = decision
    electorate = electorate_of(Weight(1, to_area(c)) for c in cents)
    ballots = ballots_for(cents, keys, answers)
    counts = aggregate(ballots, item_keys=keys)
    results = decide_items(electorate, counts, matters)

    expected = naive_items(cents, keys, matters, answers)
    assert [r.key for r in results] == keys
    for r in results:
        quorum, yes, no, abstain, passed, reason = expected[r.key]
        event(f"{r.matter}: {r.reason}")
        assert (r.quorum_met, cents_of(r.yes), cents_of(r.no), cents_of(r.abstain), r.passed, r.reason) == (
            quorum,
            yes,
            no,
            abstain,
            passed,
            reason,
        )

    shuffled = list(ballots)
    rnd.shuffle(shuffled)
    assert aggregate(shuffled, item_keys=keys) == counts
    assert decide_items(electorate, aggregate(shuffled, item_keys=keys), matters) == results


@st.composite
def elections(draw):
    """A register, who voted, seats 3/5/7 and each ballot's ticks (at most `seats`) among 1–10 candidates."""
    cents, voted, rng = draw(registers())
    seats = draw(st.sampled_from([3, 5, 7]))
    # A few favourites, up to two more than the seats, share the ticks, so that often more candidates pass half the
    # votes than there are seats; the others get a tick now and then. Or the favourites (one more than the seats)
    # take turns being left out — ballot i skips favourite i mod k — so the counts tie in groups and, on equal areas,
    # a group often straddles the last seat (a runoff).
    rotate = draw(st.booleans())
    favourites = seats + (1 if rotate else draw(st.integers(0, 2)))
    candidates = [f"c{i}" for i in range(draw(st.integers(favourites if rotate else 1, 10)))]
    popularity = [95 if i < favourites else draw(st.sampled_from([60, 20])) for i in range(len(candidates))]
    picks = []
    for i, v in enumerate(voted):
        if not v:
            picks.append(None)
        elif rotate:
            picks.append([c for j, c in enumerate(candidates[:favourites]) if j != i % favourites][:seats])
        else:
            ticked = [c for c, p in zip(candidates, popularity, strict=True) if rng.randrange(100) < p]
            rng.shuffle(ticked)
            picks.append(ticked[: rng.randint(0, seats)] if rng.randrange(10) == 0 else ticked[:seats])
    order = draw(st.permutations(candidates))
    return cents, seats, candidates, picks, order


def naive_election(cents, seats, candidates, picks):
    """candidate -> (heads, cents, outcome, rank), recounted with an independent sort and grouping."""
    total_heads, total_cents = len(cents), sum(cents)
    heads = sum(1 for p in picks if p is not None)
    part_cents = sum(c for c, p in zip(cents, picks, strict=True) if p is not None)
    quorum = 3 * heads >= 2 * total_heads and 3 * part_cents >= 2 * total_cents
    votes = {c: [0, 0] for c in candidates}
    for c, p in zip(cents, picks, strict=True):
        for candidate in p or ():
            votes[candidate][0] += 1
            votes[candidate][1] += c
    out = {c: (h, a, "not_elected", None) for c, (h, a) in votes.items()}
    qualified = [c for c, (h, a) in votes.items() if quorum and 2 * h > heads and 2 * a > part_cents]
    ranked = sorted(qualified, key=lambda c: (votes[c][0], votes[c][1]), reverse=True)
    position = 0  # how many qualified candidates stand ahead of the current group
    for _, group in groupby(ranked, key=lambda c: tuple(votes[c])):
        group = list(group)
        if position + len(group) <= seats:
            outcome = "elected"
        elif position >= seats:
            outcome = "alternate"
        else:
            outcome = "runoff"
        for c in group:
            out[c] = (votes[c][0], votes[c][1], outcome, position + 1)
        position += len(group)
    return out


@given(elections(), st.randoms(use_true_random=False))
@SETTINGS
def test_elections_match_a_naive_recount_in_any_ballot_order(election, rnd):
    cents, seats, candidates, picks, order = election
    electorate = electorate_of(Weight(1, to_area(c)) for c in cents)
    ballots = [
        WeightedBallot(Weight(1, to_area(c)), {}, selected=frozenset(p))
        for c, p in zip(cents, picks, strict=True)
        if p is not None
    ]
    counts = aggregate(ballots, candidate_keys=candidates, max_selected=seats)
    results = decide_election(electorate, counts, seats, order)

    expected = naive_election(cents, seats, candidates, picks)
    assert [r.key for r in results] == order
    assert {r.key: (*cents_of(r.votes), r.outcome, r.rank) for r in results} == expected
    for outcome in sorted({r.outcome for r in results}):
        event(f"some candidate {outcome}")
    assert all(r.qualified == (r.rank is not None) for r in results)
    assert sum(r.outcome == "elected" for r in results) <= seats

    rnd.shuffle(ballots)
    assert decide_election(electorate, aggregate(ballots, candidate_keys=candidates), seats, order) == results


@given(
    st.lists(st.lists(st.booleans(), min_size=4, max_size=4), max_size=60),
    st.randoms(use_true_random=False),
)
@SETTINGS
def test_polls_count_heads_only_in_any_ballot_order(ticks, rnd):
    options = ["a", "b", "c", "d"]
    ballots = [
        WeightedBallot(
            Weight(1, Decimal("1.00") * (i + 1)),
            {},
            options=frozenset(o for o, t in zip(options, row, strict=True) if t),
        )
        for i, row in enumerate(ticks)
    ]
    results = decide_poll(aggregate(ballots, option_keys=options), options)
    for i, r in enumerate(results):
        assert r.heads == sum(1 for row in ticks if row[i])
        assert r.share.whole == len(ticks)
        assert r.share.value * len(ticks) == r.heads
    rnd.shuffle(ballots)
    assert decide_poll(aggregate(ballots, option_keys=options), options) == results
