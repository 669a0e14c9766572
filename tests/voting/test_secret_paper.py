"""A secret vote's paper ballot: the envelope (who took part) recorded apart from the sheet (what was chosen).

The sheet carries no unit, only a sheet code derived with the vote's key; the envelope label carries the rooms.
Staff record the envelope, then two staff members enter the sheet by its code; it counts only after its envelope.
"""

from __future__ import annotations

import json
import re
import time

import pytest
import sqlalchemy as sa

from portal import qr
from portal.audit import AuditEvent
from portal.extensions import db
from portal.refusals import Refused
from portal.voting import ballot_form, box, lifecycle, paper, sheets, turnout, verify
from portal.voting.models import (
    Ballot,
    BallotChannel,
    Conflict,
    PaperEntry,
    PaperEnvelope,
    Participation,
    VoteStatus,
    VotingRight,
)

ROOM_ONE = "1栋 1单元 301"  # people.one, 70.00 m²


def _url(vote, tail=""):
    return f"/c/lvyuan/votes/{vote.id}/{tail}"


def _right(vote, person) -> VotingRight:
    return db.session.scalar(sa.select(VotingRight).filter_by(vote_id=vote.id, person_id=person.id))


def _items(vote, *answers):
    return {f"item_{item.id}": ballot_form.CODES[a] for item, a in zip(vote.items, answers, strict=False) if a}


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _code(vote, person) -> str:
    return sheets.sheet_code(vote.id, _right(vote, person).id)


@pytest.fixture
def desk(client, estate, make, login):
    """Two staff members at one browser (English): `desk.as_(person)` switches who is logged in."""
    client.set_cookie("lang", "en")
    second = make.person("第二位工作人员")
    make.staff(second, estate.community)
    current = {}

    def as_(person):
        if current.get("who") is not person:
            if current:
                client.post("/logout")
            login(person)
            current["who"] = person
        return client

    def envelope(vote, person, right=ROOM_ONE):
        return as_(person).post(_url(vote, "desk/envelopes"), data={"envelope-right": right})

    def sheet(vote, person, code, **fields):
        return as_(person).post(_url(vote, "desk/sheets"), data={"sheet-code": code, **fields})

    return type(
        "Desk",
        (),
        {
            "as_": staticmethod(as_),
            "envelope": staticmethod(envelope),
            "sheet": staticmethod(sheet),
            "a": estate.people.staff,
            "b": second,
        },
    )


# --- the sheet code ----------------------------------------------------------------------------------------------


def test_the_sheet_code_resolves_to_its_right_and_nothing_else(estate, make_vote):
    vote = make_vote(secrecy="secret")
    right = _right(vote, estate.people.one)
    code = sheets.sheet_code(vote.id, right.id)
    assert re.fullmatch(r"[0-9A-Z]{5}-[0-9A-Z]{5}", code)
    assert sheets.right_of_code(vote, code).id == right.id
    assert sheets.right_of_code(vote, code.lower().replace("-", " ")).id == right.id  # typed loosely
    for wrong in ("", "ABCDE", "00000-00000", code[:-1] + ("0" if code[-1] != "0" else "1")):
        with pytest.raises(Refused) as error:
            sheets.right_of_code(vote, wrong)
        assert error.value.code in ("sheet_code_required", "sheet_code_unknown")
    codes = {
        sheets.sheet_code(vote.id, r.id) for r in db.session.scalars(sa.select(VotingRight).filter_by(vote_id=vote.id))
    }
    assert len(codes) == vote.electorate_heads  # one code per right


def test_codes_of_two_votes_differ_and_one_vote_does_not_take_the_others(estate, make_vote):
    first, second = make_vote(secrecy="secret"), make_vote(secrecy="secret")
    code = _code(first, estate.people.one)
    assert code != _code(second, estate.people.one)
    assert sheets.sheet_code(first.id, 7) != sheets.sheet_code(second.id, 7)  # the same right id under two keys
    with pytest.raises(Refused):
        sheets.right_of_code(second, code)


