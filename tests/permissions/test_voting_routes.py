"""Every voting route × every kind of person (compound B holds the votes; see conftest.py for the people).

Outsiders never learn B's votes exist (404); members who lack a right get 403; visitors are sent to log in.
Each allowed request carries data that makes it succeed, so "ok" is a real success.
"""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from test_routes import FORBIDDEN, HIDDEN, MEMBERS, OWNER_SIDE, outcome

from portal.db import utcnow
from portal.extensions import db
from portal.voting import box, candidates, electorate, lifecycle, objections, paper, proxies, sheets
from portal.voting.models import PollOption, Secrecy, Vote, VoteItem, VoteKind, VoteStatus

COMMITTEE = dict(MEMBERS, owner_b=FORBIDDEN, resident_b=FORBIDDEN)  # manage_votes
DRAFT = dict(MEMBERS, owner_b=HIDDEN, resident_b=HIDDEN)  # drafts exist only for those who prepare them
RIGHT_HOLDER = dict(MEMBERS, resident_b=FORBIDDEN, committee_b=FORBIDDEN, staff_b=FORBIDDEN, admin=FORBIDDEN)
CERTIFY = dict(MEMBERS, owner_b=FORBIDDEN, resident_b=FORBIDDEN, committee_b=FORBIDDEN)
NOMINATION = dict(MEMBERS, resident_b=HIDDEN)  # a draft election is open to the owners' side
MAY_STAND = dict(NOMINATION, committee_b=FORBIDDEN, staff_b=FORBIDDEN, admin=FORBIDDEN)
ELECTION_CERTIFY = dict(NOMINATION, owner_b=FORBIDDEN, committee_b=FORBIDDEN)
DESK_STEP = dict(MEMBERS, owner_b=HIDDEN, resident_b=HIDDEN, committee_b=HIDDEN)  # a scanned QR tells owners nothing
CANDIDATE_ONLY = dict(NOMINATION, committee_b=HIDDEN, staff_b=HIDDEN, admin=HIDDEN)  # someone else's candidacy
PRINT = dict(MEMBERS, owner_b=HIDDEN, resident_b=HIDDEN)  # those who drive turnout; no page links others there
PRINT_LETTERS = dict(PRINT, committee_b=FORBIDDEN)  # issuing activation codes is staff's

VOTE_FORM = {
    "kind": "resolution",
    "title": "新的表决",
    "secrecy": "named",
    "opens_at": "2027-03-01T09:00",
    "closes_at": "2027-03-08T18:00",
    "objection_days": "7",
}

