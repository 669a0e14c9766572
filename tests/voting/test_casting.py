"""Casting: the ballot page with its review step, one ballot per voting right, named and secret storage."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.voting import ballot_form, box, receipts
from portal.voting.models import Ballot, Participation, VotingRight


def _url(vote, tail=""):
    return f"/c/lvyuan/votes/{vote.id}/{tail}"


def _items(vote, *answers):
    """The ballot's fields for these answers (one-character codes; a blank item is not sent)."""
    return {f"item_{item.id}": ballot_form.CODES[a] for item, a in zip(vote.items, answers, strict=False) if a}


def vote_online(client, vote, data):
    """Fill in, review and submit a ballot through the pages; returns the receipt page."""
    review = client.post(_url(vote, "ballot"), data={"step": "review", **data})
    assert review.status_code == 200, review.get_data(as_text=True)[:400]
    confirmed = client.post(_url(vote, "ballot"), data={"step": "confirm", **data})
    assert confirmed.status_code == 303, confirmed.get_data(as_text=True)[:400]
    return client.get(confirmed.headers["Location"])


def test_owner_votes_with_a_review_step_and_gets_a_receipt(client, estate, make_vote, login):
    vote = make_vote()
    login(estate.people.buyer)
    form = client.get(_url(vote, "ballot")).get_data(as_text=True)
    assert 'type="radio"' in form and "事项1" in form
    review = client.post(_url(vote, "ballot"), data={"step": "review", **_items(vote, "yes", "no")})
    assert "Submit my ballot" in review.get_data(as_text=True) or "提交" in review.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Ballot.id))) == 0  # nothing is cast at review
    receipt = vote_online(client, vote, _items(vote, "yes", "no")).get_data(as_text=True)
    code = re.search(r'class="code receipt-code">([0-9A-Z]{5}-[0-9A-Z]{5})<', receipt).group(1)
    ballot = db.session.scalar(sa.select(Ballot))
    assert receipts.public_code(ballot.receipt_hash) == code  # the page shows the code the published list prints
    assert json.loads(ballot.answers) == {str(vote.items[0].id): "yes", str(vote.items[1].id): "no"}
    right = db.session.get(VotingRight, ballot.right_id)
    assert right.person_id == estate.people.buyer.id and ballot.weight_area == Decimal("200.00")
    assert ballot.channel.value == "online"


def test_blank_item_counts_as_abstain(client, estate, make_vote, login):
    vote = make_vote()
    login(estate.people.one)
    vote_online(client, vote, _items(vote, "yes"))
    answers = json.loads(db.session.scalar(sa.select(Ballot.answers)))
    assert answers[str(vote.items[1].id)] == "abstain"


def test_second_ballot_for_the_same_right_is_refused(client, estate, make_vote, login):
    vote = make_vote()
    login(estate.people.one)
    vote_online(client, vote, _items(vote, "yes", "yes"))
    again = client.post(_url(vote, "ballot"), data={"step": "confirm", **_items(vote, "no", "no")})
    assert again.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(Ballot.id))) == 1
    assert json.loads(db.session.scalar(sa.select(Ballot.answers)))[str(vote.items[0].id)] == "yes"


def test_co_owner_who_is_not_the_designated_voter_has_no_ballot(client, estate, make_vote, login):
    vote = make_vote()
    login(estate.people.husband)  # the wife was designated
    assert client.get(_url(vote, "ballot")).status_code == 403


def test_resident_never_reaches_the_ballot(client, estate, make_vote, login):
    vote = make_vote()
    login(estate.people.resident)
    assert client.get(_url(vote, "ballot")).status_code == 403
    assert client.post(_url(vote, "ballot"), data={"step": "confirm"}).status_code == 403


def test_owner_of_another_compound_gets_404(client, estate, make_vote, make, login):
    vote = make_vote()
    stranger = make.person()
    other = make.compound()
    make.member(stranger, other)
    login(stranger)
    for tail in ("", "ballot", "turnout", "roll"):
        assert client.get(_url(vote, tail)).status_code == 404, tail


def test_ballot_refused_before_opening_and_after_closing(client, estate, make_vote, login):
    announced = make_vote(status="announced")
    closed = make_vote(status="closed")
    login(estate.people.one)
    for vote in (announced, closed):
        response = client.post(_url(vote, "ballot"), data={"step": "confirm", **_items(vote, "yes", "yes")})
        assert response.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(Ballot.id))) == 0


def test_unknown_answer_is_refused_and_nothing_is_cast(client, estate, make_vote, login):
    vote = make_vote()
    login(estate.people.one)
    response = client.post(_url(vote, "ballot"), data={"step": "confirm", f"item_{vote.items[0].id}": "maybe"})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Participation.id))) == 0


