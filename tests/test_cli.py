"""Administrators' command line: each command exits non-zero with a clear message on bad input."""

from __future__ import annotations

import contextvars
import csv
import io

import pytest
import sqlalchemy as sa

from portal.accounts.models import ActivationCode
from portal.compounds.models import Community, Compound
from tests.voting import conftest as voting

estate, make_vote = voting.estate, voting.make_vote  # the voting fixtures, for the voting commands


def test_create_compound(app, database):
    result = app.test_cli_runner().invoke(
        args=["portal", "create-compound", "lvyuan", "绿园小区", "--community", "阳光社区"]
    )
    assert result.exit_code == 0, result.output
    compound = database.session.scalar(sa.select(Compound).filter_by(slug="lvyuan"))
    assert compound.name == "绿园小区" and compound.community.name == "阳光社区"


def test_create_compound_reuses_the_community(app, database, make):
    make.community("阳光社区")
    runner = app.test_cli_runner()
    runner.invoke(args=["portal", "create-compound", "one", "一号", "--community", "阳光社区"])
    runner.invoke(args=["portal", "create-compound", "two", "二号", "--community", "阳光社区"])
    assert database.session.scalar(sa.select(sa.func.count()).select_from(Community)) == 1


def test_create_compound_refuses_bad_input(app, database, make):
    make.compound("taken")
    runner = app.test_cli_runner()
    for args, message in [
        (["Bad Slug", "名称"], "bad slug"),
        (["taken", "名称"], "exists already"),
        (["fresh", "   "], "name"),
    ]:
        result = runner.invoke(args=["portal", "create-compound", *args, "--community", "社区"])
        assert result.exit_code != 0 and message in result.output, result.output
    result = runner.invoke(args=["portal", "create-compound", "fresh", "名称"])
    assert result.exit_code != 0 and "--community" in result.output


def test_issue_codes_prints_csv_for_people_not_activated(app, database, make):
    compound = make.compound("codes")
    waiting, active = make.person("王伟", active=False), make.person("李娜")
    for person, room in ((waiting, "101"), (active, "102")):
        make.member(person, compound)
        make.unit(compound, room, owners=[person])
    result = app.test_cli_runner().invoke(args=["portal", "issue-codes", "codes"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["name"] for r in rows] == ["王伟"]
    assert rows[0]["rooms"] == "1栋 1单元 101" and len(rows[0]["code"]) == 14
    assert database.session.scalar(sa.select(sa.func.count()).select_from(ActivationCode)) == 1


def test_issue_codes_to_a_file(app, database, make, tmp_path):
    compound = make.compound("codes2")
    make.member(make.person(active=False), compound)
    out = tmp_path / "codes.csv"
    result = app.test_cli_runner().invoke(args=["portal", "issue-codes", "codes2", "-o", str(out)])
    assert result.exit_code == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # a BOM, so that Excel opens the Chinese names right
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 2


def test_issue_codes_for_unknown_compound(app, database):
    result = app.test_cli_runner().invoke(args=["portal", "issue-codes", "nowhere"])
    assert result.exit_code != 0 and "no compound" in result.output


@pytest.fixture
def sealed_vote(request):
    """A closed resolution: its ballot box is sealed."""
    return request.getfixturevalue("make_vote")(status="closed")


def test_verify_vote_passes_for_a_sealed_box_without_an_app_context(app, sealed_vote):
    vote = sealed_vote
    # A fresh context holds no app context, as when `flask --app app portal verify-vote` starts: the command pushes it.
    result = contextvars.Context().run(app.test_cli_runner().invoke, args=["portal", "verify-vote", str(vote.id)])
    assert result.exit_code == 0, result.output
    assert "OK: the recount matches" in result.output


def test_verify_vote_compares_with_the_published_digest(app, sealed_vote):
    vote = sealed_vote
    runner = app.test_cli_runner()
    result = runner.invoke(args=["portal", "verify-vote", str(vote.id), "--digest", vote.digest.upper()])
    assert result.exit_code == 0, result.output
    other = ("0" if vote.digest[0] != "0" else "1") + vote.digest[1:]
    result = runner.invoke(args=["portal", "verify-vote", str(vote.id), "--digest", other])
    assert result.exit_code == 1 and "digest differs from the published one" in result.output


def test_tick_runs_without_an_app_context(app, database):
    result = contextvars.Context().run(app.test_cli_runner().invoke, args=["portal", "tick"])
    assert result.exit_code == 0, result.output
