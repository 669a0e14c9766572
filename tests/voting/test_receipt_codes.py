"""One receipt code (issue 13): the code on the owner's receipt is the code printed in the published list of receipts,
in the same grouped form (Ctrl-F finds it), derived exactly from the fingerprint verifiers read; the ballot, the review
step and the receipt show the rooms and the area voted for, and nothing of them reaches the public list."""

from __future__ import annotations

import hashlib
import re
import secrets

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.voting import box, lifecycle, proxies, receipts
from portal.voting.models import Ballot, VoteStatus
from portal.voting.receipts import CODE_ALPHABET
from tests.voting.test_receipts import RECEIPT, _items, _right, _url

LISTED = re.compile(r'<code class="receipt-listed">([0-9A-Z]{5}-[0-9A-Z]{5})</code>')


def _vote_and_read_receipt(client, vote, *answers) -> str:
    done = client.post(_url(vote, "ballot"), data={"step": "confirm", **_items(vote, *answers)})
    assert done.status_code == 303 and "/receipt" in done.headers["Location"]
    return RECEIPT.search(client.get(_url(vote, "receipt")).get_data(as_text=True)).group(1)


def _post_results(estate, vote):
    for step in (VoteStatus.closed, VoteStatus.preliminary):
        lifecycle.transition(vote, step, estate.people.staff, reason="测试")
    db.session.commit()


def _by_hand(fingerprint: str) -> str:
    """The derivation as the receipts page documents it, written out independently: the fingerprint's first 50 bits,
    ten base-32 digits of the alphabet 0-9 A-Z without I L O U, most significant first, grouped 5-5."""
    bits = bin(int(fingerprint, 16))[2:].zfill(64)[:50]
    digits = "".join(CODE_ALPHABET[int(bits[i : i + 5], 2)] for i in range(0, 50, 5))
    return f"{digits[:5]}-{digits[5:]}"


@pytest.mark.parametrize("secrecy", ["named", "secret"])
def test_the_code_on_the_receipt_is_the_code_in_the_published_list(client, estate, make_vote, login, secrecy):
    vote = make_vote(secrecy=secrecy)
    people = estate.people
    codes = {}
    for person, answers in ((people.one, ("yes", "no")), (people.two, ("no", "no")), (people.buyer, ("yes", None))):
        login(person)
        codes[person.name] = _vote_and_read_receipt(client, vote, *answers)
        assert codes[person.name] in client.get(_url(vote)).get_data(as_text=True)  # "My vote" shows the same code
        client.post("/logout")
    _post_results(estate, vote)

    login(people.one)
    html = client.get(_url(vote, "receipts")).get_data(as_text=True)
    listed = LISTED.findall(html)
    assert sorted(listed) == listed and set(listed) == set(codes.values())  # Ctrl-F finds each, as written
    # the list is the fingerprints verifiers read (sorted the same way), each written as its code
    assert listed == [_by_hand(f) for f in box.receipt_fingerprints(vote)]
    for code in codes.values():
        answer = client.post(_url(vote, "check-receipt"), data={"receipt": code.lower().replace("-", " ")})
        assert answer.status_code == 200 and 'class="flash"' in answer.get_data(as_text=True)


def test_the_code_is_exactly_the_first_50_bits_of_the_fingerprint():
    hashes = [hashlib.sha256(secrets.token_bytes(16)).hexdigest() for _ in range(400)]
    hashes += ["0" * 64, "f" * 64, "0123456789abcdef" * 4]
    for digest in hashes:
        code = receipts.public_code(digest)
        assert code == _by_hand(digest[:16])
        assert receipts.read_code(code) == code
    assert receipts.public_code("0" * 64) == "00000-00000" and receipts.public_code("f" * 64) == "ZZZZZ-ZZZZZ"
    # sorting the codes sorts the fingerprints: the list reads in one order for people and verifiers
    assert sorted(hashes) == sorted(hashes, key=lambda h: (receipts.public_code(h), h))


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("kz143-j11ak", "KZ143-J11AK"),
        (" KZ143 J11AK ", "KZ143-J11AK"),
        ("KZ143J11AK", "KZ143-J11AK"),
        ("kz143-jilak", "KZ143-J11AK"),  # I and L read as 1, O as 0 (they are not in the alphabet)
        ("KZ14O-J11AK", "KZ140-J11AK"),
        ("KZ143-J11A", None),
        ("KZ143-J11AKK", None),
        ("KZ143-J11AU", None),
        ("", None),
    ],
)
def test_a_typed_code_is_read_leniently_and_exactly(typed, read):
    assert receipts.read_code(typed) == read


