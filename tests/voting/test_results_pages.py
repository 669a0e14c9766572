"""Result pages: numbers and sentences per item, visibility, secrecy of the published result, receipts, the notice."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from flask_babel import force_locale

from portal.db import utcnow
from portal.extensions import db
from portal.labels import label
from portal.voting import box, electorate, lifecycle, tally, wording
from portal.voting import receipts as receipts_module
from portal.voting.models import Candidate, CandidateStatus, Nomination, VoteStatus
from tests.voting.test_verify import cast_all as cast  # person name -> one answer per item (None = blank)

NAMES = ("三套业主", "开发商", "丈夫", "妻子", "单套业主甲", "单套业主乙")
# Each voting right's own area in the estate: none may appear in a secret vote's published result.
RIGHT_AREAS = ("200.00", "240.00", "88.88", "70.00", "71.12")
ROOMS = ("1单元 101", "1单元 102", "1单元 103", "9栋", "1单元 201", "1单元 301", "1单元 302")


# A reduced fraction as the pages used to print it, "(3/5)" or "(2036896/3610645)": never shown to people.
FRACTION_TEXT = re.compile(r"\(\d+/\d+\)")


def url(vote, tail="results"):
    return f"/c/lvyuan/votes/{vote.id}/{tail}"


def cast_poll(estate, vote, picks):
    """Cast poll ballots: person name -> the option chosen."""
    for person, option in picks:
        right = electorate.right_of(vote, getattr(estate.people, person))
        box.cast(vote, right, box.Choices({}, options=frozenset({option.key})))
    db.session.commit()


def post(estate, vote, until=VoteStatus.preliminary):
    """Close the vote and walk it on to `until` (closed, preliminary or final)."""
    for step in (VoteStatus.closed, VoteStatus.preliminary, VoteStatus.final):
        lifecycle.transition(vote, step, estate.people.staff, reason="测试")
        if step == until:
            break
    db.session.commit()


def page(client, vote, tail="results"):
    response = client.get(url(vote, tail))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_data(as_text=True)


@pytest.fixture
def english(client):
    """Read the pages in English (the msgids), whatever the catalogue holds."""
    client.set_cookie("lang", "en")


FOUR_VOTERS = {"buyer": ("yes", "yes"), "developer": ("yes", "no"), "wife": ("no", None), "one": ("yes", "abstain")}


def test_passed_ordinary_item_shows_every_number_and_why(client, estate, make_vote, login, english):
    vote = make_vote()
    cast(estate, vote, FOUR_VOTERS)
    post(estate, vote)
    login(estate.people.two)  # an owner who did not vote reads the result too
    html = page(client, vote)
    assert "4 people / 5 people, 80.0%" in html and "598.88 ㎡ / 670.00 ㎡, 89.4%" in html  # took part / total
    assert "510.00 ㎡" in html and "88.88 ㎡" in html  # yes and no areas
    assert "3 people / 4 people, 75.0%" in html and "510.00 ㎡ / 598.88 ㎡, 85.2%" in html  # yes of the participants
    assert not FRACTION_TEXT.search(html)
    assert "more than 1/2" in html and "at least 3/4" in html
    assert (
        "Passed: the 2/3 quorum was met, and more than half of the participating owners (75.0% (3 people / 4 people)) "
        "and of their area (85.2% (510.00 ㎡ / 598.88 ㎡)) agreed." in html
    )
    # the major item: 1 of 4 heads, 200.00 of 598.88 m²
    assert (
        "Not passed: only 25.0% (1 person / 4 people) of the participating owners and 33.4% (200.00 ㎡ / 598.88 ㎡) "
        "of their area agreed; "
        "at least 3/4 of each is needed." in html
    )
    assert "Quorum met: 80.0% of the owners and 89.4% of the area took part" in html


def test_major_item_one_cent_short_of_three_quarters_fails(client, estate, make, make_vote, login, english):
    # A fourth unit for owner 两 makes the register 798.52 m²: 3/4 of it is 598.89; the four "yes" hold 598.88.
    make.unit(estate.compound, "303", "128.52", owners=[estate.people.two])
    vote = make_vote()
    everyone = dict.fromkeys(("buyer", "developer", "wife", "one"), ("yes", "yes"))
    cast(estate, vote, {**everyone, "two": ("no", "no")})
    post(estate, vote)
    ordinary, major = vote.items
    login(estate.people.one)
    html = page(client, vote)
    # It reads 75.0% rounded, which is why the exact fraction is shown: 14972/19963 < 3/4.
    assert Fraction(14972, 19963) == Fraction(59888, 79852) < Fraction(3, 4)
    assert (
        "Not passed: 75.0% (598.88 ㎡ / 798.52 ㎡) of the participating area agreed, but at least 3/4 is needed "
        "(the owners, 80.0% (4 people / 5 people), were enough)." in html
    )
    assert html.count("Passed: the 2/3 quorum was met, and more than half") == 1  # the ordinary item passes
    assert "598.88 ㎡" in html and "199.64 ㎡" in html and "798.52 ㎡" in html
    assert f'id="item-{ordinary.id}-h"' in html and f'id="item-{major.id}-h"' in html


def test_without_quorum_nothing_passes_and_the_sentence_says_so(client, estate, make_vote, login, english):
    vote = make_vote()
    cast(estate, vote, dict.fromkeys(("buyer", "developer", "one"), ("yes", "yes")))  # 3 of 5 heads, 510 of 670 m²
    post(estate, vote)
    login(estate.people.buyer)
    html = page(client, vote)
    sentence = "Not passed: only 3 of 5 owners took part (60.0%); at least 2/3 of the owners must take part."
    assert html.count(sentence) == 2  # once per item, whatever the yes share
    assert "Quorum not met: 60.0% of the owners and 76.1% of the area took part" in html
    assert "not met" in html and "Passed:" not in html


@pytest.mark.parametrize("tail", ["results", "notice", "results.json", "results.csv", "receipts", "objections"])
@pytest.mark.parametrize("status", ["open", "closed"])
def test_owners_see_no_result_before_it_is_posted(client, estate, make_vote, login, tail, status):
    vote = make_vote(status=status)
    login(estate.people.buyer)
    assert client.get(url(vote, tail)).status_code == 404


@pytest.mark.parametrize("tail", ["results", "notice", "results.json", "results.csv", "receipts"])
def test_staff_see_the_count_from_close_and_owners_from_preliminary(client, estate, make_vote, login, tail):
    vote = make_vote()
    cast(estate, vote, {"one": ("yes", "no")})
    post(estate, vote, until=VoteStatus.closed)
    login(estate.people.staff)
    assert client.get(url(vote, tail)).status_code == 200
    client.post("/logout")
    login(estate.people.buyer)
    assert client.get(url(vote, tail)).status_code == 404
    lifecycle.transition(vote, VoteStatus.preliminary, estate.people.staff)
    db.session.commit()
    assert client.get(url(vote, tail)).status_code == 200


def test_outsiders_never_see_results(client, estate, make, make_vote, login):
    vote = make_vote(status="final")
    outsider = make.person()
    make.member(outsider, make.compound())
    login(outsider)
    assert client.get(url(vote)).status_code == 404
    client.post("/logout")
    assert client.get(url(vote)).status_code in (302, 303, 401)  # logged out: asked to log in


def _absent(text: str, needles) -> list[str]:
    """The needles found in text (an area only when it stands alone, not inside a larger number)."""
    found = []
    for needle in needles:
        pattern = rf"(?<![0-9.]){re.escape(needle)}" if re.fullmatch(r"[0-9.]+", needle) else re.escape(needle)
        if re.search(pattern, text):
            found.append(needle)
    return found


def test_secret_vote_publishes_no_per_ballot_area_room_or_name(client, estate, make_vote, login):
    vote = make_vote(secrecy="secret")
    vote.publish_unit_choices = True  # must be ignored: a secret vote has nothing per ballot to publish
    db.session.commit()
    # chosen so that no total equals a single right's area (a unique area would identify the unit)
    cast(
        estate,
        vote,
        {
            "buyer": ("yes", "no"),
            "developer": ("yes", "yes"),
            "wife": ("no", "yes"),
            "one": ("yes", "yes"),
            "two": ("no", "no"),
        },
    )
    post(estate, vote)
    login(estate.people.one)
    for tail in ("results", "notice", "results.json", "results.csv", "receipts"):
        body = page(client, vote, tail)
        assert _absent(body, RIGHT_AREAS + ROOMS + NAMES) == [], tail
    assert "510.00" in page(client, vote, "results.json")  # the totals are there


def test_named_vote_publishing_unit_choices_lists_rooms_and_areas_but_no_names(
    client, estate, make_vote, login, english
):
    vote = make_vote()
    vote.publish_unit_choices = True
    db.session.commit()
    cast(estate, vote, FOUR_VOTERS)
    post(estate, vote)
    login(estate.people.two)
    for tail in ("results", "notice"):
        html = page(client, vote, tail)
        assert "Choices by unit" in html
        assert "1栋 1单元 101; 1栋 1单元 102; 1栋 1单元 103" in html and "200.00 ㎡" in html
        assert "9栋 1单元 901; 9栋 1单元 902" in html and "240.00 ㎡" in html
        assert "1栋 1单元 201" in html and "1栋 1单元 301" in html
        assert "1栋 1单元 302" not in html  # owner 乙 did not vote
        assert _absent(html, NAMES) == [], tail
    units = client.get(url(vote, "results.json")).get_json()["units"]
    assert [u["rooms"] for u in units][0] == "1栋 1单元 101; 1栋 1单元 102; 1栋 1单元 103"
    assert units[0] == {
        "rooms": "1栋 1单元 101; 1栋 1单元 102; 1栋 1单元 103",
        "area_m2": "200.00",
        "answers": ["yes", "yes"],
        "candidates": [],
        "options": [],
    }
    assert units[1]["answers"] == ["no", "abstain"]  # the wife (room 201, second on the roll): a blank is abstain


def test_named_vote_without_publishing_shows_no_unit_table(client, estate, make_vote, login, english):
    vote = make_vote()
    cast(estate, vote, FOUR_VOTERS)
    post(estate, vote)
    login(estate.people.two)
    html = page(client, vote)
    assert "Choices by unit" not in html and _absent(html, ROOMS + NAMES) == []
    assert "units" not in client.get(url(vote, "results.json")).get_json()


def test_receipts_page_lists_exactly_the_codes_of_the_fingerprints(client, estate, make_vote, login, english):
    vote = make_vote(secrecy="secret")
    receipts = cast(estate, vote, FOUR_VOTERS)
    post(estate, vote)
    login(estate.people.wife)
    html = page(client, vote, "receipts")
    listed = re.findall(r'<code class="receipt-listed">([0-9A-Z]{5}-[0-9A-Z]{5})</code>', html)
    assert listed == box.receipt_codes(vote) == sorted(listed) and len(listed) == 4
    assert [receipts_module.public_code(f) for f in box.receipt_fingerprints(vote)] == listed
    assert {box.public_code(receipt) for receipt in receipts.values()} == set(listed)
    receipts = {name: box.public_code(receipt) for name, receipt in receipts.items()}  # the codes voters were shown
    assert vote.digest in html
    assert f'action="{url(vote, "check-receipt")}"' in html
    checked = client.post(url(vote, "check-receipt"), data={"receipt": receipts["wife"]})
    answer = checked.get_data(as_text=True)
    # Without JavaScript: a whole page, with the answer, the form again (holding the code) and the way back.
    assert "Yes: a ballot with this receipt is in the box." in answer and "<html" in answer
    assert f'value="{receipts["wife"]}"' in answer and f'href="{url(vote, "")}"' in answer
    fragment = client.post(url(vote, "check-receipt"), data={"receipt": "AAAAA-BBBBB"}, headers={"HX-Request": "true"})
    assert fragment.get_data(as_text=True).strip().startswith('<p class="flash flash-error">')  # htmx: the answer only
    empty = client.post(url(vote, "check-receipt"), data={"receipt": "  "})
    html = empty.get_data(as_text=True)
    assert empty.status_code == 400 and 'aria-invalid="true" aria-describedby="receipt-error"' in html
    assert html.count('class="field-error"') == 1 and 'id="receipt-error"' in html  # at the field, once
    partial = client.post(url(vote, "check-receipt"), data={"receipt": "  "}, headers={"HX-Request": "true"})
    assert partial.status_code == 400 and partial.get_data(as_text=True).strip().startswith(
        '<p class="flash flash-error"'
    )
    too_long = client.post(url(vote, "check-receipt"), data={"receipt": "K" * 41})
    assert too_long.status_code == 400 and f'value="{"K" * 41}"' in too_long.get_data(as_text=True)  # kept


def test_results_page_shows_the_box_and_links(client, estate, make_vote, login, english):
    vote = make_vote()
    cast(estate, vote, FOUR_VOTERS)
    post(estate, vote)
    login(estate.people.one)
    html = page(client, vote)
    assert vote.digest in html and "Ballots counted: 4" in html
    for tail in ("receipts", "notice", "results.csv", "results.json", "objections"):
        assert f'href="{url(vote, tail)}"' in html


@pytest.mark.parametrize(
    ("status", "title"),
    [("closed", "Result count (not posted yet)"), ("preliminary", "Preliminary result notice"),
     ("final", "Final result notice")],
)  # fmt: skip
def test_printable_notice_has_the_title_of_its_status(client, estate, make_vote, login, english, status, title):
    vote = make_vote()
    cast(estate, vote, FOUR_VOTERS)
    post(estate, vote, until=VoteStatus(status))
    login(estate.people.staff)
    html = page(client, vote, "notice")
    assert f"<h1>{title}</h1>" in html and 'class="notice-sheet"' in html
    assert "绿园小区" in html and vote.digest in html and "Items" in html
    assert ("Objections until" in html) == (status != "closed")
    assert ("may file an objection on the portal until" in html) == (status == "preliminary")
    assert _absent(html, NAMES) == []


def test_notice_prints_on_a4_without_the_site_chrome(app):
    css = (app.static_folder + "/css/portal.css").replace("\\", "/")
    with open(css, encoding="utf-8") as handle:
        text = handle.read()
    block = text[text.index("/* results notice */") : text.index("/* end results notice */")]
    assert "size: A4" in block and ".site-header" in block and ".site-footer" in block and "nav" in block


def _election(estate, make_vote, seats=3, secrecy="named"):
    """An open election with candidates 甲 (one), 乙 (two), 三套 (buyer), 妻子 (wife) and the chair."""
    vote = make_vote(kind="election", status="draft", seats=seats, secrecy=secrecy)
    for position, name in enumerate(("one", "two", "buyer", "wife", "chair"), start=1):
        vote.candidates.append(
            Candidate(
                person_id=getattr(estate.people, name).id,
                position=position,
                nomination=Nomination.staff,
                consented_at=utcnow(),
                status=CandidateStatus.eligible,
            )
        )
    db.session.flush()
    lifecycle.transition(vote, VoteStatus.announced, estate.people.staff, reason="测试")
    vote.opens_at = utcnow() - timedelta(minutes=1)
    lifecycle.transition(vote, VoteStatus.open, estate.people.staff)
    db.session.commit()
    return vote


def cast_election(estate, vote, picks):
    """voter name -> names of the candidates they tick."""
    by_person = {c.person_id: c.key for c in vote.candidates}
    for voter, names in picks.items():
        right = electorate.right_of(vote, getattr(estate.people, voter))
        keys = frozenset(by_person[getattr(estate.people, n).id] for n in names)
        box.cast(vote, right, box.Choices({}, keys))
    db.session.commit()


ELECTION_PICKS = {
    "buyer": ("one", "two", "buyer"),
    "developer": ("one", "two", "wife"),
    "wife": ("one", "buyer", "wife"),
    "one": ("one", "two"),
    "two": ("buyer", "wife"),
}


@pytest.fixture
def election(estate, make_vote):
    """A posted election: 甲 4 heads; 乙 3 heads 510 m²; 妻子 3 heads 400 m²; 三套 3 heads 360 m²; the chair none."""
    vote = _election(estate, make_vote)
    cast_election(estate, vote, ELECTION_PICKS)
    post(estate, vote)
    return vote


def test_election_results_show_outcomes_in_vote_order(client, estate, election, login, english):
    login(estate.people.one)
    html = page(client, election)
    order = [html.index(name) for name in ("单套业主甲", "单套业主乙", "妻子", "三套业主", "主任")]
    assert order == sorted(order)  # by heads, then area
    assert html.count("<strong>Elected</strong>") == 3 and "<strong>Alternate member</strong>" in html
    assert "<strong>Not elected</strong>" in html
    assert (
        "Not qualified: 0.0% (0 people / 5 people) of the participating owners and 0.0% (0.00 ㎡ / 670.00 ㎡)" in html
    )
    assert "Qualified, but the seats went to candidates with more votes" in html
    assert "360.00 ㎡ / 670.00 ㎡, 53.7%" in html  # 三套业主: 360 of 670 m²
    assert not FRACTION_TEXT.search(html)


def test_poll_results_are_heads_per_option_and_non_binding(client, estate, make_vote, login, english):
    vote = make_vote(kind="poll")
    first, second = vote.options
    cast_poll(estate, vote, (("buyer", first), ("resident", first), ("one", second)))
    post(estate, vote)
    login(estate.people.resident)
    html = page(client, vote)
    assert "non-binding" in html and "2 people / 3 people, 66.7%" in html and "1 person / 3 people, 33.3%" in html
    assert "Quorum" not in html


# --- wording: exact percentages and one sentence per reason -------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction(0), "0.0%"),
        (Fraction(1), "100.0%"),
        (Fraction(8, 13), "61.5%"),
        (Fraction(2, 3), "66.7%"),
        (Fraction(1, 16), "6.3%"),  # 6.25 rounds half up (half-even would say 6.2)
        (Fraction(21, 2000), "1.1%"),  # 1.05: a float would round it down
        (Fraction(1999, 2000), "100.0%"),
        (Fraction(59888, 79852), "75.0%"),
    ],
)
def test_percent_rounds_half_up_from_the_exact_fraction(value, text):
    assert wording.percent(value) == text


def _item(electorate_, ballots, matter="ordinary"):
    counts = tally.aggregate(ballots, ["1"])
    return tally.decide_items(electorate_, counts, {"1": tally.Matter(matter)})[0]


def _ballot(area, answer):
    return tally.WeightedBallot(tally.Weight(1, Decimal(area)), {"1": answer})


REGISTER = tally.Weight(4, Decimal("400.00"))


@pytest.mark.parametrize(
    ("ballots", "matter", "reason", "start"),
    [
        ([("100", "yes")] * 3, "ordinary", "passed", "Passed: the 2/3 quorum was met, and more than half"),
        ([("100", "yes")] * 3, "major", "passed", "Passed: the 2/3 quorum was met, and at least 3/4"),
        ([("200", "yes"), ("100", "yes")], "ordinary", "no_quorum_heads", "Not passed: only 2 of 4 owners took part"),
        ([("10", "yes")] * 3, "ordinary", "no_quorum_area", "Not passed: the owners who took part hold only 30.00 ㎡"),
        ([("10", "yes")], "ordinary", "no_quorum_both", "Not passed: only 1 of 4 owners (25.0%), holding"),
        (
            [("200", "yes"), ("40", "no"), ("30", "no")],
            "ordinary",
            "heads_short",
            "Not passed: 33.3% (1 person / 3 people) of",
        ),
        (
            [("40", "yes"), ("30", "yes"), ("200", "no")],
            "ordinary",
            "area_short",
            "Not passed: 25.9% (70.00 ㎡ / 270.00 ㎡) of",
        ),
        (
            [("40", "yes"), ("130", "no"), ("100", "no")],
            "ordinary",
            "both_short",
            "Not passed: only 33.3% (1 person / 3 people)",
        ),
    ],
)
def test_one_sentence_per_reason(app, ballots, matter, reason, start):
    result = _item(REGISTER, [_ballot(a, x) for a, x in ballots], matter)
    assert result.reason == reason
    with app.test_request_context(), force_locale("en"):
        assert wording.item_sentence(result).startswith(start)


def test_runoff_has_its_sentence(app):
    counts = tally.Counts(
        participation=tally.Weight(3, Decimal("300.00")),
        items={},
        candidates={k: tally.Weight(2, Decimal("200.00")) for k in "abcd"},
        options={},
    )
    decided = tally.decide_election(tally.Weight(3, Decimal("300.00")), counts, 3, list("abcd"))
    assert {r.outcome for r in decided} == {tally.Outcome.runoff}
    with app.test_request_context(), force_locale("en"):
        assert wording.candidate_sentence(decided[0], True).startswith("Exactly tied in heads and in area")
        assert label(decided[0].outcome) == "Runoff"


# What a secret vote's published totals reveal by themselves: a warning on the result and the notice.
DISCLOSURE_HEADING = "What these published numbers reveal"


def test_secret_vote_warns_where_one_owner_chose_an_answer(client, estate, make_vote, login, english):
    vote = make_vote(secrecy="secret")
    cast(estate, vote, FOUR_VOTERS)  # item 1: one "no"; item 2: one "yes", one "no", two abstain
    post(estate, vote)
    login(estate.people.two)
    for tail in ("results", "notice"):
        html = page(client, vote, tail)
        assert DISCLOSURE_HEADING in html, tail
        assert "Item 1 “事项1”: only one owner chose “Disagree”." in html
        assert "Item 2 “事项2”: only one owner chose “Agree”." in html
        assert "Item 2 “事项2”: only one owner chose “Disagree”." in html
        assert "Item 2 “事项2”: only one owner chose “Abstain”." not in html  # two abstained
        assert "a public paper count" in html
        assert "88.88 ㎡" in html  # the lone "Disagree" on item 1 shows the wife's area: what the warning is about
        assert _absent(html, ROOMS + NAMES) == [], tail


def test_secret_vote_warns_when_everybody_chose_the_same(client, estate, make_vote, login, english):
    vote = make_vote(secrecy="secret", matters=("ordinary",))
    cast(estate, vote, {"buyer": ("yes",), "developer": ("yes",), "one": ("yes",)})
    post(estate, vote)
    login(estate.people.two)
    html = page(client, vote)
    assert "Item 1 “事项1”: all 3 owners who took part chose “Agree”" in html


def test_secret_vote_whose_totals_reveal_nobody_shows_no_warning(client, estate, make_vote, login, english):
    vote = make_vote(secrecy="secret", matters=("ordinary",))
    cast(estate, vote, {"buyer": ("yes",), "developer": ("yes",), "wife": ("no",), "one": ("no",)})
    post(estate, vote)
    login(estate.people.two)
    for tail in ("results", "notice"):
        assert DISCLOSURE_HEADING not in page(client, vote, tail)


def test_named_vote_shows_no_disclosure_warning(client, estate, make_vote, login, english):
    vote = make_vote()
    cast(estate, vote, FOUR_VOTERS)  # the same lone answers as above, but a named vote's choices are known anyway
    post(estate, vote)
    login(estate.people.two)
    assert DISCLOSURE_HEADING not in page(client, vote)


def test_secret_election_warns_about_a_candidate_with_one_vote(client, estate, make_vote, login, english):
    vote = _election(estate, make_vote, secrecy="secret")
    cast_election(estate, vote, ELECTION_PICKS)  # 单套业主甲: all 5 but one; the chair: none
    post(estate, vote)
    login(estate.people.one)
    html = page(client, vote)
    assert "Candidate 单套业主甲: all owners who took part but one voted for this candidate." in html
    assert "Candidate 主任" not in html


@pytest.mark.parametrize("tail", ["notice", "results"])
def test_digest_is_printed_with_how_to_check_it(client, estate, make_vote, login, english, tail):
    vote = make_vote(secrecy="secret")
    cast(estate, vote, FOUR_VOTERS)
    post(estate, vote)
    login(estate.people.two)
    html = page(client, vote, tail)
    assert f'<code class="digest">{vote.digest}</code>' in html
    assert f"flask --app app portal verify-vote {vote.id} --digest {vote.digest}" in html
    assert "keep the printed result notice" in html


def test_receipts_page_explains_that_the_list_holds_the_receipt_codes(client, estate, make_vote, login, english):
    vote = make_vote(secrecy="secret")
    cast(estate, vote, FOUR_VOTERS)
    post(estate, vote)
    login(estate.people.two)
    html = page(client, vote, "receipts")
    assert "the code on your receipt is here exactly as your receipt shows it" in html
    assert "first 50 bits" in html  # how a verifier derives each code from its fingerprint
    assert html.index('id="check-h"') < html.index('id="list-h"')  # the check comes before the long list


# --- results for people (issue 13): counts, never reduced fractions, the outcome first ------------------------


@pytest.mark.parametrize(
    ("locale", "heads_text", "area_text", "share"),
    [
        ("zh_Hans", "169 人", "22,043.10 ㎡", "169 人 / 229 人，73.8%；22,043.10 ㎡ / 29,076.25 ㎡，75.8%"),
        ("en", "169 people", "22,043.10 ㎡", "169 people / 229 people, 73.8%；22,043.10 ㎡ / 29,076.25 ㎡, 75.8%"),
    ],
)
def test_counts_read_with_units_and_thousands_separators(app, locale, heads_text, area_text, share):
    from portal.templating import area, heads

    with app.test_request_context(), force_locale(locale):
        assert heads(169) == heads_text and area(Decimal("22043.1")) == area_text
        assert area(Decimal("1234567.1")) == "1,234,567.10 ㎡"  # from the Decimal, no float
        both = (tally.Share.of(169, 229), tally.Share.of(Decimal("22043.10"), Decimal("29076.25")))
        assert "；".join(wording.share_text(s) for s in both) == share
    with app.test_request_context(), force_locale("en"):
        assert heads(1) == "1 person" and heads(12345) == "12,345 people"


@pytest.mark.parametrize("tail", ["results", "notice"])
def test_resolution_pages_say_passed_first_with_counts_and_no_fraction(client, estate, make_vote, login, tail):
    vote = make_vote()
    cast(estate, vote, FOUR_VOTERS)
    post(estate, vote)
    ordinary, major = vote.items
    login(estate.people.two)
    html = page(client, vote, tail)  # zh-Hans, the default
    assert not FRACTION_TEXT.search(html)
    assert "3 人 / 4 人，75.0%" in html and "510.00 ㎡ / 598.88 ㎡，85.2%" in html  # 同意 / 参与
    assert "4 人 / 5 人，80.0%" in html and "598.88 ㎡ / 670.00 ㎡，89.4%" in html
    summary = html.index('id="verdict-h"')
    assert summary < html.index('id="participation-h"') < html.index(f'id="item-{ordinary.id}-h"')
    verdicts = html[summary : html.index("</section>", summary)]
    assert (
        verdicts.index("通过") < verdicts.index(ordinary.title) < verdicts.index("未通过") < verdicts.index(major.title)
    )
    client.set_cookie("lang", "en")
    html = page(client, vote, tail)
    assert not FRACTION_TEXT.search(html)
    verdicts = html[html.index('id="verdict-h"') : html.index('id="participation-h"')]
    assert (
        "Passed" in verdicts
        and "Not passed" in verdicts
        and html.index("Not passed") < html.index('class="result-table"')
    )


@pytest.mark.parametrize("tail", ["results", "notice"])
def test_election_pages_name_the_elected_first(client, estate, election, login, tail):
    login(estate.people.one)
    html = page(client, election, tail)
    assert not FRACTION_TEXT.search(html)
    summary = html[html.index('id="verdict-h"') : html.index('id="candidates-h"')]
    assert "当选" in summary and "候补" in summary  # 甲, 乙, 妻子 elected; 三套业主 an alternate
    for name in ("单套业主甲", "单套业主乙", "妻子", "三套业主"):
        assert f'<span class="person-name">{name}</span>' in summary
    assert summary.index("单套业主乙") < summary.index("候补") < summary.index("三套业主")
    assert "主任" not in summary  # not elected: only in the table
    assert "360.00 ㎡ / 670.00 ㎡，53.7%" in html
    client.set_cookie("lang", "en")
    html = page(client, election, tail)
    summary = html[html.index('id="verdict-h"') : html.index('id="candidates-h"')]
    assert "Elected" in summary and "Alternate member" in summary and not FRACTION_TEXT.search(html)


def test_result_tables_stack_as_cards_on_a_phone_and_names_keep_together(app):
    with open(app.static_folder + "/css/portal.css", encoding="utf-8") as handle:
        text = handle.read()
    block = text[text.index("/* Results for people") : text.index("/* end results for people */")]
    assert "max-width: 40rem" in block and "attr(data-label)" in block
    assert ".person-name { white-space: nowrap; word-break: keep-all; }" in block
