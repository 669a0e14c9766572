"""results.json in the issue's shape (keys, types, decimal strings) and the CSV (BOM, one row per item)."""

from __future__ import annotations

import csv
import io
import re

import pytest

from portal.voting import box
from portal.voting.models import VoteStatus
from tests.voting.test_results_pages import (
    ELECTION_PICKS,
    FOUR_VOTERS,
    _election,
    cast,
    cast_election,
    cast_poll,
    post,
    url,
)

AREA = re.compile(r"^\d+\.\d{2}$")
HEX = re.compile(r"^[0-9a-f]{64}$")
FRACTION = re.compile(r"^\d+/\d+$")

# The issue's shape; these keys must be there with these names (fields may be added, none renamed).
TOP = {"compound", "vote", "electorate", "participation", "quorum_met", "items", "candidates", "ballots"}
VOTE = {"id", "title", "kind", "secrecy", "status"}
ITEM = {"title", "matter", "yes", "no", "abstain", "passed"}
CANDIDATE = {"name", "heads", "area_m2", "qualified", "outcome"}
# What this portal adds (documented in portal/voting/export.py).
TOP_ADDED = {"receipts"}  # the published list of receipts: code and fingerprint of each counted ballot
VOTE_ADDED = {"binding", "seats", "closed_at", "preliminary_at", "objection_deadline", "final_at", "scope"}
ITEM_ADDED = {"position", "threshold", "yes_share", "reason"}
CANDIDATE_ADDED = {"rank", "share"}


def weight(value):
    assert set(value) == {"heads", "area_m2"}
    assert type(value["heads"]) is int and AREA.match(value["area_m2"]), value
    return value


def check_common(data, vote, kind, status):
    assert set(data) >= TOP and data["compound"] == "lvyuan"
    assert set(data["vote"]) == VOTE | VOTE_ADDED
    assert data["vote"]["id"] == vote.id and data["vote"]["title"] == vote.title
    assert (data["vote"]["kind"], data["vote"]["secrecy"], data["vote"]["status"]) == (kind, "named", status)
    weight(data["electorate"])
    weight(data["participation"])
    assert type(data["quorum_met"]) is bool
    assert set(data["ballots"]) == {"count", "digest"}
    assert type(data["ballots"]["count"]) is int and HEX.match(data["ballots"]["digest"])
    assert data["ballots"]["digest"] == vote.digest


def test_resolution_json_has_the_issue_shape(client, estate, make_vote, login):
    vote = make_vote()
    cast(estate, vote, FOUR_VOTERS)
    post(estate, vote)
    login(estate.people.one)
    response = client.get(url(vote, "results.json"))
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    check_common(data, vote, "resolution", "preliminary")
    assert set(data) == TOP | TOP_ADDED  # a named vote that does not publish unit choices adds only the receipts
    assert [r["code"] for r in data["receipts"]] == box.receipt_codes(vote)
    assert [r["fingerprint"] for r in data["receipts"]] == box.receipt_fingerprints(vote)
    assert data["electorate"] == {"heads": 5, "area_m2": "670.00"}
    assert data["participation"] == {"heads": 4, "area_m2": "598.88"}
    assert data["quorum_met"] is True and data["candidates"] == []
    assert data["ballots"]["count"] == 4
    first, second = data["items"]
    for item in (first, second):
        assert set(item) == ITEM | ITEM_ADDED
        assert type(item["title"]) is str and item["matter"] in ("ordinary", "major")
        assert type(item["passed"]) is bool
        for answer in ("yes", "no", "abstain"):
            weight(item[answer])
        assert all(FRACTION.match(v) for v in item["yes_share"].values())
    assert first["matter"] == "ordinary" and first["passed"] is True and first["reason"] == "passed"
    assert first["yes"] == {"heads": 3, "area_m2": "510.00"} and first["no"] == {"heads": 1, "area_m2": "88.88"}
    assert first["abstain"] == {"heads": 0, "area_m2": "0.00"}
    assert first["yes_share"] == {"heads": "3/4", "area": "6375/7486"} and first["threshold"] == "1/2"
    assert second["matter"] == "major" and second["passed"] is False and second["threshold"] == "3/4"
    assert second["abstain"] == {"heads": 2, "area_m2": "158.88"}  # the wife's blank counts as abstain