def test_the_database_does_not_hold_the_sheet_code(desk, estate, make_vote):
    vote = make_vote(secrecy="secret")
    code = _code(vote, estate.people.one)
    desk.envelope(vote, desk.a)
    desk.sheet(vote, desk.a, code, **_items(vote, "yes", "no"))
    db.session.commit()
    written = {code, code.replace("-", ""), code.lower(), code.replace("-", "").lower()}
    connection = db.session.connection()
    for table in db.metadata.sorted_tables:
        for row in connection.execute(sa.select(table)):
            text = " ".join(str(value) for value in row)
            assert not any(form in text for form in written), table.name


def test_codes_of_20000_rights_are_computed_in_one_pass_quickly(app):
    start = time.perf_counter()
    codes = {sheets.sheet_code(99, right_id) for right_id in range(1, 20_001)}
    elapsed = time.perf_counter() - start
    assert len(codes) == 20_000  # no two share a code here (50 bits)
    assert elapsed < 1.0, elapsed  # about 40 ms on the development machine


# --- envelope, then sheet twice --------------------------------------------------------------------------------------


def test_envelope_then_two_matching_sheet_entries_count_on_paper(desk, estate, make_vote):
    vote = make_vote(secrecy="secret")
    code = _code(vote, estate.people.one)
    before = turnout.turnout(vote)
    received = desk.envelope(vote, desk.a)
    assert received.status_code == 303 and received.headers["Location"].endswith("#envelopes-note")
    envelope = db.session.scalar(sa.select(PaperEnvelope))
    assert (envelope.right_id, envelope.received_by_id) == (_right(vote, estate.people.one).id, desk.a.id)
    assert _count(Participation) == 0  # the envelope alone does not count: its sheet does

    first = desk.sheet(vote, desk.a, code, **_items(vote, "yes", "no"))
    assert first.status_code == 303 and _count(Participation) == 0
    again = desk.sheet(vote, desk.a, code, **_items(vote, "yes", "no"))
    assert again.status_code == 409 and "A second staff member must enter it" in again.get_data(as_text=True)
    second = desk.sheet(vote, desk.b, code, **_items(vote, "yes", "no"))
    assert second.status_code == 303
    page = desk.as_(desk.b).get(second.headers["Location"]).get_data(as_text=True)
    assert f"sheet {code} is counted" in page

    participation = db.session.scalar(sa.select(Participation))
    assert participation.channel == BallotChannel.paper and participation.right_id == envelope.right_id
    entries = db.session.scalars(sa.select(PaperEntry)).all()
    assert [e.state for e in entries] == ["counted", "counted"]
    assert all((e.answers, e.selected, e.options, e.encrypted) == ("{}", "[]", "[]", None) for e in entries)
    ballot = db.session.scalar(sa.select(Ballot))
    assert (ballot.right_id, ballot.channel, ballot.weight_area) == (None, None, None)
    vote.status = VoteStatus.closed  # the exact turnout (an open secret vote publishes it in steps of five)
    assert turnout.turnout(vote).heads.part == before.heads.part + 1
    db.session.rollback()


def test_a_sheet_without_its_envelope_is_refused(desk, estate, make_vote):
    vote = make_vote(secrecy="secret")
    refused = desk.sheet(vote, desk.a, _code(vote, estate.people.one), **_items(vote, "yes"))
    assert refused.status_code == 409 and "先登记信封" in refused.get_data(as_text=True)
    assert _count(PaperEntry) == 0
    unknown = desk.sheet(vote, desk.a, "00000-00000", **_items(vote, "yes"))
    assert unknown.status_code == 400 and "No sheet of this vote has this code" in unknown.get_data(as_text=True)