def test_an_open_secret_vote_files_codes_under_a_keyed_tag_only(client, estate, make_vote, login):
    vote = make_vote(secrecy="secret")
    login(estate.people.one)
    code = _vote_and_read_receipt(client, vote, "yes", "yes")
    assert box.receipt_in_box(vote, code) and not box.receipt_in_box(vote, "00000-00000")
    stored = db.session.scalar(sa.select(Ballot.receipt_hash).where(Ballot.vote_id == vote.id))
    dump = repr([tuple(r) for r in db.session.execute(sa.text("SELECT * FROM ballot")).all()])
    for form in (code, code.replace("-", ""), code.lower()):
        assert form not in dump  # the database alone does not hold the code
    assert not stored.startswith(box.receipt_hash(receipts.shown(vote, _right(vote, estate.people.one).id))[:12])


def test_the_published_list_shows_no_room_area_name_or_choice(client, estate, make_vote, login):
    vote = make_vote(secrecy="named")
    login(estate.people.buyer)
    _vote_and_read_receipt(client, vote, "yes", "no")
    client.post("/logout")
    _post_results(estate, vote)
    login(estate.people.two)
    client.set_cookie("lang", "en")
    html = client.get(_url(vote, "receipts")).get_data(as_text=True)
    section = html.split('id="list-h"')[1]
    for word in ("101", "102", "103", "200.00", "100.00", "三套业主", "Agree", "Disagree", "1栋"):
        assert word not in section


def _rooms_block(html: str) -> str:
    found = re.search(r'<(?:section|div) class="voting-for".*?</(?:section|div)>', html, re.S)
    assert found, "no block with the rooms voted for"
    return found.group(0)


def test_ballot_review_and_receipt_show_the_rooms_and_area_voted_for(client, estate, make_vote, make, login):
    big = make.person("大户业主")
    make.unit(estate.compound, "1801", "1234.50", building="3栋", owners=[big])
    make.unit(estate.compound, "1802", "89.50", building="3栋", owners=[big])
    make.member(big, estate.compound)
    db.session.commit()
    vote = make_vote()
    login(big)
    client.set_cookie("lang", "en")
    ballot = _rooms_block(client.get(_url(vote, "ballot")).get_data(as_text=True))
    review = _rooms_block(
        client.post(_url(vote, "ballot"), data={"step": "review", **_items(vote, "yes", "no")}).get_data(as_text=True)
    )
    _vote_and_read_receipt(client, vote, "yes", "no")
    receipt = _rooms_block(client.get(_url(vote, "receipt")).get_data(as_text=True))
    for block in (ballot, review, receipt):
        assert "1801" in block and "1,234.50 ㎡" in block  # thousands separators
        assert "1802" in block and "89.50 ㎡" in block
        assert "1,324.00 ㎡" in block  # the two together: one head, the areas added up
    assert "Agree" not in receipt and "☑" not in receipt


def test_a_proxy_sees_the_rooms_of_the_owner_they_vote_for(client, estate, make_vote, login):
    vote = make_vote()
    people = estate.people
    held = _right(vote, people.buyer)
    proxies.authorise(vote, proxies.electorate_refs(vote)[held.ordinal - 1], people.chair, "S-1", people.staff)
    db.session.commit()
    login(people.chair)
    client.set_cookie("lang", "en")
    block = _rooms_block(client.get(_url(vote, f"ballot?for={held.id}")).get_data(as_text=True))
    for room, area in (("101", "100.00"), ("102", "50.50"), ("103", "49.50")):
        assert room in block and f"{area} ㎡" in block
    assert "200.00 ㎡" in block
    assert "301" not in block  # not the proxy's (or anyone else's) rooms