def test_election_json_has_the_issue_shape(client, estate, make_vote, login):
    vote = _election(estate, make_vote)
    cast_election(estate, vote, ELECTION_PICKS)
    post(estate, vote, until=VoteStatus.final)
    login(estate.people.two)
    data = client.get(url(vote, "results.json")).get_json()
    check_common(data, vote, "election", "final")
    assert data["items"] == [] and data["vote"]["seats"] == 3
    assert data["participation"] == {"heads": 5, "area_m2": "670.00"}
    for candidate in data["candidates"]:
        assert set(candidate) == CANDIDATE | CANDIDATE_ADDED
        assert type(candidate["name"]) is str and type(candidate["heads"]) is int
        assert AREA.match(candidate["area_m2"]) and type(candidate["qualified"]) is bool
        assert candidate["outcome"] in ("elected", "alternate", "not_elected", "runoff")
    summary = [(c["name"], c["heads"], c["area_m2"], c["qualified"], c["outcome"]) for c in data["candidates"]]
    assert summary == [
        ("单套业主甲", 4, "598.88", True, "elected"),
        ("单套业主乙", 3, "510.00", True, "elected"),
        ("妻子", 3, "400.00", True, "elected"),
        ("三套业主", 3, "360.00", True, "alternate"),
        ("主任", 0, "0.00", False, "not_elected"),
    ]
    assert [c["rank"] for c in data["candidates"]] == [1, 2, 3, 4, None]


def test_json_status_follows_the_vote(client, estate, make_vote, login):
    vote = make_vote()
    cast(estate, vote, FOUR_VOTERS)
    post(estate, vote, until=VoteStatus.closed)
    login(estate.people.staff)  # staff see the count from close
    assert client.get(url(vote, "results.json")).get_json()["vote"]["status"] == "closed"


def read_csv(response):
    body = response.data
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for spreadsheet programs
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_has_a_bom_and_one_row_per_item(client, estate, make_vote, login):
    vote = make_vote(matters=("ordinary", "major", "major"))
    cast(estate, vote, {name: (*answers, "yes") for name, answers in FOUR_VOTERS.items()})
    post(estate, vote)
    login(estate.people.one)
    response = client.get(url(vote, "results.csv"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    header, *rows = read_csv(response)
    assert len(rows) == 3 and all(len(row) == len(header) for row in rows)
    assert [row[1] for row in rows] == ["事项1", "事项2", "事项3"]
    assert rows[0][8:14] == ["3", "510.00", "1", "88.88", "0", "0.00"]  # yes, no, abstain: heads and m²
    assert rows[0][3:7] == ["4", "5", "598.88", "670.00"]


def test_csv_of_an_election_has_one_row_per_candidate(client, estate, make_vote, login):
    vote = _election(estate, make_vote)
    cast_election(estate, vote, ELECTION_PICKS)
    post(estate, vote)
    login(estate.people.one)
    header, *rows = read_csv(client.get(url(vote, "results.csv")))
    assert [row[1] for row in rows] == ["单套业主甲", "单套业主乙", "妻子", "三套业主", "主任"]
    assert [row[2] for row in rows] == ["4", "3", "3", "3", "0"] and rows[2][4] == "400.00"


@pytest.mark.parametrize("secrecy", ["named", "secret"])
def test_poll_exports_heads_per_option(client, estate, make_vote, login, secrecy):
    vote = make_vote(kind="poll", secrecy=secrecy)
    first, second = vote.options
    cast_poll(estate, vote, (("buyer", first), ("resident", first), ("one", second)))
    post(estate, vote)
    login(estate.people.resident)
    data = client.get(url(vote, "results.json")).get_json()
    assert data["vote"]["kind"] == "poll" and data["vote"]["binding"] is False
    assert data["options"] == [
        {"label": "方案一", "heads": 2, "share": "2/3"},
        {"label": "方案二", "heads": 1, "share": "1/3"},
    ]
    header, *rows = read_csv(client.get(url(vote, "results.csv")))
    assert [row[:2] for row in rows] == [["方案一", "2"], ["方案二", "1"]]