def test_an_envelope_for_a_right_voted_online_is_refused_as_a_conflict(desk, estate, make_vote):
    vote = make_vote(secrecy="secret")
    right = _right(vote, estate.people.one)
    box.cast(vote, right, box.Choices({}), BallotChannel.online, estate.people.one)
    db.session.commit()
    refused = desk.envelope(vote, desk.a)
    assert refused.status_code == 303
    assert _count(PaperEnvelope) == 0
    conflict = db.session.scalar(sa.select(Conflict))
    assert (conflict.right_id, conflict.attempted, conflict.existing) == (
        right.id,
        BallotChannel.paper,
        BallotChannel.online,
    )
    page = desk.as_(desk.a).get(refused.headers["Location"]).get_data(as_text=True)
    assert "has been used online or by proxy" in page
    twice = desk.envelope(vote, desk.a, right="1栋 1单元 302")
    assert twice.status_code == 303
    again = desk.envelope(vote, desk.b, right="1栋 1单元 302")
    assert again.status_code == 409 and "recorded already" in again.get_data(as_text=True)


def test_after_its_envelope_a_right_cannot_be_used_online(estate, make_vote, make):
    vote = make_vote(secrecy="secret")
    right = _right(vote, estate.people.one)
    sheets.receive_envelope(vote, right, estate.people.staff)
    with pytest.raises(Refused) as error:
        box.cast(vote, right, box.Choices({}), BallotChannel.online, estate.people.one)
    assert error.value.code == "already_voted"
    assert _count(Participation) == 0
    conflict = db.session.scalar(sa.select(Conflict))
    assert (conflict.attempted, conflict.existing) == (BallotChannel.online, BallotChannel.paper)


def test_an_envelope_recorded_by_mistake_is_undone_until_its_sheet_is_entered(desk, estate, make_vote):
    vote = make_vote(secrecy="secret")
    desk.envelope(vote, desk.a)
    envelope = db.session.scalar(sa.select(PaperEnvelope))
    page = desk.as_(desk.a).get(_url(vote, "desk/envelopes")).get_data(as_text=True)
    assert f"/desk/envelopes/{envelope.id}/undo" in page
    undone = desk.as_(desk.a).post(_url(vote, f"desk/envelopes/{envelope.id}/undo"))
    assert undone.status_code == 303 and _count(PaperEnvelope) == 0
    assert "is no longer recorded" in desk.as_(desk.a).get(undone.headers["Location"]).get_data(as_text=True)
    box.cast(vote, _right(vote, estate.people.one), box.Choices({}), BallotChannel.online, estate.people.one)
    assert _count(Participation) == 1  # the owner may vote online again

    desk.envelope(vote, desk.a, right="1栋 1单元 302")
    desk.sheet(vote, desk.a, _code(vote, estate.people.two), **_items(vote, "yes"))
    envelope = db.session.scalar(sa.select(PaperEnvelope))
    refused = desk.as_(desk.b).post(_url(vote, f"desk/envelopes/{envelope.id}/undo"))
    assert refused.status_code == 303 and _count(PaperEnvelope) == 1
    assert "cannot be undone" in desk.as_(desk.b).get(refused.headers["Location"]).get_data(as_text=True)
    other = make_vote(secrecy="secret")
    assert desk.as_(desk.b).post(_url(other, f"desk/envelopes/{envelope.id}/undo")).status_code == 404


def test_sheet_entries_that_differ_are_flagged_by_code_and_voided(desk, estate, make_vote):
    vote = make_vote(secrecy="secret")
    code = _code(vote, estate.people.one)
    desk.envelope(vote, desk.a)
    desk.sheet(vote, desk.a, code, **_items(vote, "yes", "yes"))
    flagged = desk.sheet(vote, desk.b, code, **_items(vote, "yes", "no"))
    assert flagged.status_code == 303
    assert [e.state for e in db.session.scalars(sa.select(PaperEntry))] == ["mismatch", "mismatch"]
    assert _count(Participation) == 0
    html = desk.as_(desk.b).get(flagged.headers["Location"]).get_data(as_text=True)
    assert f"sheet {code} differ" in html and 'href="#sheets-mismatch-h"' in html
    mismatch = html.split('id="sheets-mismatch"')[1].split("</section>")[0]
    assert code in mismatch and "Agree" not in mismatch and "Disagree" not in mismatch
    blocked = desk.sheet(vote, estate.people.chair, code, **_items(vote, "yes", "yes"))
    assert blocked.status_code in (403, 404)  # the chair is not staff
    entry = db.session.scalar(sa.select(PaperEntry).order_by(PaperEntry.id.desc()))
    voided = desk.as_(desk.b).post(_url(vote, f"desk/paper/{entry.id}/void"))
    assert voided.status_code == 303 and voided.headers["Location"].endswith("/desk/sheets#sheets-note")
    rows = db.session.scalars(sa.select(PaperEntry)).all()
    assert [e.state for e in rows] == ["void", "void"] and all(e.encrypted is None for e in rows)
    desk.sheet(vote, desk.a, code, **_items(vote, "no", "no"))
    desk.sheet(vote, desk.b, code, **_items(vote, "no", "no"))
    assert _count(Participation) == 1


