"""The unit's voter pages without JavaScript: plain forms, 303 on success, 400 with the error at its field; nobody but
the unit's owners learns the page exists (404), staff record the paper form on their own page."""

from __future__ import annotations

import pytest

from portal.coowners import services
from portal.extensions import db
from tests.coowners.conftest import voters


def _page(home, unit=None, compound=None):
    compound = compound or home.compound
    return f"/c/{compound.slug}/units/{(unit or home.pair).id}/voter"


def _open_proposal(unit):
    return services.unit_voter(unit).proposal


def test_a_co_owner_sees_who_votes_and_proposes_then_the_other_confirms(client, home, login):
    login(home.a)
    page = client.get(_page(home)).get_data(as_text=True)
    assert "李四" in page and 'name="voter"' in page
    response = client.post(_page(home) + "/propose", data={"voter": str(home.a.id)})
    assert response.status_code == 303
    proposal = _open_proposal(home.pair)
    assert proposal.nominee_id == home.a.id
    assert voters(home.pair) == ["李四"]
    client.post("/logout")
    login(home.b)
    page = client.get(_page(home)).get_data(as_text=True)
    assert 'value="confirm"' in page and 'value="decline"' in page
    response = client.post(_page(home) + "/answer", data={"proposal": str(proposal.id), "answer": "confirm"})
    assert response.status_code == 303
    assert voters(home.pair) == ["张三"]


@pytest.mark.parametrize("voter", ["", "abc", "{next_door}", "{outsider}", "99999999999"])
def test_a_proposal_without_an_owner_of_the_unit_comes_back_with_the_error_at_the_field(client, home, login, voter):
    login(home.a)
    sent = voter.format(next_door=home.next_door.id, outsider=home.outsider.id)
    response = client.post(_page(home) + "/propose", data={"voter": sent})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="voter-error"' in page and 'aria-invalid="true"' in page
    assert _open_proposal(home.pair) is None


def test_naming_the_voter_again_is_refused_at_the_field(client, home, login):
    login(home.a)
    response = client.post(_page(home) + "/propose", data={"voter": str(home.b.id)})
    assert response.status_code == 400
    assert 'id="voter-error"' in response.get_data(as_text=True)


