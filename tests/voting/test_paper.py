"""Paper ballots (书面表决票): two staff members enter each one; it counts only when both entries match."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.refusals import Refused
from portal.voting import ballot_form, box, paper, sheets
from portal.voting.models import (
    Ballot,
    BallotChannel,
    Conflict,
    PaperEntry,
    PaperEnvelope,
    Participation,
    VotingRight,
)

ROOM_ONE = "1栋 1单元 301"  # people.one, 70.00 m²


def _url(vote, tail=""):
    return f"/c/lvyuan/votes/{vote.id}/{tail}"


def _items(vote, *answers):
    return {f"item_{item.id}": ballot_form.CODES[a] for item, a in zip(vote.items, answers, strict=False) if a}


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _section(html: str, anchor: str) -> str:
    return re.search(rf'<section id="{anchor}".*?</section>', html, re.S).group(0)


def _flagged(html: str) -> str:
    """The table of entries that differ (after the entry form, before the pending ones)."""
    return _section(html, "paper").split("Entries that differ")[1].split("Waiting for the second entry")[0]


@pytest.fixture
def desk(client, estate, make, login):
    """Two staff members of the community at one browser: `desk.as_(person)` switches who is logged in."""
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

    def enter(vote, person, right=ROOM_ONE, **fields):
        return as_(person).post(_url(vote, "desk/paper"), data={"paper-right": right, **fields})

    return type(
        "Desk", (), {"as_": staticmethod(as_), "enter": staticmethod(enter), "a": estate.people.staff, "b": second}
    )


def test_two_matching_entries_count_the_ballot_on_paper(desk, estate, make_vote):
    vote = make_vote()
    first = desk.enter(vote, desk.a, **_items(vote, "yes", "no"))
    assert first.status_code == 303
    entry = db.session.scalar(sa.select(PaperEntry))
    assert entry.state == "pending" and entry.entered_by_id == desk.a.id
    assert _count(Ballot) == 0 and _count(Participation) == 0
    pending = _section(desk.as_(desk.a).get(_url(vote, "desk")).get_data(as_text=True), "paper")
    assert "Waiting for the second entry" in pending and ROOM_ONE in pending and estate.people.staff.name in pending
    assert "Agree" not in pending.split("Waiting for the second entry")[1]  # the second enterer cannot copy it

    again = desk.enter(vote, desk.a, **_items(vote, "yes", "no"))
    assert again.status_code == 409 and "You entered this ballot already" in again.get_data(as_text=True)
    assert _count(PaperEntry) == 1

    second = desk.enter(vote, desk.b, right="3", **_items(vote, "yes", "no"))  # by number on the roll this time
    assert second.status_code == 303
    entries = db.session.scalars(sa.select(PaperEntry).order_by(PaperEntry.id)).all()
    assert [e.state for e in entries] == ["counted", "counted"]
    assert [e.entered_by_id for e in entries] == [desk.a.id, desk.b.id]
    ballot = db.session.scalar(sa.select(Ballot))
    right = db.session.get(VotingRight, ballot.right_id)
    assert right.person_id == estate.people.one.id and ballot.channel == BallotChannel.paper
    assert json.loads(ballot.answers) == {str(vote.items[0].id): "yes", str(vote.items[1].id): "no"}
    assert db.session.scalar(sa.select(Participation.channel)) == BallotChannel.paper
    counted = _section(desk.as_(desk.b).get(_url(vote, "desk")).get_data(as_text=True), "paper")
    assert "第二位工作人员" in counted.split("Counted")[1]

    third = desk.enter(vote, estate.people.staff, **_items(vote, "yes", "no"))  # counted already: refused
    assert third.status_code == 409 and _count(Ballot) == 1


def test_different_entries_are_flagged_and_nothing_counts_until_voided(desk, estate, make_vote):
    vote = make_vote()
    desk.enter(vote, desk.a, **_items(vote, "yes", "yes"))
    flagged = desk.enter(vote, desk.b, **_items(vote, "yes", "no"))
    assert flagged.status_code == 303
    assert [e.state for e in db.session.scalars(sa.select(PaperEntry))] == ["mismatch", "mismatch"]
    assert _count(Ballot) == 0 and _count(Participation) == 0
    html = _flagged(desk.as_(desk.b).get(_url(vote, "desk")).get_data(as_text=True))
    assert html.count('class="row-bad"') == 2 and html.count("Void both entries") == 1
    assert "Disagree" in html  # a named vote: the supervisor sees what each entry said

    blocked = desk.enter(vote, estate.people.staff, **_items(vote, "yes", "yes"))
    assert blocked.status_code == 409 and "A supervisor must void them first" in blocked.get_data(as_text=True)

    entry = db.session.scalar(sa.select(PaperEntry).order_by(PaperEntry.id.desc()))
    assert desk.as_(desk.b).post(_url(vote, f"desk/paper/{entry.id}/void")).status_code == 303
    assert [e.state for e in db.session.scalars(sa.select(PaperEntry))] == ["void", "void"]
    desk.enter(vote, desk.b, **_items(vote, "yes", "yes"))
    desk.enter(vote, desk.a, **_items(vote, "yes", "yes"))
    assert _count(Ballot) == 1
    assert sorted(db.session.scalars(sa.select(PaperEntry.state))) == ["counted", "counted", "void", "void"]


def test_paper_for_a_right_used_online_is_refused_and_listed_as_a_conflict(desk, estate, make_vote):
    vote = make_vote()
    right = db.session.scalar(sa.select(VotingRight).filter_by(vote_id=vote.id, person_id=estate.people.one.id))
    box.cast(vote, right, box.Choices({}), BallotChannel.online, estate.people.one)
    db.session.commit()
    refused = desk.enter(vote, desk.a, **_items(vote, "no", "no"))
    assert refused.status_code == 303 and refused.headers["Location"].endswith("#conflicts-note")
    assert _count(PaperEntry) == 0 and _count(Ballot) == 1
    conflict = db.session.scalar(sa.select(Conflict))
    assert (conflict.right_id, conflict.attempted, conflict.existing, conflict.actor_id) == (
        right.id,
        BallotChannel.paper,
        BallotChannel.online,
        desk.a.id,
    )
    page = desk.as_(desk.a).get(refused.headers["Location"]).get_data(as_text=True)
    listed = _section(page, "conflicts")
    assert "has been used online or by proxy" in _note(listed, "conflicts")  # said in the section it sends to
    assert f">{right.ordinal}</td>" in listed and ROOM_ONE in listed
    assert "on paper" in listed and "online" in listed and estate.people.staff.name in listed


def test_a_pending_entry_shows_when_its_right_was_used_since(desk, estate, make_vote):
    vote = make_vote()
    desk.enter(vote, desk.a, **_items(vote, "yes"))
    right = db.session.scalar(sa.select(VotingRight).filter_by(vote_id=vote.id, person_id=estate.people.one.id))
    box.cast(vote, right, box.Choices({}), BallotChannel.online, estate.people.one)
    db.session.commit()
    html = desk.as_(desk.a).get(_url(vote, "desk")).get_data(as_text=True)
    assert "This right has been used since" in html
    assert desk.enter(vote, desk.b, **_items(vote, "yes")).status_code == 303
    assert _count(Conflict) == 1 and _count(Ballot) == 1


def test_secret_vote_paper_entries_keep_no_choices_once_counted(desk, estate, make_vote):
    vote = make_vote(secrecy="secret")  # envelope first, then the sheet by its code (tests/voting/test_secret_paper.py)

    def sheet(person, room, *answers):
        right = db.session.scalar(sa.select(VotingRight).filter_by(vote_id=vote.id, person_id=person.id))
        if not db.session.scalar(sa.select(PaperEnvelope).filter_by(vote_id=vote.id, right_id=right.id)):
            desk.as_(desk.a).post(_url(vote, "desk/envelopes"), data={"envelope-right": room})
        code = sheets.sheet_code(vote.id, right.id)
        return desk.as_(who).post(_url(vote, "desk/sheets"), data={"sheet-code": code, **_items(vote, *answers)})

    who = desk.a
    sheet(estate.people.one, ROOM_ONE, "yes", "no")
    waiting = db.session.scalar(sa.select(PaperEntry))
    assert (waiting.answers, waiting.selected, waiting.options) == ("{}", "[]", "[]")  # encrypted while it waits
    assert waiting.encrypted and not waiting.encrypted.startswith(("{", "["))
    who = desk.b
    sheet(estate.people.one, ROOM_ONE, "yes", "no")
    entries = db.session.scalars(sa.select(PaperEntry)).all()
    assert [e.state for e in entries] == ["counted", "counted"]
    assert all((e.answers, e.selected, e.options, e.encrypted) == ("{}", "[]", "[]", None) for e in entries)
    ballot = db.session.scalar(sa.select(Ballot))
    assert (ballot.right_id, ballot.channel, ballot.proxy_id, ballot.weight_area, ballot.cast_at) == (None,) * 5
    # a mismatch shows no choices in a secret vote, and voiding it forgets them
    who = desk.a
    sheet(estate.people.two, "1栋 1单元 302", "yes")
    who = desk.b
    sheet(estate.people.two, "1栋 1单元 302", "no")
    html = desk.as_(desk.b).get(_url(vote, "desk/sheets")).get_data(as_text=True)
    flagged_html = html.split('id="sheets-mismatch"')[1].split("</section>")[0]
    assert flagged_html.count('class="row-bad"') == 2 and "Agree" not in flagged_html and "Disagree" not in flagged_html
    flagged = db.session.scalar(sa.select(PaperEntry).where(PaperEntry.state == "mismatch"))
    desk.as_(desk.b).post(_url(vote, f"desk/paper/{flagged.id}/void"))
    voided = db.session.scalars(sa.select(PaperEntry).where(PaperEntry.state == "void")).all()
    assert len(voided) == 2 and all(e.answers == "{}" and e.encrypted is None for e in voided)


def test_invalid_choices_are_shown_again_and_nothing_is_written(desk, estate, make_vote):
    vote = make_vote()
    bad = desk.enter(vote, desk.a, **{f"item_{vote.items[0].id}": "m", f"item_{vote.items[1].id}": "n"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "could not be read" in html
    assert f'<small id="item_{vote.items[0].id}-error" class="field-error">' in html  # at the item it concerns
    assert f'name="item_{vote.items[1].id}" value="n" checked' in html  # what was typed is kept
    missing = desk.enter(vote, desk.a, right="", **_items(vote, "yes"))
    assert missing.status_code == 400 and 'id="paper-right-error"' in missing.get_data(as_text=True)
    unknown = desk.enter(vote, desk.a, right="42", **_items(vote, "yes"))
    assert unknown.status_code == 400 and "No voting right has this" in unknown.get_data(as_text=True)
    assert _count(PaperEntry) == 0


@pytest.mark.parametrize("status", ["announced", "closed"])
def test_paper_only_while_voting_is_open(desk, estate, make_vote, status):
    vote = make_vote(status=status)
    response = desk.enter(vote, desk.a, right="1", **_items(vote, "yes"))
    assert response.status_code in (400, 409)
    assert _count(PaperEntry) == 0


def test_poll_paper_ballot_with_the_ballot_fields(desk, estate, make_vote):
    vote = make_vote(kind="poll")
    ordinal = db.session.scalar(
        sa.select(VotingRight.ordinal).filter_by(vote_id=vote.id, person_id=estate.people.resident.id)
    )
    empty = desk.enter(vote, desk.a, right=str(ordinal))
    html = empty.get_data(as_text=True)
    assert empty.status_code == 400
    assert '<small id="opts-error" class="field-error">Choose at least one option.</small>' in html
    desk.enter(vote, desk.a, right=str(ordinal), opt="1")  # the second option's box, as the form sends it
    desk.enter(vote, desk.b, right=str(ordinal), opts="01")  # or as one 0/1 per option
    assert json.loads(db.session.scalar(sa.select(Ballot.options))) == [vote.options[1].id]


def test_service_refuses_the_same_staff_member_and_counts_with_a_second(estate, make_vote, make, database):
    vote = make_vote()
    right = db.session.scalar(sa.select(VotingRight).filter_by(vote_id=vote.id, ordinal=1))
    choices = box.Choices({str(vote.items[0].id): "yes"})
    assert paper.enter(vote, right, choices, estate.people.staff).state == "pending"
    with pytest.raises(Refused) as error:
        paper.enter(vote, right, choices, estate.people.staff)
    assert error.value.code == "same_staff"
    other = make.person()
    assert paper.enter(vote, right, choices, other).state == "counted"
    with pytest.raises(Refused) as error:
        paper.void(vote, db.session.scalar(sa.select(PaperEntry)), other)
    assert error.value.code == "not_voidable"


def test_closing_a_secret_vote_forgets_entries_that_never_counted(estate, make_vote, database):
    vote = make_vote(secrecy="secret")
    right = db.session.scalar(sa.select(VotingRight).filter_by(vote_id=vote.id, ordinal=1))
    sheets.receive_envelope(vote, right, estate.people.staff)
    code = sheets.sheet_code(vote.id, right.id)
    sheets.enter_sheet(vote, code, box.Choices({str(vote.items[0].id): "no"}), estate.people.staff)
    assert paper.forget_uncounted(vote) == 1
    entry = db.session.scalar(sa.select(PaperEntry))
    assert (entry.state, entry.answers) == ("pending", "{}")
    assert paper.forget_uncounted(make_vote()) == 0  # named votes keep them


# --- the desk's feedback where the work is, and which item differs (issue 13) ---------------------------------------


def _note(html: str, section: str) -> str:
    """The message placed in a desk section, next to its form (not at the top of the page)."""
    found = re.search(rf'<div id="{section}-note"[^>]*>(.*?)</div>', html, re.S)
    return found.group(1) if found else ""


def test_a_saved_entry_is_announced_at_the_entry_form_without_javascript(desk, estate, make_vote):
    vote = make_vote()
    saved = desk.enter(vote, desk.a, **_items(vote, "yes", "no"))
    assert saved.status_code == 303 and saved.headers["Location"].endswith("/desk#paper-note")
    html = desk.as_(desk.a).get(saved.headers["Location"]).get_data(as_text=True)
    paper_section = _section(html, "paper")
    assert "Entry saved for 1栋 1单元 301" in _note(paper_section, "paper")
    # right above the entry form, so the jump to #paper-note shows both; and only there, not at the top of the page
    assert paper_section.index('id="paper-note"') < paper_section.index('action="/c/lvyuan/votes/')
    assert html.count("Entry saved for") == 1 and 'class="flashes"' not in html.split("<section")[0]
    assert re.search(r'<div id="paper-note"[^>]*\bautofocus\b', html)  # focus (and the screen reader) go to it

    differ = desk.enter(vote, desk.b, **_items(vote, "yes", "yes"))
    page = desk.as_(desk.b).get(differ.headers["Location"]).get_data(as_text=True)
    note = _note(page, "paper")
    assert "differ" in note and 'href="#paper-mismatch-h"' in note  # the way to the flagged entries, one tap


def test_with_htmx_the_entry_form_gets_back_its_section_with_the_message(desk, estate, make_vote):
    vote = make_vote()
    client = desk.as_(desk.a)
    form = client.get(_url(vote, "desk")).get_data(as_text=True)
    assert 'hx-post="/c/lvyuan/votes/' in _section(form, "paper") and 'hx-target="#paper"' in form
    saved = client.post(
        _url(vote, "desk/paper"),
        data={"paper-right": ROOM_ONE, **_items(vote, "yes", "no")},
        headers={"HX-Request": "true"},
    )
    html = saved.get_data(as_text=True)
    assert saved.status_code == 200 and html.lstrip().startswith('<section id="paper"')
    assert "Entry saved for 1栋 1单元 301" in _note(html, "paper") and "<html" not in html
    assert re.search(r'<div id="paper-note"[^>]*\bautofocus\b', html)
    assert _count(PaperEntry) == 1
    assert "Entry saved for" not in client.get(_url(vote, "desk")).get_data(as_text=True)  # said once

    refused = client.post(
        _url(vote, "desk/paper"), data={"paper-right": "42", **_items(vote, "yes")}, headers={"HX-Request": "true"}
    )
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and text.lstrip().startswith('<section id="paper"')
    assert "No voting right has this" in text and 'value="42"' in text  # at the field, as typed


def test_the_mismatch_marks_the_item_that_differs_in_words(desk, estate, make_vote):
    vote = make_vote()
    first, second = vote.items
    desk.enter(vote, desk.a, **_items(vote, "yes", "no"))
    desk.enter(vote, desk.b, **_items(vote, "yes", "abstain"))
    html = _flagged(desk.as_(desk.b).get(_url(vote, "desk")).get_data(as_text=True))
    rows = re.findall(r"<tr[^>]*>.*?</tr>", html.split("<tbody>")[1], re.S)
    assert len(rows) == 2  # one row per item, the two entries side by side
    same, differs = rows
    assert first.title in same and "Differs" not in same and "<strong>" not in same
    assert second.title in differs and 'class="badge badge-differs">Differs<' in differs  # a word, not colour alone
    assert "<strong>Disagree</strong>" in differs and "<strong>Abstain</strong>" in differs
    # stacked cards on a phone: each value carries its column's name (who entered it)
    assert 'class="result-table compare-table"' in html and f'data-label="{desk.b.name}' in differs
    assert html.count("Void both entries") == 1


def test_a_poll_mismatch_marks_the_options_ticked_differently(desk, estate, make_vote):
    vote = make_vote(kind="poll", options=("方案一", "方案二", "方案三"))
    desk.enter(vote, desk.a, opt="0")  # the first option's box
    desk.enter(vote, desk.b, opt="1")
    html = _flagged(desk.as_(desk.b).get(_url(vote, "desk")).get_data(as_text=True))
    rows = re.findall(r"<tr[^>]*>.*?</tr>", html.split("<tbody>")[1], re.S)
    marked = [row for row in rows if "badge-differs" in row]
    assert len(rows) == 3 and len(marked) == 2 and "方案三" not in "".join(marked)
