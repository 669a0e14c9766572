"""The pure tally of owners' decisions (业主共同决定): PRC Civil Code Art. 278 and the 2009 MOHURD rules.

Nothing here knows Flask, the database or the rest of the portal. The caller turns each voting right into a
`Weight` (one head; the summed 专有部分面积 of its units — a buyer of several units, the developer's unsold
units and a co-owned unit are each ONE head) and each cast ballot into a `WeightedBallot`, then turns the
results into sentences. Arithmetic is exact throughout (int, Decimal, Fraction): a threshold is never decided
with a float, and shares stay Fractions for the caller to format.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Context, Decimal, Inexact, InvalidOperation
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType
from typing import ClassVar

__all__ = [
    "Answer",
    "CandidateResult",
    "Counts",
    "ItemResult",
    "Matter",
    "OptionResult",
    "Outcome",
    "Reason",
    "Share",
    "Weight",
    "WeightedBallot",
    "PlainBallot",
    "aggregate",
    "aggregate_plain",
    "decide_election",
    "decide_items",
    "decide_poll",
    "electorate_of",
    "meets_threshold",
    "quorum_met",
    "threshold",
    "QUORUM",
    "SEATS",
]


class Matter(StrEnum):
    """How much agreement an item needs: ordinary (过半数) or major (四分之三以上), Civil Code Art. 278."""

    ordinary = "ordinary"
    major = "major"


class Answer(StrEnum):
    """An owner's answer to one item: 同意 / 反对 / 弃权."""

    yes = "yes"
    no = "no"
    abstain = "abstain"


class Reason(StrEnum):
    """Why an item passed or failed: a stable code the caller turns into a sentence (zh-Hans / English)."""

    passed = "passed"
    no_quorum_heads = "no_quorum_heads"
    no_quorum_area = "no_quorum_area"
    no_quorum_both = "no_quorum_both"
    heads_short = "heads_short"
    area_short = "area_short"
    both_short = "both_short"


class Outcome(StrEnum):
    """A candidate's outcome in a committee election."""

    elected = "elected"
    alternate = "alternate"  # 候补委员
    not_elected = "not_elected"
    runoff = "runoff"


# Art. 278: owners holding two thirds or more (三分之二以上) of the area AND of the heads take part.
QUORUM = Fraction(2, 3)
# An owners' committee has 5–11 members, an odd number; some cities allow 3 for compounds under 100 households
# (whether a compound may use 3 is the caller's rule; the tally accepts it).
SEATS = range(3, 12, 2)

_CENT = Decimal("0.01")
# Wide enough that no sum of areas ever rounds, and Inexact is trapped: a rounding raises instead of passing silently.
_EXACT = Context(prec=60, traps=[Inexact, InvalidOperation])


def _area(value: object) -> Decimal:
    """An area as a Decimal with exactly two places; refuses floats, negatives and anything finer than a cent."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"an area is a Decimal in m² with two places, not {type(value).__name__}")
    area = Decimal(value)
    if not area.is_finite() or area < 0:
        raise ValueError(f"an area must be a finite, non-negative number of m², not {area}")
    try:
        area = area.quantize(_CENT, context=_EXACT)
    except Inexact:
        raise ValueError(
            f"an area has at most two decimals (专有部分面积 is registered to the cent), not {area}"
        ) from None
    return area.copy_abs()  # -0.00 → 0.00


@dataclass(frozen=True)
class Weight:
    """Heads and exclusive floor area (专有部分面积, m², two places) — what Art. 278 counts."""

    heads: int = 0
    area: Decimal = Decimal("0.00")

    ZERO: ClassVar[Weight]

    def __post_init__(self) -> None:
        if isinstance(self.heads, bool) or not isinstance(self.heads, int):
            raise TypeError(f"heads are an int, not {type(self.heads).__name__}")
        if self.heads < 0:
            raise ValueError(f"heads cannot be negative: {self.heads}")
        object.__setattr__(self, "area", _area(self.area))

    def __add__(self, other: object) -> Weight:
        """The exact sum of two weights."""
        if not isinstance(other, Weight):
            return NotImplemented
        return Weight(self.heads + other.heads, _EXACT.add(self.area, other.area))

    def within(self, other: Weight) -> bool:
        """Whether this weight is no more than `other` in heads and in area."""
        return self.heads <= other.heads and self.area <= other.area


Weight.ZERO = Weight()


def electorate_of(rights: Iterable[Weight]) -> Weight:
    """The electorate: the sum of every voting right's weight (total heads and total area of the compound)."""
    total = Weight.ZERO
    for weight in rights:
        total = total + weight
    return total