def test_an_answer_to_a_replaced_proposal_is_refused_and_the_page_shows_the_new_one(client, home, login, app):
    with app.test_request_context():
        first = services.propose(home.trio, home.c, home.d.id)
        db.session.commit()
        services.propose(home.trio, home.d, home.e.id)
        db.session.commit()
    login(home.e)
    response = client.post(_page(home, home.trio) + "/answer", data={"proposal": str(first.id), "answer": "decline"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "error-summary" in page and "孙七" in page
    assert voters(home.trio) == ["王五"]


@pytest.mark.parametrize("answer", ["", "approve"])
def test_an_answer_that_is_none_of_the_buttons_is_refused(client, home, login, app, answer):
    with app.test_request_context():
        proposal = services.propose(home.pair, home.a, home.a.id)
        db.session.commit()
    login(home.b)
    response = client.post(_page(home) + "/answer", data={"proposal": str(proposal.id), "answer": answer})
    assert response.status_code == 400
    assert voters(home.pair) == ["李四"]


@pytest.mark.parametrize("who", ["next_door", "outsider", "staff", "solo"])
def test_nobody_but_the_unit_owners_learns_the_page_exists(client, home, login, app, who):
    with app.test_request_context():
        proposal = services.propose(home.pair, home.a, home.a.id)
        db.session.commit()
    login(getattr(home, who))
    assert client.get(_page(home)).status_code == 404
    assert client.post(_page(home) + "/propose", data={"voter": str(home.b.id)}).status_code == 404
    data = {"proposal": str(proposal.id), "answer": "confirm"}
    assert client.post(_page(home) + "/answer", data=data).status_code == 404
    assert voters(home.pair) == ["李四"]


def test_a_unit_is_found_only_under_its_own_compound(client, home, login):
    """Another compound's owner sending their own unit's id under this compound's address: 404, and the other way."""
    login(home.outsider)
    assert client.get(_page(home, home.elsewhere)).status_code == 404  # their unit, the wrong compound
    assert client.get(_page(home, home.elsewhere, home.other)).status_code == 200
    assert client.get(_page(home, home.pair, home.other)).status_code == 404


def test_visitors_are_asked_to_log_in(client, home):
    response = client.get(_page(home))
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]


def test_the_only_owner_sees_there_is_nothing_to_name(client, home, login):
    login(home.solo)
    page = client.get(_page(home, home.single)).get_data(as_text=True)
    assert 'name="voter"' not in page
    assert client.post(_page(home, home.single) + "/propose", data={"voter": str(home.solo.id)}).status_code == 400


def test_the_vote_page_says_who_votes_and_why_there_is_no_ballot(client, home, login, open_vote):
    vote = open_vote()
    login(home.a)
    page = client.get(f"/c/{home.compound.slug}/votes/{vote.id}/").get_data(as_text=True)
    assert 'id="unit-voters-h"' in page and "李四" in page
    assert _page(home) in page
    assert "/ballot" not in page  # no ballot of their own
    client.post("/logout")
    login(home.solo)  # a single owner: the section is not needed
    assert 'id="unit-voters-h"' not in client.get(f"/c/{home.compound.slug}/votes/{vote.id}/").get_data(as_text=True)


def test_the_account_page_lists_who_votes_and_links_the_page(client, home, login):
    login(home.a)
    page = client.get("/account").get_data(as_text=True)
    assert "李四" in page and _page(home) in page


# Staff: the paper form


def _staff_page(home, unit=None):
    return f"/staff/c/{home.compound.slug}/voters/{(unit or home.trio).id}"


def test_staff_record_the_paper_form_only_with_the_box_ticked(client, home, login):
    login(home.staff)
    listing = client.get(f"/staff/c/{home.compound.slug}/voters").get_data(as_text=True)
    assert _staff_page(home) in listing and _staff_page(home, home.single) not in listing
    assert client.get(_staff_page(home)).status_code == 200
    response = client.post(_staff_page(home), data={"voter": str(home.e.id), "reference": "Z-7"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="signed-error"' in page and 'value="Z-7"' in page  # the typed text is kept
    assert voters(home.trio) == ["王五"]
    response = client.post(_staff_page(home), data={"voter": str(home.e.id), "signed": "y", "reference": "Z-7"})
    assert response.status_code == 303
    assert voters(home.trio) == ["孙七"]


def test_staff_cannot_name_someone_who_does_not_own_the_unit(client, home, login):
    login(home.staff)
    response = client.post(_staff_page(home), data={"voter": str(home.next_door.id), "signed": "y"})
    assert response.status_code == 400 and 'id="voter-error"' in response.get_data(as_text=True)
    response = client.post(_staff_page(home), data={"voter": str(home.e.id), "signed": "y", "reference": "x" * 61})
    assert response.status_code == 400 and 'id="reference-error"' in response.get_data(as_text=True)


def test_staff_of_another_community_and_owners_do_not_find_the_staff_pages(client, home, login, make):
    other_staff = make.person("别的社区工作人员")
    make.staff(other_staff, make.community("别的社区"))
    for person in (other_staff, home.c):
        login(person)
        assert client.get(f"/staff/c/{home.compound.slug}/voters").status_code == 404
        assert client.post(_staff_page(home), data={"voter": str(home.e.id), "signed": "y"}).status_code == 404
        client.post("/logout")
    assert voters(home.trio) == ["王五"]


def test_the_account_and_vote_pages_do_not_grow_with_the_units_owned(client, home, login, make, open_vote):
    """A developer owns hundreds of units: who votes for each is read in a fixed number of statements."""
    from tests.queries import count_queries

    vote = open_vote()
    login(home.a)
    pages = ("/account", f"/c/{home.compound.slug}/votes/{vote.id}/")
    with count_queries() as few:
        for path in pages:
            assert client.get(path).status_code == 200
    for room in range(1301, 1311):
        make.unit(home.compound, str(room), building="3栋", entrance="2单元", owners=[home.a, home.solo], voter=1)
    with count_queries() as many:
        for path in pages:
            assert client.get(path).status_code == 200

    def reads(statements):
        return [s for s in statements if not s.startswith(("SAVEPOINT", "RELEASE"))]  # the tests' own transactions

    assert len(reads(many)) == len(reads(few))


def test_the_staff_list_shows_50_units_a_page_with_links_that_keep_the_search(client, home, login, make):
    """A large compound's co-owned units come 50 to a page (issue 13: staff pages scale), the search kept."""
    owners = [make.person(f"共有人{i}") for i in range(2 * 53)]
    for i in range(53):
        make.unit(home.compound, f"{i + 1:02d}01", building="9栋", entrance="1单元", owners=owners[2 * i : 2 * i + 2])
    login(home.staff)
    url = f"/staff/c/{home.compound.slug}/voters"
    first = client.get(url).get_data(as_text=True)
    assert first.count('<li><a href="/staff/c/lvyuan/voters/') == 50
    assert "共 55 户，第 1/2 页" in first  # 53 here, the pair and the trio
    assert 'rel="next"' in first and 'rel="prev"' not in first
    last = client.get(url + "?page=9").get_data(as_text=True)  # past the end: the last page
    assert last.count('<li><a href="/staff/c/lvyuan/voters/') == 5 and 'rel="prev"' in last
    found = client.get(url + "?q=9栋").get_data(as_text=True)
    assert "共 53 户，第 1/2 页" in found and "q=9%E6%A0%8B&amp;page=2" in found
