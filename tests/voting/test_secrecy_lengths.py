"""No length depends on a secret choice: written as the attack of someone who sees only sizes (an access log, a TLS
observer) and compares them across every answer combination.

Sizes are compared within one session (the CSRF token and the receipt code are random but of fixed length), and as
many owners as combinations cast for real, so that the receipt pages are compared too.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from portal.db import utcnow
from portal.extensions import db
from portal.voting import ballot_form, candidates, lifecycle
from portal.voting.models import Ballot, VoteStatus
from tests.conftest import PASSWORD

ANSWERS = ("yes", "no", "abstain", None)  # None: the item left blank
COMBOS = list(itertools.product(ANSWERS, repeat=2))  # 16


class Form(HTMLParser):
    """The fields a browser would send from the page's ballot form (hidden inputs, and the ticked controls)."""

    def __init__(self, action_part: str):
        super().__init__()
        self.action_part, self.inside, self.fields, self.controls = action_part, False, [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and self.action_part in (a.get("action") or "") and a.get("method") == "post":
            self.inside = True
        elif tag == "input" and self.inside and "name" in a:
            self.controls.append(a)
            if a.get("type") == "hidden" or ("checked" in a and a.get("type") in ("radio", "checkbox")):
                self.fields.append((a["name"], a.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def form_of(html: str, action_part: str = "/ballot") -> Form:
    parser = Form(action_part)
    parser.feed(html)
    return parser


def fill_in_body(html: str, ticked: dict[str, str]) -> list[tuple[str, str]]:
    """The fill-in form's body as static/js/ballot.js sends it: every item once ("-" when blank), lists as bitmaps."""
    form = form_of(html)
    body = list(form.fields)
    items = dict.fromkeys(c["name"] for c in form.controls if c["name"].startswith("item_"))
    body += [(name, ticked.get(name, ballot_form.BLANK)) for name in items]
    for field, control in (("picks", "pick"), ("opts", "opt")):
        boxes = [c for c in form.controls if c["name"] == control]
        if boxes:
            chosen = set(ticked.get(control, ()))
            body.append((field, "".join("1" if c["value"] in chosen else "0" for c in boxes)))
    return body


def log_in(app, person):
    client = app.test_client()
    assert client.post("/login", data={"login": person.account_no, "password": PASSWORD}).status_code == 303
    return client


@pytest.fixture
def owners(estate, make):
    """Thirty-two owners more, one unit each."""
    people = []
    for n in range(32):
        person = make.person(f"业主{n:02d}")
        make.unit(estate.compound, f"{n:02d}", f"{70 + n}.25", building="6栋", owners=[person])
        make.member(person, estate.compound)
        people.append(person)
    return people


def _answers(vote, combo) -> dict[str, str]:
    return {f"item_{item.id}": ballot_form.CODES[a] for item, a in zip(vote.items, combo, strict=True) if a}


def test_every_answer_combination_gives_the_same_lengths(app, estate, owners, make_vote):
    vote = make_vote(secrecy="secret")
    url = f"/c/lvyuan/votes/{vote.id}/ballot"
    watcher = log_in(app, owners[0])
    blank_form = watcher.get(url).get_data(as_text=True)
    radios = [c for c in form_of(blank_form).controls if c.get("type") == "radio"]
    assert len(radios) == 6 and all(len(c["value"]) == 1 for c in radios)  # y / n / a
    assert not any("checked" in c for c in radios)  # nothing is pre-selected on a ballot

    fill_in, reviews, review_bodies, changes = set(), {}, set(), set()
    for combo in COMBOS:
        body = fill_in_body(blank_form, _answers(vote, combo))
        fill_in.add(len(urlencode(body)))
        for htmx in (False, True):
            review = watcher.post(url, data=dict(body), headers={"HX-Request": "true"} if htmx else {})
            assert review.status_code == 200, review.get_data(as_text=True)[:300]
            reviews.setdefault(htmx, set()).add(len(review.data))
        sent = form_of(review.get_data(as_text=True)).fields
        assert all(len(v) == 1 for k, v in sent if k.startswith("item_"))
        review_bodies.add(len(urlencode(sent)))
        back = watcher.post(url, data={**dict(sent), "change": "1"})  # "Change my choices": the form, filled in
        assert back.status_code == 200 and back.headers["Cache-Control"] == "no-store, no-transform"
        changes.add(len(back.data))
    assert len(fill_in) == 1, fill_in  # the request that asks for the review
    assert all(len(s) == 1 for s in reviews.values()), reviews
    assert len(review_bodies) == 1  # the request that casts
    assert len(changes) == 1

    receipts, stored = {False: set(), True: set()}, []
    for combo, owner in zip(COMBOS, owners[1:], strict=False):
        client = log_in(app, owner)
        review = client.post(url, data=dict(fill_in_body(blank_form, _answers(vote, combo))))
        confirmed = client.post(url, data=dict(form_of(review.get_data(as_text=True)).fields))
        assert confirmed.status_code == 303, confirmed.get_data(as_text=True)[:300]
        for htmx in (False, True):
            page = client.get(confirmed.headers["Location"], headers={"HX-Request": "true"} if htmx else {})
            assert page.status_code == 200
            receipts[htmx].add(len(page.data))
            text = page.get_data(as_text=True)
            assert not any(word in text for word in ("Agree", "同意", "Disagree", "反对", "☑"))  # no choice at all
        stored.append(combo)
    assert all(len(s) == 1 for s in receipts.values()), receipts
    assert db.session.scalar(sa.select(sa.func.count(Ballot.id)).where(Ballot.vote_id == vote.id)) == len(COMBOS)


@pytest.fixture
def election(estate, owners, make_vote):
    """A secret election: five candidates on the ballot, three seats, open."""
    vote = make_vote(kind="election", status="draft", seats=3, secrecy="secret")
    for person in owners[26:31]:
        candidate = candidates.self_nominate(vote, person, f"{person.name}的陈述")
        candidates.check(candidate, estate.people.staff, True)
    db.session.commit()
    lifecycle.transition(vote, VoteStatus.announced, estate.people.staff, reason="测试")
    vote.opens_at = utcnow() - timedelta(minutes=1)
    lifecycle.transition(vote, VoteStatus.open, estate.people.staff, reason="测试")
    db.session.commit()
    return vote


def test_every_subset_of_candidates_gives_the_same_lengths(app, estate, owners, election):
    url = f"/c/lvyuan/votes/{election.id}/ballot"
    watcher = log_in(app, owners[31])
    blank_form = watcher.get(url).get_data(as_text=True)
    boxes = [c["value"] for c in form_of(blank_form).controls if c["name"] == "pick"]
    assert boxes == ["0", "1", "2", "3", "4"]
    subsets = [s for k in range(4) for s in itertools.combinations(boxes, k)]
    assert len(subsets) == 26

    fill_in, reviews, casts, receipts, changes = set(), set(), set(), set(), set()
    for subset, owner in zip(subsets, owners[:26], strict=True):
        body = fill_in_body(blank_form, {"pick": subset})
        fill_in.add(len(urlencode(body)))
        client = log_in(app, owner)
        review = client.post(url, data=dict(body))
        assert review.status_code == 200, review.get_data(as_text=True)[:300]
        reviews.add(len(review.data))
        sent = form_of(review.get_data(as_text=True)).fields
        assert [v for k, v in sent if k == "picks"] == ["".join("1" if b in subset else "0" for b in boxes)]
        casts.add(len(urlencode(sent)))
        changes.add(len(client.post(url, data={**dict(sent), "change": "1"}).data))  # ticked boxes, padded
        confirmed = client.post(url, data=dict(sent))
        assert confirmed.status_code == 303
        receipts.add(len(client.get(confirmed.headers["Location"]).data))
    assert [len(s) for s in (fill_in, reviews, casts, receipts, changes)] == [1] * 5, (
        fill_in,
        reviews,
        casts,
        receipts,
    )