def _answer(value: object) -> Answer:
    """An answer from an Answer, its string value, or None (a blank item on a cast ballot counts as abstain)."""
    if value is None:
        return Answer.abstain
    try:
        return Answer(value)
    except ValueError:
        raise ValueError(f"unknown answer {value!r}: expected one of {[a.value for a in Answer]} or None") from None


@dataclass(frozen=True)
class WeightedBallot:
    """One cast ballot as the tally sees it: the voting right's weight and what it answered or ticked."""

    weight: Weight
    # item key -> answer; a missing key or None is a blank item, which counts as an abstention.
    answers: Mapping[str, Answer | None] = field(default_factory=dict)
    selected: frozenset[str] = frozenset()  # election: candidate keys ticked
    options: frozenset[str] = frozenset()  # poll: option keys ticked

    def __post_init__(self) -> None:
        if not isinstance(self.weight, Weight):
            raise TypeError(f"a ballot's weight is a Weight, not {type(self.weight).__name__}")
        object.__setattr__(self, "answers", MappingProxyType(dict(self.answers)))
        object.__setattr__(self, "selected", frozenset(self.selected))
        object.__setattr__(self, "options", frozenset(self.options))


@dataclass(frozen=True)
class Counts:
    """The aggregate a decision is made from; secret votes store only this, never per-ballot weights."""

    participation: Weight
    items: Mapping[str, Mapping[Answer, Weight]]  # item -> answer -> weight; every Answer present
    candidates: Mapping[str, Weight]  # candidate -> weight of the ballots that ticked them
    options: Mapping[str, int]  # poll option -> heads

    def __post_init__(self) -> None:
        # Counts may come back from storage, so the invariants are checked here, once, for every caller.
        p = self.participation
        if not isinstance(p, Weight):
            raise TypeError("participation is a Weight")
        items = {}
        for key, row in self.items.items():
            full = dict.fromkeys(Answer, Weight.ZERO)
            for answer, weight in row.items():
                if answer is None:
                    raise ValueError(f"item {key!r}: counts are kept by answer; blanks are counted as abstain")
                full[_answer(answer)] = weight
            # Every cast ballot answers every item (a blank is an abstention), so the answers add up to the turnout.
            if electorate_of(full.values()) != p:
                raise ValueError(f"item {key!r}: yes + no + abstain must equal the participation {p}")
            items[key] = MappingProxyType(full)
        for key, weight in self.candidates.items():
            if not isinstance(weight, Weight) or not weight.within(p):
                raise ValueError(f"candidate {key!r}: {weight} is more than the participation {p}")
        for key, heads in self.options.items():
            if isinstance(heads, bool) or not isinstance(heads, int) or not 0 <= heads <= p.heads:
                raise ValueError(f"option {key!r}: {heads!r} is not a head count within the participation {p.heads}")
        object.__setattr__(self, "items", MappingProxyType(items))
        object.__setattr__(self, "candidates", MappingProxyType(dict(self.candidates)))
        object.__setattr__(self, "options", MappingProxyType(dict(self.options)))


def _keys(keys: Sequence[str], kind: str) -> list[str]:
    """The keys as a list, refusing duplicates and a bare string (which would silently become one key per letter)."""
    if isinstance(keys, str):
        raise TypeError(f"{kind} keys are a sequence of strings, not the string {keys!r}")
    keys = list(keys)
    if len(set(keys)) != len(keys):
        raise ValueError(f"duplicate {kind} keys: {keys}")
    return keys


