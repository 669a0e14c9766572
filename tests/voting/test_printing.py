"""打印 (issue 14, items 3–5): reminder slips, pre-filled paper ballots and proxy forms per building or right; the
QR codes open the desk's forms filled in, for staff only; printing writes nothing."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from urllib.parse import quote, urlencode

import pytest
import sqlalchemy as sa

from portal import qr
from portal.accounts.models import ActivationCode
from portal.compounds.models import Building
from portal.db import utcnow
from portal.extensions import db
from portal.voting import box, candidates, lifecycle, printing
from portal.voting.models import ProxyAuthorisation, VoteStatus, VotingRight
from tests.queries import count_queries

ROOM_ONE = "1栋 1单元 301"  # people.one, 70.00 ㎡


@pytest.fixture
def en(client):
    """Pages in English, whatever the catalogue holds."""
    client.set_cookie("lang", "en")
    return client


def _url(vote, tail):
    return f"/c/lvyuan/votes/{vote.id}/{tail}"


def _building(estate, name="1栋"):
    return db.session.scalar(sa.select(Building).filter_by(compound_id=estate.compound.id, name=name))


def _right(vote, person) -> VotingRight:
    return db.session.scalar(sa.select(VotingRight).filter_by(vote_id=vote.id, person_id=person.id))


def _codes() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(ActivationCode))


def _input_value(html: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert found, name
    value = re.search(r'value="([^"]*)"', found.group(0))
    return unescape(value.group(1)) if value else ""


def _outsider(make):
    """Staff of another community who is also a member of another compound."""
    person = make.person("外人")
    make.staff(person, make.community("别的社区"))
    make.member(person, make.compound("other", "别的小区"))
    return person


# --- pre-filled paper ballots -------------------------------------------------------------------------------------


def test_a_ballot_sheet_carries_the_rooms_area_items_with_boxes_and_the_desk_qr(client, app, estate, make_vote, login):
    vote = make_vote(secrecy="named")
    right = _right(vote, estate.people.one)
    login(estate.people.staff)
    app.config["PORTAL_BASE_URL"] = "https://linli.example.cn"
    try:
        page = client.get(_url(vote, f"print/ballots?right={right.id}"))
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
        assert "1栋 1单元 301，70.00 ㎡" in html and estate.people.one.name in html
        assert html.count('class="sheet paper-ballot"') == 1
        for item in vote.items:
            assert item.title in html
        assert html.count("□") == 3 * len(vote.items)
        assert all(word in html for word in ("同意", "反对", "弃权", "签名"))
        with app.test_request_context():
            url = printing.paper_entry_url(vote, right)
            svg = qr.svg(url, "x")
        assert url == f"https://linli.example.cn/c/lvyuan/votes/{vote.id}/desk?right={right.id}#paper"
        # the same drawing as the desk address's own QR code: the sheet's QR encodes exactly that address
        assert str(svg).split('aria-label="x"', 1)[1] in html
    finally:
        app.config["PORTAL_BASE_URL"] = None


def test_a_building_prints_one_ballot_per_right_not_yet_used(client, estate, make_vote, login):
    vote = make_vote(secrecy="named")
    box.cast(vote, _right(vote, estate.people.two), box.Choices({i.key: "yes" for i in vote.items}))
    db.session.commit()
    login(estate.people.chair)  # the committee drives turnout too
    html = client.get(_url(vote, f"print/ballots?building={_building(estate).id}")).get_data(as_text=True)
    assert "1栋 1单元 301" in html and "1栋 1单元 101" in html  # the buyer's three units are one sheet
    assert "1栋 1单元 302" not in html  # voted already
    assert "9栋" not in html  # the developer's units are in another building
    assert html.count('class="sheet paper-ballot"') == 3  # the buyer, the co-owners' voter, people.one


def test_a_poll_sheet_has_a_box_per_option_and_no_area(client, estate, make_vote, login, database):
    vote = make_vote(kind="poll", secrecy="named")
    login(estate.people.staff)
    html = client.get(_url(vote, f"print/ballots?right={_right(vote, estate.people.one).id}")).get_data(as_text=True)
    assert "方案一" in html and "方案二" in html and html.count("□") == 2
    assert "1栋 1单元 301" in html and "70.00" not in html  # a poll counts heads: no area


def test_an_election_sheet_has_a_box_per_candidate_and_says_the_most(client, estate, make, make_vote, login):
    vote = make_vote(kind="election", status="draft", seats=3)
    people = [make.person(name) for name in ("候选甲", "候选乙", "候选丙")]
    for n, person in enumerate(people):
        make.unit(estate.compound, f"50{n}", "90.00", building="5栋", owners=[person])
        make.member(person, estate.compound)
        candidates.check(candidates.self_nominate(vote, person, "愿意服务。"), estate.people.staff, True)
    db.session.commit()
    lifecycle.transition(vote, VoteStatus.announced, estate.people.staff, reason="测试")
    vote.opens_at = utcnow() - timedelta(minutes=1)
    lifecycle.transition(vote, VoteStatus.open, estate.people.staff, reason="测试")
    db.session.commit()
    login(estate.people.staff)
    html = client.get(_url(vote, f"print/ballots?right={_right(vote, estate.people.one).id}")).get_data(as_text=True)
    assert "最多选择 3 名候选人" in html and html.count("□") == 3
    assert all(person.name in html for person in people)
    assert "社区监督选举" in html  # community staff run an election


def test_a_secret_vote_never_gets_a_sheet_with_a_room(client, estate, make_vote, login):
    vote = make_vote(secrecy="secret")
    right, building = _right(vote, estate.people.one), _building(estate)
    login(estate.people.staff)
    for query, pack in (
        (f"right={right.id}", f"right={right.id}"),
        (f"building={building.id}", f"building={quote(building.name)}"),
    ):
        response = client.get(_url(vote, f"print/ballots?{query}"))
        # never a sheet from this route: the secret pack prints the label and the sheet apart
        assert response.status_code == 303
        assert "1栋" not in response.get_data(as_text=True)
        assert f"/votes/{vote.id}/print/secret?{pack}" in response.headers["Location"]
    typed = client.get(_url(vote, "print/ballots?" + urlencode({"room": "1栋 1单元 301"})))
    assert typed.status_code == 303 and f"print/secret?right={right.id}" in typed.headers["Location"]


def test_the_desk_qr_opens_that_rights_entry_form_filled_in_for_staff(en, estate, make_vote, login):
    vote = make_vote(secrecy="named")
    right = _right(vote, estate.people.one)
    login(estate.people.staff)
    html = en.get(_url(vote, f"desk?right={right.id}")).get_data(as_text=True)
    assert _input_value(html, "paper-right") == ROOM_ONE
    assert _input_value(html, "proxy-owner") == ""  # only the paper form is filled in
    # another vote's right, or nonsense, fills in nothing (and is no error)
    other = make_vote(secrecy="named")
    for value in (str(_right(other, estate.people.one).id), "abc", "99999999999"):
        html = en.get(_url(vote, f"desk?right={value}&proxy={value}")).get_data(as_text=True)
        assert _input_value(html, "paper-right") == "" and _input_value(html, "proxy-owner") == ""


def test_a_ballot_entered_from_the_qr_counts_after_the_second_staff_entry(en, estate, make_vote, make, login):
    vote = make_vote(secrecy="named")
    right = _right(vote, estate.people.one)
    second = make.person("第二位工作人员")
    make.staff(second, estate.community)
    answers = {f"item_{item.id}": "y" for item in vote.items}
    for clerk in (estate.people.staff, second):
        en.post("/logout")
        login(clerk)
        room = _input_value(en.get(_url(vote, f"desk?right={right.id}")).get_data(as_text=True), "paper-right")
        response = en.post(_url(vote, "desk/paper"), data={"paper-right": room, **answers})
        assert response.status_code == 303
    assert box.has_voted(vote, right) is not None


@pytest.mark.parametrize("who", ["one", "resident", "chair", "outsider", "visitor"])
def test_the_desk_qr_shows_nothing_to_anyone_but_staff(client, estate, make_vote, make, login, who):
    vote = make_vote(secrecy="named")
    right = _right(vote, estate.people.one)
    if who == "outsider":
        login(_outsider(make))
    elif who != "visitor":
        login(getattr(estate.people, who))
    response = client.get(_url(vote, f"desk?right={right.id}"))
    expected = {"outsider": 404, "visitor": 302}.get(who, 403)  # the desk's own answer: 403 to the compound's members
    assert response.status_code == expected
    assert ROOM_ONE not in response.get_data(as_text=True)
    if who == "visitor":
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("page", ["print/ballots", "print/slips", "print/proxy-forms"])
@pytest.mark.parametrize("who", ["one", "resident", "outsider"])
def test_print_pages_are_404_to_all_but_committee_and_staff(client, estate, make_vote, make, login, page, who):
    vote = make_vote(secrecy="named")
    login(_outsider(make) if who == "outsider" else getattr(estate.people, who))
    for query in (f"right={_right(vote, estate.people.one).id}", f"building={_building(estate).id}"):
        response = client.get(_url(vote, f"{page}?{query}"))
        assert response.status_code == 404
        assert ROOM_ONE not in response.get_data(as_text=True)


def test_a_print_needs_a_building_of_the_compound_or_a_right_of_the_vote(client, estate, make_vote, make, login):
    vote = make_vote(secrecy="named")
    other_vote = make_vote(secrecy="named")
    elsewhere = make.unit(make.compound("else", "他处小区"), "101", building="1栋")
    login(estate.people.staff)
    for query in (
        "",
        "building=abc",
        f"building={elsewhere.building_id}",
        f"right={_right(other_vote, estate.people.one).id}",
    ):
        assert client.get(_url(vote, f"print/ballots?{query}")).status_code == 404


def test_one_unit_is_printed_from_its_room_as_staff_type_it(client, estate, make_vote, login):
    vote = make_vote(secrecy="named")
    box.cast(vote, _right(vote, estate.people.two), box.Choices({i.key: "yes" for i in vote.items}))
    db.session.commit()
    login(estate.people.staff)
    page = client.get(_url(vote, "turnout/buildings")).get_data(as_text=True)
    assert 'id="print-one"' in page and 'name="room"' in page
    html = client.get(_url(vote, "print/proxy-forms?room=1栋1单元301")).get_data(as_text=True)
    assert html.count('class="sheet proxy-form"') == 1 and estate.people.one.name in html
    # a unit that has voted: its ballot is printed with a warning, but it gets no reminder slip
    used = client.get(_url(vote, "print/ballots?room=1栋 1单元 302")).get_data(as_text=True)
    assert used.count('class="sheet paper-ballot"') == 1 and "已经使用过" in used
    slip = client.get(_url(vote, "print/slips?room=1栋 1单元 302")).get_data(as_text=True)
    assert 'class="sheet slip"' not in slip
    for room, reason in (("1栋 1单元 999", "没有"), ("", "请填写")):
        back = client.get(_url(vote, f"print/ballots?room={room}"))
        assert back.status_code == 302 and back.headers["Location"].endswith("/turnout/buildings#print-one-note")
        assert reason in client.get(back.headers["Location"]).get_data(as_text=True)


def test_nothing_is_printed_before_the_electorate_is_frozen(client, estate, make_vote, login):
    vote = make_vote(status="announced")
    login(estate.people.staff)
    assert client.get(_url(vote, f"print/slips?building={_building(estate).id}")).status_code == 404


def test_a_building_print_runs_the_same_statements_for_ten_or_forty_owners(client, estate, make_vote, make, login):
    counts = []
    login(estate.people.staff)
    for size in (10, 40):
        building = f"{size}栋"
        for n in range(size):
            owner = make.person(f"业主{size}-{n}", active=n % 2 == 0)
            make.member(owner, estate.compound)
            make.unit(estate.compound, f"{n + 1:02d}01", building=building, owners=[owner])
        vote = make_vote(secrecy="named")
        bid = _building(estate, building).id
        for page in ("print/ballots", "print/slips", "print/proxy-forms"):
            with count_queries() as statements:
                response = client.get(_url(vote, f"{page}?building={bid}"))
            assert response.status_code == 200
            assert response.get_data(as_text=True).count('class="sheet ') == size
            counts.append((page, len(statements)))
    assert counts[:3] == counts[3:], counts


# --- reminder slips -----------------------------------------------------------------------------------------------


def test_slips_only_for_the_buildings_unused_rights_with_a_ballot_qr_or_where_to_get_a_letter(
    client, app, estate, make_vote, make, login
):
    waiting = make.person("未激活业主", active=False)
    make.member(waiting, estate.compound)
    make.unit(estate.compound, "401", "66.60", owners=[waiting])
    vote = make_vote(secrecy="named")
    box.cast(vote, _right(vote, estate.people.two), box.Choices({i.key: "yes" for i in vote.items}))
    db.session.commit()
    login(estate.people.chair)
    before = _codes()
    page = client.get(_url(vote, f"print/slips?building={_building(estate).id}"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and _codes() == before  # a GET mints no code
    assert estate.people.one.name in html and waiting.name in html
    assert estate.people.two.name not in html and estate.people.developer.name not in html
    assert html.count('class="sheet slip"') == 4
    with app.test_request_context():
        ballot_qr = qr.svg(printing.ballot_url(vote), "x")
    assert html.count(str(ballot_qr).split('aria-label="x"', 1)[1]) == 3  # the activated owners
    assert "请向社区工作人员领取激活信" in html and waiting.account_no in html
    assert 'name="confirm"' not in html  # the committee does not issue codes


def test_staff_issue_the_letters_with_the_slips_by_a_confirmed_post(client, estate, make_vote, make, login):
    waiting = make.person("未激活业主", active=False)
    make.member(waiting, estate.compound)
    make.unit(estate.compound, "401", "66.60", owners=[waiting])
    vote = make_vote(secrecy="named")
    url = _url(vote, f"print/slips?building={_building(estate).id}")
    login(estate.people.chair)
    assert client.post(url, data={"confirm": "y"}).status_code == 403  # codes are staff's
    client.post("/logout")
    login(estate.people.staff)
    assert 'name="confirm"' in client.get(url).get_data(as_text=True)
    before = _codes()
    refused = client.post(url, data={})
    assert refused.status_code == 400 and _codes() == before
    done = client.post(url, data={"confirm": "y"})
    html = done.get_data(as_text=True)
    assert done.status_code == 200 and done.headers["Cache-Control"] == "no-store"
    assert _codes() == before + 1  # only the owner without an account
    assert "激活码" in html and html.count('class="sheet slip"') == 5


# --- proxy forms --------------------------------------------------------------------------------------------------


def test_a_proxy_form_carries_its_number_and_rooms_and_its_qr_fills_in_the_desk(en, app, estate, make_vote, login):
    vote = make_vote(secrecy="named")
    right = _right(vote, estate.people.one)
    number = f"W{vote.id}-{right.ordinal:04d}"
    login(estate.people.staff)
    html = en.get(_url(vote, f"print/proxy-forms?right={right.id}")).get_data(as_text=True)
    assert number in html and "1栋 1单元 301, 70.00 ㎡" in html and "this vote only" in html
    with app.test_request_context():
        url = printing.proxy_entry_url(vote, right)
        svg = qr.svg(url, "x")
    assert url.endswith(f"/c/lvyuan/votes/{vote.id}/desk?proxy={right.id}#proxies")
    assert str(svg).split('aria-label="x"', 1)[1] in html
    path = url.split("://", 1)[1].split("/", 1)[1]
    desk = en.get("/" + path.split("#")[0]).get_data(as_text=True)
    assert _input_value(desk, "proxy-owner") == ROOM_ONE
    assert _input_value(desk, "proxy-reference") == number
    response = en.post(
        _url(vote, "desk/proxies"),
        data={"proxy-owner": ROOM_ONE, "proxy-person": estate.people.chair.account_no, "proxy-reference": number},
    )
    assert response.status_code == 303
    recorded = db.session.scalar(sa.select(ProxyAuthorisation).filter_by(vote_id=vote.id))
    assert recorded.reference == number and recorded.owner_id == estate.people.one.id


def test_the_turnout_by_building_page_links_each_buildings_prints(client, estate, make_vote, login):
    vote = make_vote(secrecy="named")
    login(estate.people.staff)
    html = client.get(_url(vote, "turnout/buildings")).get_data(as_text=True)
    bid = _building(estate).id
    for page in ("print/slips", "print/ballots", "print/proxy-forms"):
        assert html.count(f"/votes/{vote.id}/{page}?building={bid}") == 1
    secret = make_vote(secrecy="secret")
    html = client.get(_url(secret, "turnout/buildings")).get_data(as_text=True)
    assert f"/votes/{secret.id}/print/slips?building={bid}" in html
    assert f"/votes/{secret.id}/print/ballots?building={bid}" in html  # it leads to the secret pack


def test_the_drawn_qr_code_is_exactly_the_codes_modules():
    # The sheets' QR codes are drawn here (a rectangle per run of dark modules): read back, they are the matrix.
    import qrcode

    data = "https://linli.example.cn/c/lvyuan/votes/12/desk?right=4711#paper"
    svg = str(qr.svg(data, "码"))
    code = qrcode.QRCode(border=2, mask_pattern=qr.MASK)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
    assert f'viewBox="0 0 {size} {size}"' in svg and 'aria-label="码"' in svg
    dark = set()
    for x, y, width in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", re.search(r'<path d="([^"]*)"', svg).group(1)):
        dark |= {(int(x) + i, int(y)) for i in range(int(width))}
    assert dark == {(x, y) for y, row in enumerate(matrix) for x, on in enumerate(row) if on}


def test_a_vote_of_one_building_prints_for_that_building_only(client, estate, make_vote, login):
    vote = make_vote(secrecy="named", scope=[("9栋", None)])
    login(estate.people.staff)
    html = client.get(_url(vote, "turnout/buildings")).get_data(as_text=True)
    ids = {b.name: b.id for b in estate.compound.buildings}
    assert f"print/ballots?building={ids['9栋']}" in html
    assert f"print/ballots?building={ids['1栋']}" not in html  # 1栋's owners do not decide this vote