@pytest.mark.parametrize("htmx", [False, True])
def test_an_unreadable_answer_is_shown_at_its_item_with_the_rest_kept(client, estate, make_vote, login, htmx):
    vote = make_vote()
    login(estate.people.one)
    first, second = (item.id for item in vote.items)
    headers = {"HX-Request": "true"} if htmx else {}
    data = {"step": "review", f"item_{first}": "m", f"item_{second}": "n"}
    response = client.post(_url(vote, "ballot"), data=data, headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and response.headers["Cache-Control"] == "no-store, no-transform"
    error = re.search(rf'<small id="item_{first}-error" class="field-error">([^<]*)</small>', html)
    assert error and error.group(1) == "无法读取选票内容，请重新填写。"
    assert f'data-ballot-item="item_{first}" aria-describedby="item_{first}-error"' in html
    assert f'name="item_{first}" value="y"         aria-invalid="true">' in html  # nothing of it taken as chosen
    assert f'name="item_{second}" value="n" checked>' in html  # what was ticked is kept
    assert f'id="item_{second}-error"' not in html
    assert db.session.scalar(sa.select(sa.func.count(Participation.id))) == 0


def test_too_many_options_are_refused_at_the_list(client, estate, make_vote, login):
    vote = make_vote(kind="poll")
    login(estate.people.one)
    response = client.post(_url(vote, "ballot"), data={"step": "review", "opt": ["0", "1"]})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<small id="opts-error" class="field-error">所选数量超过了上限。</small>' in html
    assert html.count('checked aria-invalid="true">') == 2  # both ticks kept, both marked
    unreadable = client.post(_url(vote, "ballot"), data={"step": "confirm", "opts": "1"})  # one bit for two options
    assert unreadable.status_code == 400 and "无法读取选票内容" in unreadable.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Participation.id))) == 0


def test_secret_ballot_holds_nothing_that_links_it(client, estate, make_vote, login):
    vote = make_vote(secrecy="secret")
    login(estate.people.buyer)
    vote_online(client, vote, _items(vote, "yes", "no"))
    ballot = db.session.scalar(sa.select(Ballot))
    assert ballot.right_id is None and ballot.current_right_id is None
    assert ballot.channel is None and ballot.weight_area is None and ballot.cast_at is None and ballot.proxy_id is None
    assert len(ballot.id) == 32  # random, not a sequence
    assert (ballot.answers, ballot.selected, ballot.options) == ("", "", "")  # only the ciphertext while open
    assert ballot.encrypted and not ballot.encrypted.startswith(("{", "["))
    participation = db.session.scalar(sa.select(Participation))
    assert participation.right.person_id == estate.people.buyer.id  # who voted is known, not how


def test_changing_a_ballot_keeps_the_history(client, estate, make_vote, login):
    vote = make_vote(allow_change=True)
    login(estate.people.one)
    vote_online(client, vote, _items(vote, "yes", "yes"))
    form = client.get(_url(vote, "ballot")).get_data(as_text=True)
    assert "checked" in form  # prefilled with the counted choices
    vote_online(client, vote, _items(vote, "no", "no"))
    ballots = db.session.scalars(sa.select(Ballot).order_by(Ballot.cast_at)).all()
    assert len(ballots) == 2
    assert ballots[0].current_right_id is None and ballots[0].replaced_at is not None
    assert json.loads(ballots[1].answers)[str(vote.items[0].id)] == "no"
    assert len(box.counted_ballots(vote)) == 1


def test_without_javascript_the_review_form_carries_the_choices(client, estate, make_vote, login):
    vote = make_vote()
    login(estate.people.two)
    review = client.post(_url(vote, "ballot"), data={"step": "review", **_items(vote, "no", "yes")})
    page = review.get_data(as_text=True)
    assert f'name="item_{vote.items[0].id}" value="n"' in page and 'name="step" value="confirm"' in page
    back = client.post(_url(vote, "ballot"), data={"step": "confirm", "change": "1", **_items(vote, "no", "yes")})
    assert back.status_code == 200 and 'value="n" checked' in back.get_data(as_text=True)


@pytest.mark.parametrize("kind", ["poll"])
def test_residents_answer_polls(client, estate, make_vote, login, kind):
    vote = make_vote(kind=kind)
    login(estate.people.resident)
    option = vote.options[0]
    vote_online(client, vote, {"opts": "10"})  # one 0/1 per option, in order
    assert json.loads(db.session.scalar(sa.select(Ballot.options))) == [option.id]
    client.post("/logout")
    login(estate.people.one)
    two = client.post(_url(vote, "ballot"), data={"step": "review", "opts": "11"})
    assert two.status_code == 400  # a single-choice poll