def aggregate(
    ballots: Iterable[WeightedBallot],
    item_keys: Sequence[str] = (),
    candidate_keys: Sequence[str] = (),
    option_keys: Sequence[str] = (),
    *,
    max_selected: int | None = None,
    max_options: int | None = None,
) -> Counts:
    """Add up cast ballots into Counts; an answer, tick or choice for an unknown key is a ValueError."""
    plain = ((b.weight.heads, int(b.weight.area.scaleb(2)), b.answers, b.selected, b.options) for b in ballots)
    return aggregate_plain(
        plain, item_keys, candidate_keys, option_keys, max_selected=max_selected, max_options=max_options
    )


PlainBallot = tuple[int, int, Mapping[str, "Answer | str | None"], Collection[str], Collection[str]]


def aggregate_plain(
    ballots: Iterable[PlainBallot],
    item_keys: Sequence[str] = (),
    candidate_keys: Sequence[str] = (),
    option_keys: Sequence[str] = (),
    *,
    max_selected: int | None = None,
    max_options: int | None = None,
) -> Counts:
    """`aggregate` for ballots given as plain tuples (heads, area in cents, answers, selected, options): the same
    rules without building a WeightedBallot per ballot, for a box of thousands read straight from the database."""
    items = _keys(item_keys, "item")
    candidates = _keys(candidate_keys, "candidate")
    options = _keys(option_keys, "option")
    item_set, candidate_set, option_set = set(items), set(candidates), set(options)

    # Running sums are kept as [heads, cents] integers (exact, and far cheaper than adding Weights); each becomes a
    # Weight once, at the end.
    participation = [0, 0]
    item_sums = {key: {answer: [0, 0] for answer in Answer} for key in items}
    candidate_sums = {key: [0, 0] for key in candidates}
    option_heads = dict.fromkeys(options, 0)
    for heads, cents, answers, selected, chosen in ballots:
        if isinstance(heads, bool) or not isinstance(heads, int) or heads < 0:
            raise ValueError(f"heads are a non-negative int, not {heads!r}")
        if isinstance(cents, bool) or not isinstance(cents, int) or cents < 0:
            raise ValueError(f"an area in cents is a non-negative int, not {cents!r}")
        if unknown := set(answers) - item_set:
            raise ValueError(f"answers for unknown item keys: {sorted(unknown)}")
        if unknown := set(selected) - candidate_set:
            raise ValueError(f"selected unknown candidate keys: {sorted(unknown)}")
        if unknown := set(chosen) - option_set:
            raise ValueError(f"chose unknown option keys: {sorted(unknown)}")
        if max_selected is not None and len(selected) > max_selected:
            raise ValueError(f"a ballot selects {len(selected)} candidates; at most {max_selected} allowed")
        if max_options is not None and len(chosen) > max_options:
            raise ValueError(f"a ballot chooses {len(chosen)} options; at most {max_options} allowed")
        # Whoever casts a ballot takes part, whatever they left blank (an owner who does not vote is not counted).
        participation[0] += heads
        participation[1] += cents
        for key in items:
            total = item_sums[key][_answer(answers.get(key))]
            total[0] += heads
            total[1] += cents
        for key in set(selected):
            candidate_sums[key][0] += heads
            candidate_sums[key][1] += cents
        for key in set(chosen):
            option_heads[key] += heads
    return Counts(
        participation=_weight(participation),
        items={key: {answer: _weight(total) for answer, total in row.items()} for key, row in item_sums.items()},
        candidates={key: _weight(total) for key, total in candidate_sums.items()},
        options=option_heads,
    )


def _weight(total: list[int]) -> Weight:
    """A [heads, cents] running sum as a Weight."""
    return Weight(total[0], Decimal(total[1]).scaleb(-2))


def _at_least_two_thirds(part: int | Decimal, whole: int | Decimal) -> bool:
    """三分之二以上: part >= 2/3 of whole, boundary included; nothing is two thirds of an empty register."""
    return whole > 0 and Fraction(part) >= QUORUM * Fraction(whole)


