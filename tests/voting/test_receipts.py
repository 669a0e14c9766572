"""Receipts from the server (issue 11, item 5): never in the cookie, shown again from any device and after a lost
answer, re-derived with a key the database alone cannot read, and gone for good once the vote is archived."""

from __future__ import annotations

import hashlib
import hmac
import re

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.voting import ballot_form, ballot_key, box, lifecycle, proxies, receipts, sheets
from portal.voting.models import Ballot, BallotChannel, Participation, VoteStatus, VotingRight
from portal.voting.receipts import CODE_ALPHABET
from tests.conftest import PASSWORD

RECEIPT = re.compile(r'class="code receipt-code">([0-9A-Z]{5}-[0-9A-Z]{5})<')


def _url(vote, tail=""):
    return f"/c/lvyuan/votes/{vote.id}/{tail}"


def _items(vote, *answers):
    return {f"item_{item.id}": ballot_form.CODES[a] for item, a in zip(vote.items, answers, strict=False) if a}


def _right(vote, person) -> VotingRight:
    return db.session.scalar(sa.select(VotingRight).filter_by(vote_id=vote.id, person_id=person.id))


def _receipt_on_page(client, vote, tail="receipt") -> str | None:
    """The receipt the receipt page shows, or None when it sends the voter back to the vote page."""
    page = client.get(_url(vote, tail))
    if page.status_code == 303:
        return None
    assert page.status_code == 200, page.get_data(as_text=True)[:300]
    return RECEIPT.search(page.get_data(as_text=True)).group(1)


def _cast(client, vote, *answers, extra=None):
    data = {"step": "confirm", **_items(vote, *answers), **(extra or {})}
    done = client.post(_url(vote, "ballot"), data=data)
    assert done.status_code == 303 and "/receipt" in done.headers["Location"], done.headers.get("Location")
    return done


def _session_of(app, client) -> dict:
    """What the session cookie holds, decoded as anyone holding the phone could (it is signed, not encrypted)."""
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    return app.session_interface.get_signing_serializer(app).loads(cookie.value) if cookie else {}


@pytest.mark.parametrize("secrecy", ["named", "secret"])
def test_the_receipt_is_never_in_the_cookie_and_is_shown_again_from_another_phone(
    app, client, estate, make_vote, login, secrecy
):
    vote = make_vote(secrecy=secrecy)
    login(estate.people.one)
    _cast(client, vote, "yes", "no")
    code = _receipt_on_page(client, vote)
    assert code is not None and box.receipt_in_box(vote, code)
    session = _session_of(app, client)
    assert "receipts" not in session and code not in repr(session) and code.replace("-", "") not in repr(session)

    other_phone = app.test_client()
    login_again = other_phone.post("/login", data={"login": estate.people.one.account_no, "password": PASSWORD})
    assert login_again.status_code == 303
    assert _receipt_on_page(other_phone, vote) == code
    assert code in other_phone.get(_url(vote)).get_data(as_text=True)  # also on the vote page, under "My vote"


def test_the_next_person_on_the_same_phone_does_not_see_it(client, estate, make_vote, login):
    vote = make_vote(secrecy="secret")
    login(estate.people.one)
    _cast(client, vote, "yes", "yes")
    code = _receipt_on_page(client, vote)
    client.post("/logout")
    login(estate.people.two)  # has not voted
    assert _receipt_on_page(client, vote) is None
    assert code not in client.get(_url(vote)).get_data(as_text=True)


@pytest.mark.parametrize("secrecy", ["named", "secret"])
def test_a_voter_whose_answer_was_lost_after_the_commit_sees_the_receipt_of_the_stored_ballot(
    client, estate, make_vote, login, secrecy
):
    vote = make_vote(secrecy=secrecy)
    person = estate.people.buyer
    # The ballot is stored and committed, but the answer never reaches the phone (a worker killed after the commit).
    box.cast(vote, _right(vote, person), box.Choices({item.key: "no" for item in vote.items}), actor=person)
    db.session.commit()
    login(person)
    code = _receipt_on_page(client, vote)
    assert code is not None and box.receipt_in_box(vote, code)
    refused = client.post(_url(vote, "ballot"), data={"step": "confirm", **_items(vote, "yes", "yes")})
    assert refused.status_code == 303 and "/receipt" not in refused.headers["Location"]  # pressing again stores nothing
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ballot)) == 1


def test_a_changed_named_ballot_shows_the_receipt_of_the_ballot_that_counts(client, estate, make_vote, login):
    vote = make_vote(allow_change=True)
    login(estate.people.one)
    _cast(client, vote, "yes", "yes")
    first = _receipt_on_page(client, vote)
    _cast(client, vote, "no", "no")
    second = _receipt_on_page(client, vote)
    assert first != second
    assert box.receipt_in_box(vote, second) and not box.receipt_in_box(vote, first)  # the first is history now
    hashes = set(db.session.scalars(sa.select(Ballot.receipt_hash)))
    assert {receipts.public_code(h) for h in hashes} == {first, second}


