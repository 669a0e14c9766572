"""Proxies (委托投票): staff record them on the desk within the compound's cap; the proxy votes from their own login."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import render_template_string
from flask_login import login_user

from portal.audit import AuditEvent
from portal.extensions import db
from portal.refusals import Refused
from portal.voting import ballot_form, box, proxies
from portal.voting.models import (
    Ballot,
    BallotChannel,
    Conflict,
    Participation,
    ProxyAuthorisation,
    VotingRight,
)

ROOM_ONE = "1栋 1单元 301"  # people.one
ROOM_TWO = "1栋1单元302"  # people.two, typed without spaces

# The snippet reported for templates/voting/show.html (the owner sees that a proxy holds their right).
SHOW_SNIPPET = (
    '{% set held = proxy_holding_my_right(vote) if vote.status in ("announced", "open") else None %}\n'
    "{% if held and not voted %}\n"
    '<p class="flash">{{ _("%(name)s holds your voting right in this vote as your proxy (authorisation %(ref)s). '
    'If you vote yourself first, your proxy can no longer vote for you.", name=held.proxy.name, '
    "ref=held.reference) }}</p>\n"
    "{% endif %}\n"
)


def _url(vote, tail=""):
    return f"/c/lvyuan/votes/{vote.id}/{tail}"


def _items(vote, *answers):
    return {f"item_{item.id}": ballot_form.CODES[a] for item, a in zip(vote.items, answers, strict=False) if a}


@pytest.fixture
def en(client):
    """Pages in English, whatever the catalogue holds."""
    client.set_cookie("lang", "en")
    return client


def _add_proxy(client, vote, owner, person, reference="WT-2024-001"):
    return client.post(
        _url(vote, "desk/proxies"),
        data={"proxy-owner": owner, "proxy-person": person, "proxy-reference": reference},
    )


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _right(vote, person) -> VotingRight:
    return db.session.scalar(sa.select(VotingRight).filter_by(vote_id=vote.id, person_id=person.id))


def test_cap_default_one_and_raising_it_allows_a_second(en, estate, make_vote, login):
    vote = make_vote(status="announced")  # recorded before opening: the owner is chosen from the draft roll
    people = estate.people
    login(people.staff)
    assert _add_proxy(en, vote, ROOM_ONE, people.resident.account_no).status_code == 303
    refused = _add_proxy(en, vote, ROOM_TWO, people.resident.account_no, "WT-2")
    assert refused.status_code == 400
    assert "already represents 1 owner in this vote" in refused.get_data(as_text=True)
    assert _count(ProxyAuthorisation) == 1

    assert en.post(_url(vote, "desk/cap"), data={"max_proxies_per_person": "2"}).status_code == 303
    assert estate.compound.max_proxies_per_person == 2
    assert _add_proxy(en, vote, ROOM_TWO, people.resident.account_no, "WT-2").status_code == 303
    auths = db.session.scalars(sa.select(ProxyAuthorisation).order_by(ProxyAuthorisation.id)).all()
    assert [(a.owner_id, a.proxy_id, a.reference) for a in auths] == [
        (people.one.id, people.resident.id, "WT-2024-001"),
        (people.two.id, people.resident.id, "WT-2"),
    ]
    assert auths[0].recorded_by_id == people.staff.id
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert actions.count("vote.proxy_recorded") == 2 and "compound.proxy_cap_set" in actions


@pytest.mark.parametrize("cap", ["0", "11", "x", ""])
def test_cap_outside_one_to_ten_is_shown_again(en, estate, make_vote, login, cap):
    vote = make_vote(status="announced")
    login(estate.people.staff)
    response = en.post(_url(vote, "desk/cap"), data={"max_proxies_per_person": cap})
    assert response.status_code == 400 and 'id="max_proxies_per_person-error"' in response.get_data(as_text=True)
    assert estate.compound.max_proxies_per_person == 1


def test_form_errors_are_shown_next_to_their_field(en, estate, make_vote, login, make):
    vote = make_vote(status="announced")
    people = estate.people
    login(people.staff)
    cases = [
        (ROOM_ONE, people.one.account_no, "R", "proxy-person", "cannot be their own proxy"),
        (ROOM_ONE, "no-such-account", "R", "proxy-person", "No account has this"),
        ("99", people.resident.account_no, "R", "proxy-owner", "No voting right has this"),
        ("楼 9", people.resident.account_no, "R", "proxy-owner", "No voting right has this"),
        (ROOM_ONE, people.resident.account_no, "", "proxy-reference", ""),
    ]
    for owner, person, reference, field_id, text in cases:
        page = _add_proxy(en, vote, owner, person, reference)
        html = page.get_data(as_text=True)
        assert page.status_code == 400, owner
        assert f'id="{field_id}-error"' in html and text in html, (owner, person)
    assert _count(ProxyAuthorisation) == 0
    # by phone; then the same owner cannot get a second proxy while the first stands
    helper = make.person(phone="13900001111")
    assert _add_proxy(en, vote, ROOM_ONE, "139 0000 1111").status_code == 303
    again = _add_proxy(en, vote, ROOM_ONE, helper.account_no)
    assert again.status_code == 400 and "already has a proxy" in again.get_data(as_text=True)


def test_not_before_announcement_nor_after_close(estate, make_vote, database):
    for status in ("draft", "closed"):
        vote = make_vote(status=status)
        ref = proxies.electorate_refs(vote)[0]
        with pytest.raises(Refused) as error:
            proxies.authorise(vote, ref, estate.people.resident, "R", estate.people.staff)
        assert error.value.code == "not_now"


def test_find_ref_by_number_or_room_and_never_guesses():
    refs = [
        proxies.RightRef(1, 1, "1栋 1单元 101", Decimal("1"), rooms=("1栋 1单元 101",)),
        proxies.RightRef(2, 2, "2栋 1单元 101", Decimal("1"), rooms=("2栋 1单元 101",)),
        proxies.RightRef(3, 3, "2栋 1单元 102; 2栋 1单元 103", Decimal("1"), rooms=("2栋 1单元 102", "2栋 1单元 103")),
    ]
    assert proxies.find_ref(refs, " 2 ").person_id == 2
    assert proxies.find_ref(refs, "2栋1单元103").person_id == 3
    assert proxies.find_ref(refs, "1单元 102").person_id == 3  # a unique tail of a room
    for text, code in (("1单元101", "right_ambiguous"), ("4", "right_not_found"), ("  ", "right_required")):
        with pytest.raises(Refused) as error:
            proxies.find_ref(refs, text)
        assert error.value.code == code


def test_lookup_in_the_database_agrees_with_the_roll(estate, make_vote, make, database):
    neighbour = make.person()
    make.unit(estate.compound, "301", "60.00", building="2栋", owners=[neighbour])
    vote = make_vote()  # open: the frozen roll is searched in the database

    def outcome(find, text):
        try:
            return find(text).person_id
        except Refused as error:
            return error.code

    refs = proxies.electorate_refs(vote)
    texts = ("3", "1栋 1单元 301", "1栋1单元301", "2栋 1单元 301", "1单元301", "301", "单元 902", "99", "%", "_01", " ")
    expected = [outcome(lambda t: proxies.find_ref(refs, t), text) for text in texts]
    assert [outcome(lambda t: proxies.lookup(vote, t), text) for text in texts] == expected
    assert expected[1:5] == [estate.people.one.id, estate.people.one.id, neighbour.id, "right_ambiguous"]
    assert expected[6] == estate.people.developer.id and expected[8:] == ["right_not_found"] * 2 + ["right_required"]


def test_proxy_votes_for_the_owner_and_the_owner_is_then_refused(en, estate, make_vote, login):
    vote = make_vote()
    people = estate.people
    right = _right(vote, people.one)
    login(people.staff)
    assert _add_proxy(en, vote, str(right.ordinal), people.resident.account_no).status_code == 303
    en.post("/logout")

    login(people.resident)  # a tenant votes for the landlord, from their own login
    assert f"ballot?for={right.id}" in en.get(_url(vote)).get_data(as_text=True)
    form = en.get(_url(vote, f"ballot?for={right.id}")).get_data(as_text=True)
    assert "You are voting as a proxy for 1栋 1单元 301" in form and f'name="for" value="{right.id}"' in form
    data = {"for": str(right.id), **_items(vote, "yes", "no")}
    review = en.post(_url(vote, "ballot"), data={"step": "review", **data})
    assert "voting as a proxy" in review.get_data(as_text=True)
    done = en.post(_url(vote, "ballot"), data={"step": "confirm", **data})
    assert done.status_code == 303 and f"for={right.id}" in done.headers["Location"]
    ballot = db.session.scalar(sa.select(Ballot))
    assert ballot.channel == BallotChannel.proxy and ballot.proxy_id == people.resident.id
    assert ballot.right_id == right.id and ballot.weight_area == Decimal("70.00")
    participation = db.session.scalar(sa.select(Participation))
    assert participation.channel == BallotChannel.proxy and participation.proxy_id == people.resident.id
    en.post("/logout")

    login(people.one)  # the owner: the right is used, the page says how, the ballot is refused
    assert "(through your proxy)" in en.get(_url(vote)).get_data(as_text=True)
    refused = en.post(_url(vote, "ballot"), data={"step": "confirm", **_items(vote, "no", "no")})
    assert refused.status_code == 303
    assert _count(Ballot) == 1
    with pytest.raises(Refused) as error:  # what the ballot box does when an online ballot reaches it
        box.cast(vote, right, box.Choices({}), BallotChannel.online, people.one)
    assert error.value.code == "already_voted"
    conflict = db.session.scalar(sa.select(Conflict))
    assert (conflict.attempted, conflict.existing, conflict.actor_id) == (
        BallotChannel.online,
        BallotChannel.proxy,
        people.one.id,
    )
    assert json.loads(ballot.answers)[str(vote.items[0].id)] == "yes"


def test_the_owner_sees_who_holds_their_right(app, estate, make_vote, database):
    vote = make_vote(status="announced")
    people = estate.people
    owner = next(r for r in proxies.electorate_refs(vote) if r.person_id == people.one.id)
    proxies.authorise(vote, owner, people.resident, "WT-9", people.staff)
    with app.test_request_context():
        login_user(people.one)
        assert proxies.held_for(vote, people.one).proxy_id == people.resident.id
        page = render_template_string(SHOW_SNIPPET, vote=vote)
        assert people.resident.name in page and "WT-9" in page
    with app.test_request_context():
        login_user(people.two)
        assert render_template_string(SHOW_SNIPPET, vote=vote).strip() == ""


def test_a_revoked_proxy_gets_404_on_the_ballot(en, estate, make_vote, login):
    vote = make_vote()
    people = estate.people
    right = _right(vote, people.two)
    auth = proxies.authorise(vote, proxies.electorate_refs(vote)[right.ordinal - 1], people.one, "R", people.staff)
    db.session.commit()
    login(people.staff)
    desk = en.get(_url(vote, "desk")).get_data(as_text=True)
    assert f"desk/proxies/{auth.id}/revoke" in desk
    assert en.post(_url(vote, f"desk/proxies/{auth.id}/revoke")).status_code == 303
    assert auth.revoked_at is not None
    assert "revoked" in en.get(_url(vote, "desk")).get_data(as_text=True)
    en.post("/logout")
    login(people.one)
    assert en.get(_url(vote, f"ballot?for={right.id}")).status_code == 404
    assert en.post(_url(vote, "ballot"), data={"step": "confirm", "for": str(right.id)}).status_code == 404
    assert _count(Ballot) == 0


def test_a_used_authorisation_cannot_be_revoked_and_a_revoked_one_can_be_replaced(estate, make_vote, database):
    vote = make_vote()
    people = estate.people
    refs = proxies.electorate_refs(vote)
    one, two = (next(r for r in refs if r.person_id == p.id) for p in (people.one, people.two))
    used = proxies.authorise(vote, one, people.resident, "A", people.staff)
    box.cast(vote, one.right, box.Choices({}), BallotChannel.proxy, people.resident, people.resident)
    with pytest.raises(Refused) as error:
        proxies.revoke(vote, used, people.staff)
    assert error.value.code == "used"
    with pytest.raises(Refused) as error:  # nor can a used right get a new proxy
        proxies.authorise(vote, one, people.chair, "B", people.staff)
    assert error.value.code == "used"
    first = proxies.authorise(vote, two, people.chair, "C", people.staff)
    proxies.revoke(vote, first, people.staff)
    again = proxies.authorise(vote, two, people.buyer, "D", people.staff)  # the revoked one leaves the cap free
    assert (again.proxy_id, again.reference, again.revoked_at) == (people.buyer.id, "D", None)
    states = {row.ref.person_id: row.state for row in proxies.rows(vote)}
    assert states == {people.one.id: "used", people.two.id: "active"}


def test_secret_vote_by_proxy_keeps_the_ballot_unlinked(en, estate, make_vote, login):
    vote = make_vote(secrecy="secret")
    people = estate.people
    right = _right(vote, people.buyer)
    proxies.authorise(vote, proxies.electorate_refs(vote)[right.ordinal - 1], people.chair, "S-1", people.staff)
    db.session.commit()
    login(people.chair)
    data = {"for": str(right.id), **_items(vote, "no", "yes")}
    assert en.post(_url(vote, "ballot"), data={"step": "confirm", **data}).status_code == 303
    ballot = db.session.scalar(sa.select(Ballot))
    assert (ballot.right_id, ballot.channel, ballot.proxy_id, ballot.weight_area) == (None, None, None, None)
    participation = db.session.scalar(sa.select(Participation))
    assert participation.channel == BallotChannel.proxy and participation.proxy_id == people.chair.id


def test_a_proxy_from_outside_the_compound_reaches_the_ballot(en, estate, make_vote, make, login):
    vote = make_vote()
    outsider = make.person()  # an account in the portal, no role in this compound
    right = _right(vote, estate.people.one)
    proxies.authorise(vote, proxies.electorate_refs(vote)[right.ordinal - 1], outsider, "X", estate.people.staff)
    db.session.commit()
    login(outsider)
    assert en.get(_url(vote, f"ballot?for={right.id}")).status_code == 200


DESK_ENDPOINTS = [
    ("get", "desk"),
    ("post", "desk/proxies"),
    ("post", "desk/proxies/1/revoke"),
    ("post", "desk/paper"),
    ("post", "desk/paper/1/void"),
    ("post", "desk/cap"),
]


@pytest.mark.parametrize("method,tail", DESK_ENDPOINTS)
@pytest.mark.parametrize("who,status", [("one", 403), ("resident", 403), ("chair", 403), ("outsider", 404)])
def test_only_staff_of_the_community_use_the_desk(client, estate, make_vote, make, login, method, tail, who, status):
    vote = make_vote()
    if who == "outsider":  # staff of another community, and a member of another compound: both 404
        person = make.person()
        make.staff(person, make.community())
        make.member(person, make.compound())
    else:
        person = getattr(estate.people, who)
    login(person)
    response = getattr(client, method)(_url(vote, tail), data={"max_proxies_per_person": "5"})
    assert response.status_code == status
    assert estate.compound.max_proxies_per_person == 1 and _count(ProxyAuthorisation) == 0


@pytest.mark.parametrize("status", ["draft", "announced", "open", "closed", "final"])
def test_the_desk_shows_its_sections_in_every_state(en, estate, make_vote, login, status):
    vote = make_vote(status=status)
    login(estate.people.staff)
    page = en.get(_url(vote, "desk"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for section in ('id="proxies"', 'id="paper"', 'id="conflicts"', 'id="cap"'):
        assert section in html
    assert ('name="proxy-owner"' in html) == (status in ("announced", "open"))
    assert ('name="paper-right"' in html) == (status == "open")
    assert "<script>" not in html and "style=" not in html and " onclick" not in html


def test_every_error_of_the_proxy_form_at_once(en, estate, make_vote, login):
    vote = make_vote(status="announced")
    login(estate.people.staff)
    response = _add_proxy(en, vote, "99", "no-such-account", "")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    for field_id, text in [
        ("proxy-owner", "No voting right has this"),
        ("proxy-person", "No account has this"),
        ("proxy-reference", "Enter authorisation number"),
    ]:
        assert f'id="{field_id}-error"' in html and text in html, field_id
        assert f'href="#{field_id}"' in html  # and in the error summary, linking to the field
    # the owner's own refusal and the proxy's together: the owner already has a proxy, and is their own proxy
    assert _add_proxy(en, vote, ROOM_ONE, estate.people.resident.account_no).status_code == 303
    both = _add_proxy(en, vote, ROOM_ONE, estate.people.one.account_no, "WT-3").get_data(as_text=True)
    assert "already has a proxy" in both and "cannot be their own proxy" in both
    assert _count(ProxyAuthorisation) == 1


def test_an_expired_revoke_button_changes_nothing(en, app, estate, make_vote, login, monkeypatch):
    vote = make_vote(status="announced")
    people = estate.people
    right = proxies.electorate_refs(vote)[0]
    auth = proxies.authorise(vote, right, people.resident, "R", people.staff)
    db.session.commit()
    login(people.staff)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = en.post(_url(vote, f"desk/proxies/{auth.id}/revoke"), data={"csrf_token": "stale"})
    assert response.status_code == 400 and "Form expired" in response.get_data(as_text=True)
    db.session.refresh(auth)
    assert auth.revoked_at is None
    assert "vote.proxy_revoked" not in db.session.scalars(sa.select(AuditEvent.action)).all()