# name → (method, path, expected, data); paths and data are formatted with the ids of the `votes` fixture
V = "/c/{b}/votes"
ROUTES = {
    "vote list": ("GET", V + "/", MEMBERS, None),
    "new vote form": ("GET", V + "/new", COMMITTEE, None),
    "new vote": ("POST", V + "/new", COMMITTEE, VOTE_FORM),
    "vote page": ("GET", V + "/{open}/", MEMBERS, None),
    "turnout": ("GET", V + "/{open}/turnout", MEMBERS, None),
    "turnout by building": ("GET", V + "/{open}/turnout/buildings", COMMITTEE, None),
    "remind non-voters": ("POST", V + "/{open}/remind", COMMITTEE, {}),
    "electorate roll": ("GET", V + "/{open}/roll", OWNER_SIDE, None),
    "ballot form": ("GET", V + "/{open}/ballot", RIGHT_HOLDER, None),
    "cast ballot": ("POST", V + "/{open}/ballot", RIGHT_HOLDER, {"step": "confirm", "item_{item}": "y"}),
    "receipt": ("GET", V + "/{open}/receipt", MEMBERS, None),
    "check receipt": ("POST", V + "/{prelim}/check-receipt", MEMBERS, {"receipt": "AAAAA-BBBBB"}),
    "manage page": ("GET", V + "/{draft}/edit", DRAFT, None),
    "edit settings": ("POST", V + "/{draft}/edit", DRAFT, VOTE_FORM),
    "add item": ("POST", V + "/{draft}/items", DRAFT, {"item-title": "事项", "item-category": "property_manager"}),
    "remove item": ("POST", V + "/{draft}/items/{draft_item}/delete", DRAFT, {}),
    "add option": ("POST", V + "/{poll}/options", DRAFT, {"option-label": "方案"}),
    "remove option": ("POST", V + "/{poll}/options/{poll_option}/delete", DRAFT, {}),
    # before the announced close: community staff only, with a reason
    "lifecycle step": (
        "POST",
        V + "/{open}/step",
        CERTIFY,
        {"target": "closed", "reason": "测试提前结束", "confirm": "y"},
    ),
    "candidates": ("GET", V + "/{election}/candidates", NOMINATION, None),
    "stand": ("POST", V + "/{fresh_election}/candidates/stand", MAY_STAND, {"stand-statement": "愿为大家服务"}),
    "nominate": ("POST", V + "/{fresh_election}/candidates/nominate", MAY_STAND, {"nominate-room": "1栋 1单元 102"}),
    "recommend": (
        "POST",
        V + "/{fresh_election}/candidates/recommend",
        ELECTION_CERTIFY,
        {"recommend-room": "1栋 1单元 102"},
    ),
    "answer nomination": (
        "POST",
        V + "/{pending_election}/candidates/{pending}/answer",
        CANDIDATE_ONLY,
        {"answer": "accept", "answer-statement": "同意参选"},
    ),
    "withdraw": ("POST", V + "/{election}/candidates/{candidate}/withdraw", CANDIDATE_ONLY, {}),
    "statement": (
        "POST",
        V + "/{election}/candidates/{candidate}/statement",
        CANDIDATE_ONLY,
        {"statement-statement": "新的参选陈述"},
    ),
    "eligibility check": (
        "POST",
        V + "/{election}/candidates/{candidate}/check",
        ELECTION_CERTIFY,
        {"check{candidate}-decision": "eligible"},
    ),
    "desk": ("GET", V + "/{open}/desk", CERTIFY, None),
    "proxy cap": ("POST", V + "/{open}/desk/cap", CERTIFY, {"max_proxies_per_person": "2"}),
    "add proxy": (
        "POST",
        V + "/{open}/desk/proxies",
        CERTIFY,
        {"proxy-owner": "1栋 1单元 101", "proxy-person": "{resident_account}", "proxy-reference": "WT-2"},
    ),
    "revoke proxy": ("POST", V + "/{open}/desk/proxies/{authorisation}/revoke", CERTIFY, {}),
    "paper entry": ("POST", V + "/{open}/desk/paper", CERTIFY, {"paper-right": "1栋 1单元 102", "item_{item}": "n"}),
    "void paper entry": ("POST", V + "/{open}/desk/paper/{paper_entry}/void", CERTIFY, {}),
    "envelope step": ("GET", V + "/{secret}/desk/envelopes", DESK_STEP, None),
    "record envelope": ("POST", V + "/{secret}/desk/envelopes", DESK_STEP, {"envelope-right": "1栋 1单元 103"}),
    "undo envelope": ("POST", V + "/{secret}/desk/envelopes/{secret_envelope}/undo", DESK_STEP, {}),
    "sheet step": ("GET", V + "/{secret}/desk/sheets", DESK_STEP, None),
    "enter sheet": (
        "POST",
        V + "/{secret}/desk/sheets",
        DESK_STEP,
        {"sheet-code": "{secret_code}", "item_{secret_item}": "y"},
    ),
    "print secret pack": ("GET", V + "/{secret}/print/secret", PRINT, None),
    "print slips": ("GET", V + "/{open}/print/slips?building={building}", PRINT, None),
    "print slips with letters": (
        "POST",
        V + "/{open}/print/slips?building={building}",
        PRINT_LETTERS,
        {"confirm": "y"},
    ),
    "print ballots": ("GET", V + "/{open}/print/ballots?building={building}", PRINT, None),
    "print one ballot": ("GET", V + "/{open}/print/ballots?right={right}", PRINT, None),
    "print proxy forms": ("GET", V + "/{open}/print/proxy-forms?right={right}", PRINT, None),
    "results": ("GET", V + "/{prelim}/results", MEMBERS, None),
    "result notice": ("GET", V + "/{prelim}/notice", MEMBERS, None),
    "receipts list": ("GET", V + "/{prelim}/receipts", MEMBERS, None),
    "results json": ("GET", V + "/{prelim}/results.json", MEMBERS, None),
    "results csv": ("GET", V + "/{prelim}/results.csv", MEMBERS, None),
    "objections": ("GET", V + "/{prelim}/objections", MEMBERS, None),
    "file objection": ("POST", V + "/{prelim}/objections", RIGHT_HOLDER, {"text": "第一项计票有疑问"}),
    "answer objection": ("POST", V + "/{prelim}/objections/{objection}/answer", CERTIFY, {"answer": "已复核"}),
}


def _vote(compound, kind, staff, status=VoteStatus.draft, seats=None):
    now = utcnow()
    vote = Vote(
        compound_id=compound.id,
        kind=kind,
        title=f"{kind.value} 表决",
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=7),
        seats=seats,
        created_by_id=staff.id,
    )
    vote.compound = compound
    db.session.add(vote)
    db.session.flush()
    if kind == VoteKind.resolution:
        vote.items.append(VoteItem(position=1, title="续聘物业"))
    if kind == VoteKind.poll:
        vote.options.extend([PollOption(position=1, label="甲"), PollOption(position=2, label="乙")])
    db.session.flush()
    for step in (VoteStatus.announced, VoteStatus.open, VoteStatus.closed, VoteStatus.preliminary):
        if status == VoteStatus.draft:
            break
        lifecycle.transition(vote, step, staff, reason="测试")
        if step == status:
            break
    return vote


class LazyIds(dict):
    """Ids for the path templates, each vote built only when a template asks for it."""

    def __init__(self, ids, builders):
        super().__init__(ids)
        self.builders = builders

    def __missing__(self, key):
        self.builders[key]()
        db.session.commit()
        return self[key]


