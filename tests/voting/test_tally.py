"""The pure tally at every boundary of Civil Code Art. 278 and the 2009 MOHURD rules, one rule per test."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from portal.voting.tally import (
    Answer,
    CandidateResult,
    Counts,
    Matter,
    Share,
    Weight,
    WeightedBallot,
    aggregate,
    decide_election,
    decide_items,
    decide_poll,
    electorate_of,
    meets_threshold,
    quorum_met,
    threshold,
)

YES, NO, ABSTAIN = Answer.yes, Answer.no, Answer.abstain


def right(*unit_areas: str) -> Weight:
    """One voting right as the caller builds it: one head, the areas of all its units added up."""
    return Weight(heads=1, area=sum((Decimal(a) for a in unit_areas), Decimal("0.00")))


def cast(weight: Weight, **answers: Answer | None) -> WeightedBallot:
    """A cast ballot for the voting right `weight` with item answers by keyword."""
    return WeightedBallot(weight=weight, answers=answers)


def one_item(register: list[Weight], answers: list[Answer | None], matter: Matter = Matter.ordinary):
    """Decide item "a": the first len(answers) rights cast ballots with these answers, the rest do not vote."""
    ballots = [cast(w, a=answer) for w, answer in zip(register, answers, strict=False)]
    counts = aggregate(ballots, item_keys=["a"])
    (result,) = decide_items(electorate_of(register), counts, {"a": matter})
    return result


# --- Weight and the electorate -------------------------------------------------------------------------------


def test_weight_addition_is_exact_for_ten_thousand_cents():
    total = Weight.ZERO
    for _ in range(10_000):
        total = total + Weight(heads=1, area=Decimal("0.01"))
    assert total == Weight(heads=10_000, area=Decimal("100.00"))


def test_weight_addition_point_one_plus_point_two_is_point_three():
    assert Weight(1, Decimal("0.10")) + Weight(1, Decimal("0.20")) == Weight(2, Decimal("0.30"))


def test_weight_keeps_two_places():
    assert str(Weight(1, Decimal("88.5")).area) == "88.50"
    assert str(Weight(1, 90).area) == "90.00"
    assert Weight().area == Decimal("0.00")
    assert Weight(0, Decimal("0")) == Weight.ZERO


@pytest.mark.parametrize("area", [0.1, "88.50", None])
def test_weight_refuses_floats_and_strings(area):
    with pytest.raises(TypeError):
        Weight(1, area)


@pytest.mark.parametrize("area", [Decimal("-0.01"), Decimal("88.505"), Decimal("NaN"), Decimal("Infinity")])
def test_weight_refuses_negative_inexact_or_infinite_areas(area):
    with pytest.raises(ValueError):
        Weight(1, area)


def test_weight_refuses_negative_heads():
    with pytest.raises(ValueError):
        Weight(-1, Decimal("1.00"))


def test_electorate_is_the_sum_of_the_rights():
    assert electorate_of([right("88.50"), right("90.25", "10.00")]) == Weight(2, Decimal("188.75"))
    assert electorate_of([]) == Weight.ZERO


# --- quorum: >= 2/3 of heads AND >= 2/3 of area --------------------------------------------------------------


def test_quorum_6_of_9_heads_and_600_of_900_m2_is_exactly_two_thirds_and_met():
    register = [right("100.00")] * 9
    result = one_item(register, [YES] * 6)
    assert quorum_met(Weight(6, Decimal("600.00")), electorate_of(register))
    assert result.quorum_met and result.passed and result.reason == "passed"
    assert result.participation == Weight(6, Decimal("600.00"))


def test_quorum_5_of_9_rights_is_short_in_heads_and_area():
    register = [right("100.00")] * 9
    result = one_item(register, [YES] * 5)
    assert not result.quorum_met and not result.passed
    assert result.reason == "no_quorum_both"


def test_quorum_6_of_9_heads_but_599_99_of_900_m2_is_short_by_one_cent():
    # The six voters hold 599.99 m²; a non-voter holds the missing cent, so the total stays 900.00 m².
    register = [right("99.99")] + [right("100.00")] * 7 + [right("100.01")]
    assert electorate_of(register) == Weight(9, Decimal("900.00"))
    result = one_item(register, [YES] * 6)
    assert result.participation == Weight(6, Decimal("599.99"))
    assert not result.quorum_met and not result.passed
    assert result.reason == "no_quorum_area"


def test_quorum_600_of_900_m2_but_5_of_9_heads_fails_on_heads():
    register = [right("120.00")] * 5 + [right("75.00")] * 4
    assert electorate_of(register) == Weight(9, Decimal("900.00"))
    result = one_item(register, [YES] * 5)
    assert result.participation == Weight(5, Decimal("600.00"))
    assert not result.quorum_met and result.reason == "no_quorum_heads"


def test_no_quorum_fails_even_a_unanimous_major_item():
    result = one_item([right("100.00")] * 9, [YES] * 5, Matter.major)
    assert result.yes_heads_share.value == 1 and result.yes_area_share.value == 1
    assert not result.passed and result.reason == "no_quorum_both"


def test_quorum_of_an_empty_register_is_never_met():
    assert not quorum_met(Weight.ZERO, Weight.ZERO)
    assert not quorum_met(Weight(1, Decimal("0.00")), Weight(1, Decimal("0.00")))


# --- ordinary matters: more than 1/2 of participating heads AND area -----------------------------------------


def test_threshold_values():
    assert threshold(Matter.ordinary) == Fraction(1, 2)
    assert threshold(Matter.major) == Fraction(3, 4)


def test_ordinary_5_of_10_heads_is_exactly_half_and_fails_although_area_is_over_half():
    register = [right("120.00")] * 5 + [right("80.00")] * 5
    result = one_item(register, [YES] * 5 + [NO] * 5)
    assert result.quorum_met
    assert result.yes_heads_share == Share(5, 10, Fraction(1, 2))
    assert result.yes_area_share.value == Fraction(600, 1000)
    assert not result.passed and result.reason == "heads_short"


def test_ordinary_6_of_10_heads_passes():
    register = [right("120.00")] * 6 + [right("70.00")] * 4
    result = one_item(register, [YES] * 6 + [NO] * 4)
    assert result.passed and result.reason == "passed"


def test_ordinary_500_of_1000_m2_is_exactly_half_and_fails_although_heads_are_over_half():
    register = [right("83.33")] * 4 + [right("83.34")] * 2 + [right("125.00")] * 4
    assert electorate_of(register) == Weight(10, Decimal("1000.00"))
    result = one_item(register, [YES] * 6 + [NO] * 4)
    assert result.yes == Weight(6, Decimal("500.00"))
    assert result.yes_area_share == Share(Decimal("500.00"), Decimal("1000.00"), Fraction(1, 2))
    assert not result.passed and result.reason == "area_short"


def test_ordinary_500_01_of_1000_m2_passes_by_one_cent():
    register = [right("83.33")] * 3 + [right("83.34")] * 3 + [right("125.00")] * 3 + [right("124.99")]
    result = one_item(register, [YES] * 6 + [NO] * 4)
    assert result.yes == Weight(6, Decimal("500.01")) and result.participation.area == Decimal("1000.00")
    assert result.passed and result.reason == "passed"


def test_ordinary_exactly_half_in_both_fails_on_both():
    result = one_item([right("100.00")] * 4, [YES, YES, NO, NO])
    assert result.reason == "both_short"


# --- major matters: at least 3/4 of participating heads AND area ---------------------------------------------


def test_major_6_of_8_heads_and_600_of_800_m2_is_exactly_three_quarters_and_passes():
    result = one_item([right("100.00")] * 8, [YES] * 6 + [NO] * 2, Matter.major)
    assert result.yes_heads_share.value == Fraction(3, 4) and result.yes_area_share.value == Fraction(3, 4)
    assert result.threshold == Fraction(3, 4)
    assert result.passed and result.reason == "passed"


def test_major_599_99_of_800_m2_fails_by_one_cent():
    register = [right("99.99")] + [right("100.00")] * 5 + [right("100.01")] + [right("100.00")]
    result = one_item(register, [YES] * 6 + [NO] * 2, Matter.major)
    assert result.yes == Weight(6, Decimal("599.99")) and result.participation.area == Decimal("800.00")
    assert not result.passed and result.reason == "area_short"


def test_major_5_of_8_heads_fails_with_exactly_three_quarters_of_area():
    register = [right("120.00")] * 5 + [right("66.66"), right("66.67"), right("66.67")]
    result = one_item(register, [YES] * 5 + [NO] * 3, Matter.major)
    assert result.yes == Weight(5, Decimal("600.00")) and result.participation.area == Decimal("800.00")
    assert not result.passed and result.reason == "heads_short"


def test_the_same_votes_pass_as_ordinary_and_fail_as_major():
    register = [right("100.00")] * 10
    ballots = [cast(w, a=YES, b=YES) for w in register[:7]] + [cast(w, a=NO, b=NO) for w in register[7:]]
    counts = aggregate(ballots, item_keys=["a", "b"])
    results = decide_items(electorate_of(register), counts, {"b": Matter.major, "a": Matter.ordinary})
    assert [(r.key, r.matter, r.passed) for r in results] == [("b", "major", False), ("a", "ordinary", True)]


@pytest.mark.parametrize(
    ("part", "whole", "matter", "met"),
    [
        (1, 2, Matter.ordinary, False),
        (2, 3, Matter.ordinary, True),
        (Decimal("500.01"), Decimal("1000.00"), Matter.ordinary, True),
        (3, 4, Matter.major, True),
        (Decimal("599.99"), Decimal("800.00"), Matter.major, False),
        (0, 0, Matter.major, False),
        (0, 0, Matter.ordinary, False),
    ],
)
def test_meets_threshold(part, whole, matter, met):
    assert meets_threshold(part, whole, matter) is met


# --- who took part -------------------------------------------------------------------------------------------


def test_blank_items_count_as_abstentions_in_the_denominator():
    # 2 yes, 1 no, 1 blank of 4: exactly half of the participants, so the ordinary item fails.
    register = [right("100.00")] * 4
    ballots = [cast(register[0], a=YES), cast(register[1], a=YES), cast(register[2], a=NO), cast(register[3], a=None)]
    counts = aggregate(ballots, item_keys=["a"])
    assert counts.items["a"][ABSTAIN] == Weight(1, Decimal("100.00"))
    (result,) = decide_items(electorate_of(register), counts, {"a": Matter.ordinary})
    assert result.abstain == Weight(1, Decimal("100.00")) and result.participation.heads == 4
    assert result.yes_heads_share == Share(2, 4, Fraction(1, 2))
    assert not result.passed


def test_an_item_nobody_answered_still_counts_every_cast_ballot_as_participating():
    register = [right("100.00")] * 3
    counts = aggregate([cast(w, a=YES) for w in register], item_keys=["a", "b"])
    a, b = decide_items(electorate_of(register), counts, {"a": Matter.ordinary, "b": Matter.ordinary})
    assert a.passed
    assert b.participation == Weight(3, Decimal("300.00")) and b.quorum_met
    assert b.abstain == b.participation and b.yes == Weight.ZERO and b.no == Weight.ZERO
    assert not b.passed and b.reason == "both_short"


def test_explicit_abstentions_count_like_blanks():
    register = [right("100.00")] * 4
    ballots = [cast(register[0], a=YES), cast(register[1], a=YES), cast(register[2], a=YES), cast(register[3])]
    counts = aggregate(ballots, item_keys=["a"])
    ballots[3] = cast(register[3], a=ABSTAIN)
    assert aggregate(ballots, item_keys=["a"]) == counts


def test_answers_may_be_given_as_plain_strings():
    register = [right("100.00")] * 2
    counts = aggregate([WeightedBallot(register[0], {"a": "yes"}), WeightedBallot(register[1], {"a": "no"})], ["a"])
    assert counts.items["a"][YES] == Weight(1, Decimal("100.00"))


def test_an_owner_with_three_units_votes_once_with_their_summed_area():
    # One buyer of three units counts as ONE head with 300 m²; two neighbours vote no.
    owner = right("100.00", "100.00", "100.00")
    neighbours = [right("100.00"), right("100.00")]
    register = [owner, *neighbours]
    counts = aggregate([cast(owner, a=YES)] + [cast(w, a=NO) for w in neighbours], ["a"])
    (one_owner,) = decide_items(electorate_of(register), counts, {"a": Matter.ordinary})
    assert one_owner.electorate == Weight(3, Decimal("500.00"))
    assert one_owner.yes_heads_share == Share(1, 3, Fraction(1, 3))
    assert one_owner.yes_area_share.value == Fraction(3, 5)
    assert not one_owner.passed and one_owner.reason == "heads_short"

    # The same units held by three different owners are three heads, and the same votes pass.
    owners = [right("100.00")] * 3
    register = [*owners, *neighbours]
    counts = aggregate([cast(w, a=YES) for w in owners] + [cast(w, a=NO) for w in neighbours], ["a"])
    (three_owners,) = decide_items(electorate_of(register), counts, {"a": Matter.ordinary})
    assert three_owners.electorate == Weight(5, Decimal("500.00"))
    assert three_owners.yes_heads_share.value == Fraction(3, 5)
    assert three_owners.passed


def test_the_developers_unsold_units_are_one_head_and_cannot_carry_the_heads_alone():
    # 20 unsold units of 90 m² are one head with 1800 m²; 10 sold units are 10 heads.
    developer = right(*["90.00"] * 20)
    owners = [right("90.00")] * 10
    register = [developer, *owners]
    assert electorate_of(register) == Weight(11, Decimal("2700.00"))
    ballots = [cast(developer, a=YES)] + [cast(w, a=YES) for w in owners[:4]] + [cast(w, a=NO) for w in owners[4:]]
    (result,) = decide_items(electorate_of(register), aggregate(ballots, ["a"]), {"a": Matter.ordinary})
    assert result.yes == Weight(5, Decimal("2160.00"))
    assert result.yes_area_share.value == Fraction(4, 5)
    assert not result.passed and result.reason == "heads_short"


def test_the_developer_and_six_owners_are_short_of_the_head_quorum():
    developer = right(*["90.00"] * 20)
    owners = [right("90.00")] * 10
    ballots = [cast(developer, a=YES)] + [cast(w, a=YES) for w in owners[:6]]
    (result,) = decide_items(electorate_of([developer, *owners]), aggregate(ballots, ["a"]), {"a": Matter.ordinary})
    assert result.participation == Weight(7, Decimal("2340.00"))  # 7/11 heads < 2/3, 2340/2700 m² > 2/3
    assert result.reason == "no_quorum_heads"


def test_a_co_owned_unit_is_one_head():
    # Unit 101 has two co-owners; they designate one to vote, so the unit is one right and one ballot.
    register = [right("88.50"), right("88.50"), right("88.50")]
    assert electorate_of(register) == Weight(3, Decimal("265.50"))
    (result,) = decide_items(
        electorate_of(register), aggregate([cast(w, a=YES) for w in register[:2]], ["a"]), {"a": Matter.ordinary}
    )
    assert result.quorum_met and result.passed  # 2 of 3 heads and 177.00 of 265.50 m²: exactly 2/3


# --- consistency checks --------------------------------------------------------------------------------------


def test_aggregate_rejects_an_answer_for_an_unknown_item():
    with pytest.raises(ValueError, match="item"):
        aggregate([cast(right("1.00"), a=YES, z=NO)], item_keys=["a"])


def test_aggregate_rejects_an_unknown_answer():
    with pytest.raises(ValueError):
        aggregate([WeightedBallot(right("1.00"), {"a": "maybe"})], item_keys=["a"])


def test_aggregate_rejects_an_unknown_candidate():
    with pytest.raises(ValueError, match="candidate"):
        aggregate([WeightedBallot(right("1.00"), {}, selected=frozenset({"x"}))], candidate_keys=["a", "b"])


def test_aggregate_rejects_an_unknown_option():
    with pytest.raises(ValueError, match="option"):
        aggregate([WeightedBallot(right("1.00"), {}, options=frozenset({"x"}))], option_keys=["a"])


def test_aggregate_rejects_duplicate_keys():
    with pytest.raises(ValueError):
        aggregate([], item_keys=["a", "a"])


def test_aggregate_refuses_a_bare_string_as_the_keys():
    with pytest.raises(TypeError):
        aggregate([], item_keys="item")


def test_aggregate_rejects_more_selections_than_allowed():
    ballot = WeightedBallot(right("1.00"), {}, selected=frozenset({"a", "b", "c", "d"}))
    with pytest.raises(ValueError):
        aggregate([ballot], candidate_keys=["a", "b", "c", "d"], max_selected=3)
    assert aggregate([ballot], candidate_keys=["a", "b", "c", "d"], max_selected=4).candidates["d"].heads == 1


def test_aggregate_of_no_ballots_lists_every_key_with_zero():
    counts = aggregate([], item_keys=["a"], candidate_keys=["c"], option_keys=["o"])
    assert counts.participation == Weight.ZERO
    assert dict(counts.items["a"]) == {YES: Weight.ZERO, NO: Weight.ZERO, ABSTAIN: Weight.ZERO}
    assert dict(counts.candidates) == {"c": Weight.ZERO} and dict(counts.options) == {"o": 0}


def test_counts_fill_missing_answers_with_zero():
    p = Weight(2, Decimal("10.00"))
    counts = Counts(participation=p, items={"a": {"yes": p}}, candidates={}, options={})
    assert counts.items["a"][NO] == Weight.ZERO and counts.items["a"][YES] == p


def test_counts_whose_answers_do_not_add_up_to_the_participation_are_rejected():
    with pytest.raises(ValueError):
        Counts(Weight(2, Decimal("10.00")), items={"a": {YES: Weight(1, Decimal("5.00"))}}, candidates={}, options={})


def test_counts_with_a_candidate_above_the_participation_are_rejected():
    with pytest.raises(ValueError):
        Counts(Weight(2, Decimal("10.00")), items={}, candidates={"c": Weight(3, Decimal("10.00"))}, options={})


def test_decide_items_rejects_more_participation_than_electorate():
    counts = aggregate([cast(right("10.00"), a=YES)] * 2, ["a"])
    with pytest.raises(ValueError):
        decide_items(Weight(1, Decimal("10.00")), counts, {"a": Matter.ordinary})


def test_decide_items_rejects_an_item_without_counts():
    counts = aggregate([cast(right("10.00"), a=YES)], ["a"])
    with pytest.raises(ValueError):
        decide_items(Weight(1, Decimal("10.00")), counts, {"b": Matter.ordinary})


def test_shares_keep_part_and_whole_and_are_zero_of_nothing():
    assert Share.of(Decimal("1.00"), Decimal("3.00")) == Share(Decimal("1.00"), Decimal("3.00"), Fraction(1, 3))
    assert Share.of(0, 0).value == 0
    with pytest.raises(ValueError):
        Share(1, 3, Fraction(1, 2))


# --- committee elections -------------------------------------------------------------------------------------

FULL = Weight(20, Decimal("2000.00"))


def election(
    votes: dict[str, tuple[int, str]], seats: int, electorate: Weight = FULL, participation: Weight = FULL
) -> dict[str, CandidateResult]:
    """Decide an election from candidate -> (heads, area) on the given participation; results keyed by candidate."""
    counts = Counts(
        participation=participation,
        items={},
        candidates={key: Weight(h, Decimal(a)) for key, (h, a) in votes.items()},
        options={},
    )
    results = decide_election(electorate, counts, seats, list(votes))
    assert [r.key for r in results] == list(votes)
    return {r.key: r for r in results}


def outcomes(results: dict[str, CandidateResult]) -> dict[str, tuple[str, int | None]]:
    return {key: (r.outcome, r.rank) for key, r in results.items()}


def test_election_5_seats_7_qualified_elects_5_and_keeps_2_alternates_in_vote_order():
    votes = {
        "F": (12, "1200.00"),
        "A": (17, "1700.00"),
        "G": (11, "1100.00"),
        "B": (16, "1600.00"),
        "H": (10, "1900.00"),  # exactly half of the heads: not qualified
        "C": (15, "1500.00"),
        "E": (13, "1300.00"),
        "D": (14, "1400.00"),
    }
    assert outcomes(election(votes, seats=5)) == {
        "A": ("elected", 1),
        "B": ("elected", 2),
        "C": ("elected", 3),
        "D": ("elected", 4),
        "E": ("elected", 5),
        "F": ("alternate", 6),
        "G": ("alternate", 7),
        "H": ("not_elected", None),
    }


def test_election_shares_are_of_the_participating_heads_and_area():
    result = election({"A": (17, "1700.00")}, seats=3)["A"]
    assert result.votes == Weight(17, Decimal("1700.00"))
    assert result.heads_share == Share(17, 20, Fraction(17, 20))
    assert result.area_share.value == Fraction(17, 20)
    assert result.qualified


def test_election_a_tie_in_heads_is_broken_by_area():
    votes = {"A": (15, "1500.00"), "B": (14, "1400.00"), "C": (12, "1150.00"), "D": (12, "1150.01")}
    assert outcomes(election(votes, seats=3)) == {
        "A": ("elected", 1),
        "B": ("elected", 2),
        "D": ("elected", 3),
        "C": ("alternate", 4),
    }


def test_election_an_exact_tie_straddling_the_last_seat_goes_to_a_runoff():
    votes = {"A": (15, "1500.00"), "B": (14, "1400.00"), "C": (12, "1200.00"), "D": (12, "1200.00"), "E": (11, "1300")}
    result = outcomes(election(votes, seats=3))
    assert result == {
        "A": ("elected", 1),
        "B": ("elected", 2),
        "C": ("runoff", 3),
        "D": ("runoff", 3),
        "E": ("alternate", 5),
    }
    assert sum(outcome == "elected" for outcome, _ in result.values()) == 2


def test_election_a_three_way_tie_for_the_last_of_5_seats_elects_4():
    votes = {k: (h, f"{h}00.00") for k, h in zip("ABCD", (19, 18, 17, 16), strict=True)}
    votes |= {"E": (12, "1200.00"), "F": (12, "1200.00"), "G": (12, "1200.00"), "H": (11, "1100.00")}
    result = outcomes(election(votes, seats=5))
    assert [k for k, (o, _) in result.items() if o == "elected"] == ["A", "B", "C", "D"]
    assert {k: result[k] for k in "EFGH"} == {
        "E": ("runoff", 5),
        "F": ("runoff", 5),
        "G": ("runoff", 5),
        "H": ("alternate", 8),
    }


def test_election_an_exact_tie_inside_the_seats_elects_both():
    votes = {"A": (15, "1500.00"), "B": (12, "1200.00"), "C": (12, "1200.00"), "D": (11, "1100.00")}
    assert outcomes(election(votes, seats=3)) == {
        "A": ("elected", 1),
        "B": ("elected", 2),
        "C": ("elected", 2),
        "D": ("alternate", 4),
    }


def test_election_an_exact_tie_among_alternates_shares_a_rank():
    votes = {"A": (15, "1500.00"), "B": (14, "1400.00"), "C": (13, "1300.00"), "D": (11, "1100.00")}
    votes |= {"E": (11, "1100.00")}
    assert outcomes(election(votes, seats=3))["D"] == ("alternate", 4)
    assert outcomes(election(votes, seats=3))["E"] == ("alternate", 4)


def test_election_more_than_half_the_heads_but_exactly_half_the_area_is_not_qualified():
    result = election({"A": (11, "1000.00"), "B": (10, "1000.01"), "C": (11, "1000.01")}, seats=3)
    assert not result["A"].qualified and result["A"].outcome == "not_elected" and result["A"].rank is None
    assert not result["B"].qualified
    assert result["C"].qualified and result["C"].outcome == "elected" and result["C"].rank == 1


def test_election_without_quorum_qualifies_nobody():
    # 19 of 30 heads took part (< 2/3), so even a candidate ticked on every ballot is not qualified.
    votes = {"A": (19, "1900.00"), "B": (18, "1800.00")}
    result = election(votes, 3, electorate=Weight(30, Decimal("2000.00")), participation=Weight(19, Decimal("1900.00")))
    assert outcomes(result) == {"A": ("not_elected", None), "B": ("not_elected", None)}
    assert not any(r.qualified for r in result.values())


@pytest.mark.parametrize("seats", [-1, 0, 1, 2, 4, 10, 12, 13])
def test_election_rejects_an_invalid_number_of_seats(seats):
    with pytest.raises(ValueError):
        election({"A": (15, "1500.00")}, seats=seats)


@pytest.mark.parametrize("seats", [3, 5, 7, 9, 11])
def test_election_accepts_an_odd_number_of_seats_from_3_to_11(seats):
    assert election({"A": (15, "1500.00")}, seats=seats)["A"].outcome == "elected"


def test_election_rejects_counts_for_a_candidate_not_in_the_order():
    counts = Counts(FULL, items={}, candidates={"A": Weight(15, Decimal("1500.00"))}, options={})
    with pytest.raises(ValueError):
        decide_election(FULL, counts, 3, ["B"])


def test_election_from_ballots():
    register = [right("100.00")] * 5
    picks = ["ABC", "ABD", "AB", "CD", "A"]
    ballots = [WeightedBallot(w, {}, selected=frozenset(p)) for w, p in zip(register, picks, strict=True)]
    counts = aggregate(ballots, candidate_keys=list("ABCD"), max_selected=3)
    results = decide_election(electorate_of(register), counts, 3, list("DCBA"))
    assert [(r.key, r.votes.heads, r.outcome, r.rank) for r in results] == [
        ("D", 2, "not_elected", None),
        ("C", 2, "not_elected", None),
        ("B", 3, "elected", 2),
        ("A", 4, "elected", 1),
    ]


# --- opinion polls: heads only -------------------------------------------------------------------------------


def test_poll_shares_are_by_heads_and_multiple_choice_sums_over_one_hundred_percent():
    register = [right("100.00")] * 8 + [right("900.00")] * 2
    picks = ["ab", "ab", "a", "a", "a", "a", "b", "b", "b", "c"]
    ballots = [WeightedBallot(w, {}, options=frozenset(p)) for w, p in zip(register, picks, strict=True)]
    results = decide_poll(aggregate(ballots, option_keys=["a", "b", "c", "d"]), ["d", "c", "b", "a"])
    assert [(r.key, r.heads, r.share.value) for r in results] == [
        ("d", 0, Fraction(0)),
        ("c", 1, Fraction(1, 10)),
        ("b", 5, Fraction(1, 2)),
        ("a", 6, Fraction(3, 5)),
    ]
    assert sum(r.share.value for r in results) == Fraction(6, 5)
    assert all(r.share.whole == 10 for r in results)


def test_poll_of_nobody_has_zero_shares():
    (result,) = decide_poll(aggregate([], option_keys=["a"]), ["a"])
    assert result.heads == 0 and result.share == Share(0, 0, Fraction(0))