def test_nothing_on_the_sheet_step_names_the_unit(desk, estate, make_vote, caplog):
    vote = make_vote(secrecy="secret")
    right = _right(vote, estate.people.one)
    code = sheets.sheet_code(vote.id, right.id)
    desk.envelope(vote, desk.a)
    caplog.clear()
    saved = desk.sheet(vote, desk.a, code, **_items(vote, "yes"))
    page = desk.as_(desk.a).get(saved.headers["Location"]).get_data(as_text=True)
    main = page.split("<main")[1].split("</main>")[0]
    assert code in main
    for unit in (ROOM_ONE, "301", estate.people.one.name, "70.00", f"No. {right.ordinal}"):
        assert unit not in main, unit
    logged = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action.like("vote.paper%"))).all()
    assert logged and all("right" not in json.loads(event.detail) for event in logged)
    assert "301" not in caplog.text


def test_the_old_entry_form_is_replaced_for_secret_votes(desk, estate, make_vote):
    vote = make_vote(secrecy="secret")
    html = desk.as_(desk.a).get(_url(vote, "desk")).get_data(as_text=True)
    assert 'name="paper-right"' not in html and "/desk/envelopes" in html and "/desk/sheets" in html
    refused = desk.as_(desk.a).post(_url(vote, "desk/paper"), data={"paper-right": ROOM_ONE, **_items(vote, "yes")})
    assert refused.status_code == 409 and _count(PaperEntry) == 0
    with pytest.raises(Refused):
        paper.enter(vote, _right(vote, estate.people.one), box.Choices({}), estate.people.staff)


def test_verify_vote_verifies_a_box_with_secret_paper_ballots(desk, estate, make_vote):
    vote = make_vote(secrecy="secret")
    for person, room in ((estate.people.one, ROOM_ONE), (estate.people.two, "1栋 1单元 302")):
        desk.envelope(vote, desk.a, right=room)
        desk.sheet(vote, desk.a, _code(vote, person), **_items(vote, "yes", "no"))
        desk.sheet(vote, desk.b, _code(vote, person), **_items(vote, "yes", "no"))
    box.cast(vote, _right(vote, estate.people.buyer), box.Choices({}), BallotChannel.online, estate.people.buyer)
    lifecycle.transition(vote, VoteStatus.closed, estate.people.staff, reason="测试")
    db.session.commit()
    assert vote.ballot_count == 3
    report = verify.verify(vote)
    assert report.ok, report.problems


# --- printing ------------------------------------------------------------------------------------------------------


def _split(html: str) -> tuple[list[str], list[str]]:
    labels = re.findall(r'<article class="print-page envelope-label".*?</article>', html, re.S)
    sheets_ = re.findall(r'<article class="print-page ballot-sheet".*?</article>', html, re.S)
    return labels, sheets_


def _qr(url: str) -> str:
    """The path of the QR code that encodes `url` (as the print page draws it)."""
    return re.search(r'<path[^>]* d="([^"]+)"', str(qr.svg(url, "x"))).group(1)


