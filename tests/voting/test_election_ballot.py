"""The election ballot as an owner reads it (issue 13): a live "已选 x/N" counter kept by static/js/ballot.js (the
legend says the most without JavaScript), the numbers in the error when too many are ticked, and each candidate's
building and a short summary of their statement (the whole statement one tap away)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask_babel import force_locale

from portal.db import utcnow
from portal.extensions import db
from portal.refusals import Refused, sentence
from portal.voting import box, candidates, lifecycle
from portal.voting.models import VoteStatus

LONG = "我在小区住了十年，做过三年楼栋长，熟悉小区的设施和账目。" * 3 + "最后一句只在全文里。"
SHORT = "愿意为大家服务。"


@pytest.fixture
def election(estate, make, make_vote):
    """An open election with three seats and four candidates: two living in 3栋, one in 5栋, one in 3栋 and 5栋."""
    vote = make_vote(kind="election", status="draft", seats=3)
    people = [make.person(name) for name in ("候选甲", "候选乙", "候选丙", "候选丁")]
    for person, building, room in zip(people, ("3栋", "3栋", "5栋", "3栋"), ("301", "302", "501", "303"), strict=True):
        make.unit(estate.compound, room, "90.00", building=building, owners=[person])
        make.member(person, estate.compound)
    make.unit(estate.compound, "502", "90.00", building="5栋", owners=[people[3]])
    for person, statement in zip(people, (LONG, SHORT, LONG, SHORT), strict=True):
        candidates.check(candidates.self_nominate(vote, person, statement), estate.people.staff, True)
    db.session.commit()
    lifecycle.transition(vote, VoteStatus.announced, estate.people.staff, reason="测试")
    vote.opens_at = utcnow() - timedelta(minutes=1)
    lifecycle.transition(vote, VoteStatus.open, estate.people.staff, reason="测试")
    db.session.commit()
    return vote


def _url(vote):
    return f"/c/lvyuan/votes/{vote.id}/ballot"


def _en(client):
    client.set_cookie("lang", "en")


# --- the counter ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "static", "count", "over"),
    [
        ("zh_Hans", "最多选择 3 名候选人", "已选 {n}/3", "已选 {n} 人，最多 3 人"),
        ("en", "Choose at most 3 candidates", "{n} of 3 chosen", "{n} chosen, at most 3"),
    ],
)
def test_the_ballot_carries_a_live_counter_and_says_the_most_without_javascript(
    client, estate, election, login, lang, static, count, over
):
    login(estate.people.one)
    if lang == "en":
        _en(client)
    page = client.get(_url(election)).get_data(as_text=True)
    assert f"<legend>{static}</legend>" in page  # without JavaScript: the most, said once
    counter = re.search(r"<p [^>]*data-ballot-counter[^>]*>", page)
    assert counter, page
    tag = counter.group(0)
    assert 'aria-live="polite"' in tag and 'data-most="3"' in tag
    assert f'data-count="{count}"' in tag and f'data-over="{over}"' in tag
    # Hidden until ballot.js fills it in: the server never writes how many are ticked (a length would tell).
    assert " hidden" in tag
    assert 'src="/static/js/ballot.js' in page or "js/ballot.js" in page


def test_the_counter_is_on_the_ballot_only_for_an_election(client, estate, make_vote, login):
    vote = make_vote(kind="poll", options=("方案一", "方案二"))
    login(estate.people.one)
    assert "data-ballot-counter" not in client.get(_url(vote)).get_data(as_text=True)


# --- too many: the numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "message"),
    [("zh_Hans", "您选了 4 人，最多可选 3 人。"), ("en", "You chose 4 candidates; you can choose at most 3.")],
)
@pytest.mark.parametrize("body", [{"picks": "1111"}, {"pick": ["0", "1", "2", "3"]}], ids=["javascript", "no-js"])
def test_too_many_ticked_says_how_many_and_the_most(client, estate, election, login, lang, message, body):
    login(estate.people.one)
    if lang == "en":
        _en(client)
    response = client.post(_url(election), data={"step": "review", **body})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert 'id="picks-error"' in page  # at the list, which points to it
    assert len(re.findall(r'name="pick" value="\d" checked', page)) == 4  # what was ticked is kept
    # Once more straight to the submit step: refused the same way, nothing cast.
    confirmed = client.post(_url(election), data={"step": "confirm", "picks": "1111"})
    assert confirmed.status_code == 400 and message in confirmed.get_data(as_text=True)


def test_the_ballot_box_refuses_too_many_candidates_with_the_numbers(app, election):
    too_many = box.Choices({}, frozenset(c.key for c in election.candidates))
    with pytest.raises(Refused) as refused:
        box.validate(election, too_many)
    assert refused.value.code == "too_many_candidates"
    assert refused.value.values == {"num": 4, "most": 3}
    with app.test_request_context(), force_locale("zh_Hans"):
        assert refused.value.sentence == "您选了 4 人，最多可选 3 人。"


def test_the_sentence_counts_one_candidate_in_english(app):
    with app.test_request_context(), force_locale("en"):
        assert sentence("too_many_candidates", num=1, most=0) == "You chose 1 candidate; you can choose at most 0."


# --- who the candidates are -----------------------------------------------------------------------------------


def _candidate_blocks(page: str) -> list[str]:
    """Each candidate's part of the ballot, from their box to the next candidate's (the last to the list's end)."""
    ballot = page.split('data-ballot-list="picks"', 1)[1].split("</fieldset>", 1)[0]
    return ballot.split('<div class="ballot-candidate">')[1:]


@pytest.mark.parametrize("lang", ["zh_Hans", "en"])
def test_each_candidate_shows_their_building_and_a_statement_summary(client, estate, election, login, lang):
    login(estate.people.one)
    if lang == "en":
        _en(client)
    page = client.get(_url(election)).get_data(as_text=True)
    blocks = _candidate_blocks(page)
    assert len(blocks) == 4
    joiner = "、" if lang == "zh_Hans" else ", "
    for block, name, place in zip(
        blocks, ("候选甲", "候选乙", "候选丙", "候选丁"), ("3栋", "3栋", "5栋", f"3栋{joiner}5栋"), strict=True
    ):
        assert f'<strong>{name}</strong> <span class="ballot-place">{place}</span>' in block, block
    full = "Full statement" if lang == "en" else "完整参选说明"
    long_one, short_one = blocks[0], blocks[1]
    summary = re.search(r'<p class="ballot-summary">(.*?)</p>', long_one).group(1)
    assert summary.endswith("…") and len(summary) <= 61 and LONG.startswith(summary[:-1])
    assert f"<details><summary>{full}</summary>" in long_one and "最后一句只在全文里。" in long_one
    assert "最后一句只在全文里。" not in summary
    assert SHORT in short_one and "<details>" not in short_one and "ballot-summary" not in short_one


def test_the_ballot_shows_no_candidates_room_or_area(client, estate, election, login):
    """Only the building: the ballot goes to every owner, and a candidate's door (or how many flats they own, and how
    big) is not what an owner needs to choose."""
    login(estate.people.one)
    page = client.get(_url(election)).get_data(as_text=True)
    start = page.index('data-ballot-list="picks"')
    candidates = page[start : page.index("</fieldset>", start)]  # (the box above it names the voter's own rooms)
    assert "data-ballot-list" in page[start - 200 : start + 30]
    for room in ("301", "302", "501", "502", "303"):
        assert room not in candidates
    assert "90.00" not in candidates and "㎡" not in candidates