def quorum_met(participation: Weight, electorate: Weight) -> bool:
    """Art. 278 quorum: the participants hold >= 2/3 of the heads AND >= 2/3 of the area (an empty register: never)."""
    return _at_least_two_thirds(participation.heads, electorate.heads) and _at_least_two_thirds(
        participation.area, electorate.area
    )


def threshold(matter: Matter) -> Fraction:
    """The share of participating heads and area a matter needs: ordinary more than 1/2, major at least 3/4."""
    return Fraction(3, 4) if Matter(matter) is Matter.major else Fraction(1, 2)


def meets_threshold(part: int | Decimal, whole: int | Decimal, matter: Matter) -> bool:
    """Whether part of whole is enough for the matter (ordinary: strictly more than 1/2; major: 3/4 or more)."""
    if whole <= 0:
        return False  # nobody took part: nothing can pass
    needed = threshold(matter) * Fraction(whole)
    if Matter(matter) is Matter.major:
        return Fraction(part) >= needed  # "四分之三以上" includes the boundary
    return Fraction(part) > needed  # "过半数" is strictly more than half: exactly half fails


@dataclass(frozen=True)
class Share:
    """An exact share part/whole, kept with both numbers (a share of nothing is 0)."""

    part: int | Decimal
    whole: int | Decimal
    value: Fraction

    def __post_init__(self) -> None:
        if self.value != Share._value(self.part, self.whole):
            raise ValueError(f"{self.value} is not {self.part}/{self.whole}")

    @staticmethod
    def _value(part: int | Decimal, whole: int | Decimal) -> Fraction:
        return Fraction(part) / Fraction(whole) if whole else Fraction(0)

    @classmethod
    def of(cls, part: int | Decimal, whole: int | Decimal) -> Share:
        """The share part/whole (Fraction(Decimal) is exact)."""
        return cls(part, whole, cls._value(part, whole))


@dataclass(frozen=True)
class ItemResult:
    """The decision on one item, with every number a public notice shows."""

    key: str
    matter: Matter
    electorate: Weight
    participation: Weight
    quorum_met: bool
    yes: Weight
    no: Weight
    abstain: Weight
    yes_heads_share: Share  # of the participating heads
    yes_area_share: Share  # of the participating area
    threshold: Fraction
    passed: bool
    reason: Reason


def _check_participation(participation: Weight, electorate: Weight) -> None:
    """More participation than electorate means ballots and register disagree: refuse to decide anything."""
    if not participation.within(electorate):
        raise ValueError(f"participation {participation} exceeds the electorate {electorate}")


def _quorum_reason(participation: Weight, electorate: Weight) -> Reason | None:
    """Which half of the quorum is missing, or None if it is met."""
    heads = _at_least_two_thirds(participation.heads, electorate.heads)
    area = _at_least_two_thirds(participation.area, electorate.area)
    if heads and area:
        return None
    if not heads and not area:
        return Reason.no_quorum_both
    return Reason.no_quorum_area if heads else Reason.no_quorum_heads


def decide_items(electorate: Weight, counts: Counts, matters: Mapping[str, Matter]) -> list[ItemResult]:
    """Decide each item in `matters` (in its order) under Art. 278; items in counts but not in matters are skipped."""
    p = counts.participation
    _check_participation(p, electorate)
    no_quorum = _quorum_reason(p, electorate)
    results = []
    for key, matter in matters.items():
        matter = Matter(matter)
        if key not in counts.items:
            raise ValueError(f"no counts for item {key!r}")
        row = counts.items[key]
        yes = row[Answer.yes]
        # Both denominators are the participants (abstentions and blanks included), not the electorate.
        heads_ok = meets_threshold(yes.heads, p.heads, matter)
        area_ok = meets_threshold(yes.area, p.area, matter)
        if no_quorum is not None:
            reason = no_quorum  # without the quorum nothing passes, whatever the yes share
        elif heads_ok and area_ok:
            reason = Reason.passed
        elif not heads_ok and not area_ok:
            reason = Reason.both_short
        else:
            reason = Reason.area_short if heads_ok else Reason.heads_short
        results.append(
            ItemResult(
                key=key,
                matter=matter,
                electorate=electorate,
                participation=p,
                quorum_met=no_quorum is None,
                yes=yes,
                no=row[Answer.no],
                abstain=row[Answer.abstain],
                yes_heads_share=Share.of(yes.heads, p.heads),
                yes_area_share=Share.of(yes.area, p.area),
                threshold=threshold(matter),
                passed=reason is Reason.passed,
                reason=reason,
            )
        )
    return results