@pytest.fixture
def votes(world, make):
    """In compound B, built on demand: open and posted resolutions, a draft resolution and poll, draft elections,
    a proxy authorisation and a pending paper entry."""
    from portal.compounds.models import Building, Compound

    people, base = world
    compound = db.session.scalar(db.select(Compound).filter_by(slug="compound-b"))
    second = make.person("乙业主二")
    make.member(second, compound)
    make.unit(compound, "102", owners=[second])
    staff = people["staff_b"]
    ids: LazyIds

    def open_():
        vote = _vote(compound, VoteKind.resolution, staff, VoteStatus.open)
        ids.update(open=vote.id, item=vote.items[0].id)

    def right():
        ids["right"] = electorate.right_of(db.session.get(Vote, ids["open"]), second).id

    def prelim():
        vote = _vote(compound, VoteKind.resolution, staff, VoteStatus.open)
        box.cast(vote, electorate.right_of(vote, people["owner_b"]), box.Choices({vote.items[0].key: "yes"}))
        for step in (VoteStatus.closed, VoteStatus.preliminary):
            lifecycle.transition(vote, step, staff, reason="测试")
        ids.update(prelim=vote.id, objection=objections.file(vote, second, "请复核").id)

    def draft():
        vote = _vote(compound, VoteKind.resolution, staff)
        ids.update(draft=vote.id, draft_item=vote.items[0].id)

    def poll():
        vote = _vote(compound, VoteKind.poll, staff)
        ids.update(poll=vote.id, poll_option=vote.options[0].id)

    def election():
        vote = _vote(compound, VoteKind.election, staff, seats=3)
        ids.update(election=vote.id, candidate=candidates.self_nominate(vote, people["owner_b"], "参选陈述").id)

    def pending_election():
        vote = _vote(compound, VoteKind.election, staff, seats=3)
        ids.update(pending_election=vote.id, pending=candidates.nominate(vote, second, "1栋 1单元 101").id)

    def fresh_election():
        ids["fresh_election"] = _vote(compound, VoteKind.election, staff, seats=3).id

    def desk():
        vote = db.session.get(Vote, ids["open"])
        ref = next(r for r in proxies.electorate_refs(vote) if r.right is not None and r.right.person_id == second.id)
        clerk = make.person("录入员")  # a third staff member made the first entry: both others may make the second
        make.staff(clerk, compound.community)
        entry = paper.enter(vote, ref.right, box.Choices({vote.items[0].key: "yes"}), clerk)
        ids.update(authorisation=proxies.authorise(vote, ref, people["admin"], "WT-1", staff).id, paper_entry=entry.id)

    def secret():
        third = make.person("乙业主三")  # a third right, whose envelope the route table records
        make.member(third, compound)
        make.unit(compound, "103", owners=[third])
        vote = _vote(compound, VoteKind.resolution, staff)
        vote.secrecy = Secrecy.secret
        db.session.flush()
        for step in (VoteStatus.announced, VoteStatus.open):
            lifecycle.transition(vote, step, staff, reason="测试")
        right = electorate.right_of(vote, second)
        sheets.receive_envelope(vote, right, staff)  # its sheet may be entered
        mistaken = sheets.receive_envelope(vote, electorate.right_of(vote, people["owner_b"]), staff)
        ids.update(
            secret=vote.id,
            secret_item=vote.items[0].id,
            secret_code=sheets.sheet_code(vote.id, right.id),
            secret_envelope=mistaken.id,
        )

    builders = {
        "open": open_, "item": open_, "prelim": prelim, "objection": prelim, "draft": draft, "draft_item": draft,
        "poll": poll, "poll_option": poll, "election": election, "candidate": election,
        "pending_election": pending_election, "pending": pending_election, "fresh_election": fresh_election,
        "authorisation": desk, "paper_entry": desk, "right": right,
        "secret": secret, "secret_item": secret, "secret_code": secret, "secret_envelope": secret,
    }  # fmt: skip
    building = db.session.scalar(db.select(Building.id).filter_by(compound_id=compound.id, name="1栋"))
    ids = LazyIds({**base, "resident_account": people["resident_b"].account_no, "building": building}, builders)
    return SimpleNamespace(people=people, ids=ids)


CASES = [(route, role) for route in ROUTES for role in MEMBERS]


@pytest.mark.parametrize(("route", "role"), CASES, ids=[f"{r}-{p}" for r, p in CASES])
def test_voting_route_access(client, votes, login, route, role):
    method, template, expected, data = ROUTES[route]
    path = template.format_map(votes.ids)
    form = {k.format_map(votes.ids): v.format_map(votes.ids) for k, v in (data or {}).items()}
    if role != "anonymous":
        login(votes.people[role])
    response = client.open(path, method=method, data=form)
    if response.status_code in (400, 409, 422):  # say which field refused, not just the status
        refused = re.findall(r"(?:field-error|flash-error)[^>]*>([^<]*)", response.get_data(as_text=True))
        pytest.fail(f"{response.status_code}: {refused}")
    assert outcome(response) == expected[role]