def test_the_qr_code_reads_back_as_its_url():
    """The hand-drawn SVG is the module matrix of the URL: dark runs where the matrix is dark, nothing else."""
    import qrcode

    url = "https://linli.example.cn/c/lvyuan/votes/12/desk/sheets?code=K3M9P-2XQ7H"
    code = qrcode.QRCode(border=2, mask_pattern=0)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    drawn = [[False] * len(matrix) for _ in matrix]
    for x, y, width in re.findall(r"M(\d+) (\d+)h(\d+)", _qr(url)):
        for dx in range(int(width)):
            drawn[int(y)][int(x) + dx] = True
    assert drawn == matrix


def test_the_printed_sheet_holds_no_unit(desk, estate, make_vote):
    vote = make_vote(secrecy="secret")
    response = desk.as_(desk.a).get(_url(vote, "print/secret?building=1栋"))
    assert response.status_code == 200
    labels, printed = _split(response.get_data(as_text=True))
    base = f"http://localhost{_url(vote)}"
    rights = db.session.scalars(sa.select(VotingRight).filter_by(vote_id=vote.id).order_by(VotingRight.ordinal)).all()
    in_building = [r for r in rights if r.units[0].label.startswith("1栋")]
    assert len(labels) == len(printed) == len(in_building)
    for label, sheet, right in zip(labels, printed, in_building, strict=True):
        assert right.label in label and right.person.name in label  # the label names the envelope's owner
        code = sheets.sheet_code(vote.id, right.id)
        assert code in sheet and _qr(f"{base}desk/sheets?code={code}") in sheet  # ...and the sheet after it is its
        assert _qr(f"{base}desk/envelopes?right={right.id}") in label
        for unit in (right.label, right.person.name, "1栋", f"{right.area_m2:.2f}", f"right={right.id}"):
            assert unit not in sheet, unit
        for room in right.units:
            assert room.label.split()[-1] not in sheet
        assert "同意" in sheet or "Agree" in sheet
    one = desk.as_(desk.a).get(_url(vote, f"print/secret?right={in_building[0].id}"))
    assert len(_split(one.get_data(as_text=True))[0]) == 1
    assert desk.as_(desk.a).get(_url(vote, "print/secret?right=999999")).status_code == 404


def test_printing_is_for_secret_votes_and_those_who_drive_turnout(client, estate, make_vote, login, make):
    vote, named = make_vote(secrecy="secret"), make_vote()
    login(estate.people.chair)
    assert client.get(_url(vote, "print/secret")).status_code == 200
    assert client.get(_url(named, "print/secret")).status_code == 404
    client.post("/logout")
    login(estate.people.one)
    assert client.get(_url(vote, "print/secret?building=1栋")).status_code == 404


@pytest.mark.parametrize("who", ["one", "resident", "chair", "outsider", "visitor"])
def test_the_qr_urls_open_the_desk_steps_for_staff_only(client, estate, make_vote, make, login, who):
    vote = make_vote(secrecy="secret")
    right = _right(vote, estate.people.one)
    urls = (
        _url(vote, f"desk/envelopes?right={right.id}"),
        _url(vote, f"desk/sheets?code={sheets.sheet_code(vote.id, right.id)}"),
    )
    login(estate.people.staff)
    client.set_cookie("lang", "en")
    envelope = client.get(urls[0]).get_data(as_text=True)
    assert ROOM_ONE in envelope and 'name="envelope-right"' in envelope and f'value="{right.ordinal}"' in envelope
    sheet = client.get(urls[1]).get_data(as_text=True)
    assert f'value="{sheets.sheet_code(vote.id, right.id)}"' in sheet and ROOM_ONE not in sheet
    client.post("/logout")
    if who == "outsider":  # staff of another community
        person = make.person()
        make.staff(person, make.community())
        login(person)
    elif who != "visitor":
        login(getattr(estate.people, who))
    for url in urls:
        response = client.get(url)
        if who == "visitor":
            assert response.status_code == 302 and "/login" in response.headers["Location"]
        else:
            assert response.status_code == 404, url
        assert client.post(url.split("?")[0], data={"envelope-right": ROOM_ONE}).status_code in (302, 404)
    assert _count(PaperEnvelope) == 0