def test_a_proxy_sees_the_receipt_of_the_ballot_they_cast_and_not_of_one_the_owner_cast(
    client, estate, make_vote, login
):
    vote = make_vote(secrecy="secret")
    people = estate.people
    held, owners_own = _right(vote, people.buyer), _right(vote, people.one)
    refs = proxies.electorate_refs(vote)
    estate.compound.max_proxies_per_person = 2
    proxies.authorise(vote, refs[held.ordinal - 1], people.chair, "S-1", people.staff)
    proxies.authorise(vote, refs[owners_own.ordinal - 1], people.chair, "S-2", people.staff)
    db.session.commit()
    login(people.chair)
    _cast(client, vote, "no", "yes", extra={"for": str(held.id)})
    code = _receipt_on_page(client, vote, f"receipt?for={held.id}")
    assert code is not None and box.receipt_in_box(vote, code)
    assert f"receipt?for={held.id}" in client.get(_url(vote)).get_data(as_text=True)
    client.post("/logout")

    login(people.one)  # the owner votes in person; the proxy holder then cannot read that receipt
    _cast(client, vote, "yes", "yes")
    mine = _receipt_on_page(client, vote)
    client.post("/logout")
    login(people.chair)
    assert _receipt_on_page(client, vote, f"receipt?for={owners_own.id}") is None
    assert mine not in client.get(_url(vote)).get_data(as_text=True)
    assert client.get(_url(vote, f"receipt?for={_right(vote, people.two).id}")).status_code == 404  # not held


def test_an_owner_who_voted_on_paper_finds_the_receipt_online(client, estate, make_vote, make, login):
    vote = make_vote(secrecy="secret")
    right = _right(vote, estate.people.two)
    choices = box.Choices({vote.items[0].key: "no"})
    sheets.receive_envelope(vote, right, estate.people.staff)  # the envelope, then the sheet twice by its code
    code = sheets.sheet_code(vote.id, right.id)
    sheets.enter_sheet(vote, code, choices, estate.people.staff)
    sheets.enter_sheet(vote, code, choices, make.person("第二位录入员"))
    db.session.commit()
    login(estate.people.two)
    code = _receipt_on_page(client, vote)
    assert code is not None and box.receipt_in_box(vote, code)


def test_the_database_alone_cannot_link_a_sealed_secret_ballot_to_its_voter(client, estate, make_vote, login):
    vote = make_vote(secrecy="secret")
    people = (estate.people.buyer, estate.people.one, estate.people.two)
    for person in people:
        box.cast(vote, _right(vote, person), box.Choices({item.key: "yes" for item in vote.items}), actor=person)
    lifecycle.transition(vote, VoteStatus.closed, estate.people.staff, reason="测试")
    db.session.commit()
    sealed = set(db.session.scalars(sa.select(Ballot.receipt_hash).where(Ballot.vote_id == vote.id)))
    rights = [_right(vote, person).id for person in people]
    stored = db.session.scalar(sa.select(sa.text("receipt_key")).select_from(sa.text("vote")).where(
        sa.text("id = :id")).params(id=vote.id))  # fmt: skip

    def guessed(key: bytes, right_id: int) -> str:
        """What an attacker computes with a key read from the database, the way the portal derives receipts."""
        number = int.from_bytes(hmac.new(key, f"{right_id}:0".encode(), hashlib.sha256).digest()[:8], "big")
        chars = []
        for _ in range(10):
            number, digit = divmod(number, len(CODE_ALPHABET))
            chars.append(CODE_ALPHABET[digit])
        return box.receipt_hash(f"{''.join(chars[:5])}-{''.join(chars[5:])}")

    # Every 32-byte window of the stored (wrapped) key, and the whole of it: no guess lands on a sealed ballot.
    candidates = [stored, *(stored[i : i + 32] for i in range(len(stored) - 31))]
    assert not {guessed(key, right_id) for key in candidates for right_id in rights} & sealed
    # With the ballot key (outside the database) the portal links them: that is what the key is kept apart for.
    assert {box.receipt_hash(receipts.shown(vote, right_id)) for right_id in rights} == sealed


def test_archiving_forgets_the_key_and_no_receipt_can_be_derived_any_more(client, estate, make_vote, login):
    vote = make_vote(secrecy="secret", status="final")
    assert vote.receipt_key is not None
    lifecycle.transition(vote, VoteStatus.archived, estate.people.staff)
    db.session.commit()
    assert vote.receipt_key is None and receipts.code(vote, 1) is None
    cancelled = make_vote(status="open")
    lifecycle.transition(cancelled, VoteStatus.cancelled, estate.people.staff, reason="测试")
    assert cancelled.receipt_key is None


def test_archived_votes_send_the_voter_back_to_the_vote_page(client, estate, make_vote, login):
    vote = make_vote(secrecy="secret")
    login(estate.people.one)
    _cast(client, vote, "yes", "yes")
    code = _receipt_on_page(client, vote)
    for step in (VoteStatus.closed, VoteStatus.preliminary, VoteStatus.final):
        assert _receipt_on_page(client, vote) == code  # shown while the result can still be checked
        lifecycle.transition(vote, step, estate.people.staff, reason="测试")
        db.session.commit()
    lifecycle.transition(vote, VoteStatus.archived, estate.people.staff)
    db.session.commit()
    assert _receipt_on_page(client, vote) is None
    assert code not in client.get(_url(vote)).get_data(as_text=True)


def test_with_another_ballot_key_receipts_are_random_and_the_pages_do_not_fail(
    app, client, estate, make_vote, login, monkeypatch
):
    vote = make_vote()  # named: counting does not need the ballot key, so the portal still runs
    monkeypatch.setitem(app.extensions, ballot_key.EXTENSION, bytes(32))
    app.extensions.pop(ballot_key.EXTENSION + ".votes", None)
    app.extensions.pop(receipts.CACHE_KEY, None)
    login(estate.people.one)
    _cast(client, vote, "yes", "no")
    assert _receipt_on_page(client, vote) is None  # not derivable: nothing shown rather than a wrong code
    assert client.get(_url(vote)).status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Participation)) == 1
    assert db.session.scalar(sa.select(Ballot.channel)) == BallotChannel.online