def _check_order(order: Sequence[str], counted: Mapping[str, object], kind: str) -> list[str]:
    """The display order: no duplicates, and every counted key must be in it (a key absent from counts got 0)."""
    order = _keys(order, kind)
    if extra := set(counted) - set(order):
        raise ValueError(f"counts for {kind} keys not in the order: {sorted(extra)}")
    return order


def _majority_of(votes: Weight, participation: Weight) -> bool:
    """More than half of the participating heads AND of the participating area (过半数)."""
    return meets_threshold(votes.heads, participation.heads, Matter.ordinary) and meets_threshold(
        votes.area, participation.area, Matter.ordinary
    )


@dataclass(frozen=True)
class CandidateResult:
    """One candidate's result in an owners' committee (业主委员会) election."""

    key: str
    votes: Weight
    heads_share: Share  # of the participating heads
    area_share: Share  # of the participating area
    qualified: bool  # quorum AND more than half of the participating heads AND area
    outcome: Outcome
    rank: int | None  # 1-based among the qualified by (heads, area); equal votes share a rank; None if not qualified


def decide_election(
    electorate: Weight, counts: Counts, seats: int, candidate_order: Sequence[str]
) -> list[CandidateResult]:
    """Elect a committee: qualify by Art. 278 as an ordinary matter, rank by heads then area, return in order given."""
    if isinstance(seats, bool) or not isinstance(seats, int) or seats < 1 or seats not in SEATS:
        raise ValueError(f"a committee has an odd number of seats from 3 to 11, not {seats!r}")
    order = _check_order(candidate_order, counts.candidates, "candidate")
    p = counts.participation
    _check_participation(p, electorate)
    quorum = quorum_met(p, electorate)
    votes = {key: counts.candidates.get(key, Weight.ZERO) for key in order}
    # Each elected member needs the quorum plus more than half of the participating area AND heads (ordinary matter).
    standing = {key: (v.heads, v.area) for key, v in votes.items() if quorum and _majority_of(v, p)}
    results = []
    for key in order:
        v = votes[key]
        rank = None
        outcome = Outcome.not_elected
        if key in standing:
            # The most heads win, a tie in heads is broken by area (tuples compare in that order).
            ahead = sum(1 for s in standing.values() if s > standing[key])
            tied = sum(1 for s in standing.values() if s == standing[key])
            rank = ahead + 1
            if ahead + tied <= seats:
                outcome = Outcome.elected
            elif ahead < seats:
                # An exact tie in both straddles the last seat: the whole tied group goes to a runoff, and only the
                # seats won cleanly are filled now.
                outcome = Outcome.runoff
            else:
                outcome = Outcome.alternate  # 候补委员 in vote order; an exact tie here shares a rank
        results.append(
            CandidateResult(
                key=key,
                votes=v,
                heads_share=Share.of(v.heads, p.heads),
                area_share=Share.of(v.area, p.area),
                qualified=rank is not None,
                outcome=outcome,
                rank=rank,
            )
        )
    return results


@dataclass(frozen=True)
class OptionResult:
    """One option of a non-binding opinion poll (意见征询), counted by heads only."""

    key: str
    heads: int
    share: Share  # of the participating heads


def decide_poll(counts: Counts, option_order: Sequence[str]) -> list[OptionResult]:
    """Count a poll by heads in the order given; with multiple choice the shares may add up to more than 100%."""
    order = _check_order(option_order, counts.options, "option")
    p = counts.participation.heads
    return [OptionResult(key, counts.options.get(key, 0), Share.of(counts.options.get(key, 0), p)) for key in order]
