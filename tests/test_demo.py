"""The demo data: what `make run` shows on a fresh machine must keep working."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from portal import demo
from portal.boards.models import Commitment
from portal.compounds import services
from portal.compounds.models import Compound
from portal.db import utcnow
from portal.lists.models import Project
from portal.meetings.models import Meeting, Minutes
from portal.needs.models import Need
from portal.voting import scope
from portal.voting.models import Vote, VoteKind, VoteStatus
from portal.voting.verify import verify


def test_demo_builds_two_compounds_votes_and_logins(app, database, client, upload_dir):
    demo.create()
    database.session.commit()
    lvyuan = database.session.scalar(sa.select(Compound).filter_by(slug="lvyuan"))
    guihua = database.session.scalar(sa.select(Compound).filter_by(slug="guihua"))
    big, small = services.totals(lvyuan), services.totals(guihua)
    assert big.units == 300 and small.units == 40
    assert big.heads < big.units  # the developer's block and owners of several units are one head each
    votes = {v.title: v for v in database.session.scalars(sa.select(Vote))}
    finished = [v for v in votes.values() if v.status == VoteStatus.final]
    assert {v.secrecy.value for v in finished} == {"named", "secret"}  # a secret one, sealed through the shuffle
    assert all(verify(v).ok for v in finished)
    assert {v.kind for v in votes.values()} == {VoteKind.resolution, VoteKind.poll, VoteKind.election}
    # Votes of one building (open) and of one entrance (final): their rolls hold only those units' owners.
    lift, added = votes["关于3栋电梯更新的表决"], votes["关于5栋2单元加装电梯的表决"]
    assert (lift.status, added.status) == (VoteStatus.open, VoteStatus.final)
    assert scope.places(lift) == ["3栋"] and scope.places(added) == ["5栋2单元"]
    assert 0 < added.electorate_heads < lift.electorate_heads < big.heads
    assert verify(added).ok
    meetings = {m.title: m for m in database.session.scalars(sa.select(Meeting))}
    assert set(meetings) == {"十一月业委会会议", "十月三方联席会议"}
    published = database.session.scalar(sa.select(Minutes).where(Minutes.status == "published"))
    assert published.meeting.title == "十月三方联席会议" and published.published_at < utcnow() - timedelta(days=29)
    archive = client.get("/c/lvyuan/meetings/minutes/?q=垃圾").get_data(as_text=True)
    assert "十月三方联席会议" in archive  # public minutes, found by a Chinese word, for a visitor
    # The service board, requests and the three lists of 绿园小区, shown on its home page.
    assert database.session.scalar(sa.select(sa.func.count(Commitment.id))) == 8
    assert database.session.scalar(sa.select(sa.func.count(Need.id))) >= 5
    assert database.session.scalar(sa.select(sa.func.count(Project.id))) == 3
    home = client.get("/c/lvyuan/").get_data(as_text=True)
    assert "公示上半年公共收益" in home  # the overdue pledge, in the home page's board summary
    for path in ("/c/lvyuan/board/", "/c/lvyuan/needs/", "/c/lvyuan/lists/"):
        assert client.get(path).status_code == 200, path
    for account, *_ in demo.LOGINS:
        response = client.post("/login", data={"login": account, "password": demo.DEMO_PASSWORD})
        assert response.status_code == 303, account
        client.post("/logout")


def test_demo_refuses_outside_development(app, database, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_ENV", "production")
    result = app.test_cli_runner().invoke(args=["portal", "demo"])
    assert result.exit_code != 0 and "--force" in result.output, result.output
    assert database.session.scalar(sa.select(sa.func.count()).select_from(Compound)) == 0


def test_forced_demo_in_production_gives_each_login_its_own_random_password(
    app, database, client, upload_dir, monkeypatch
):
    monkeypatch.setitem(app.config, "PORTAL_ENV", "production")
    result = app.test_cli_runner().invoke(args=["portal", "demo", "--force"])
    assert result.exit_code == 0, result.output
    assert demo.DEMO_PASSWORD not in result.output
    printed = dict(line.split()[:2] for line in result.output.splitlines() if line.startswith("  "))
    accounts = [account for account, *_ in demo.LOGINS]
    assert sorted(printed) == sorted(accounts)
    assert len(set(printed.values())) == len(accounts) and all(len(p) >= 12 for p in printed.values())
    for account in accounts:
        shared = client.post("/login", data={"login": account, "password": demo.DEMO_PASSWORD})
        assert shared.status_code == 400, account
    for account in ("admin", "owner"):
        assert client.post("/login", data={"login": account, "password": printed[account]}).status_code == 303
        client.post("/logout")


def test_demo_register_has_contact_phones_shared_and_differing_as_notes_only(app):
    """Couples share a phone and an owner of two units gives two: the demo register imports with notes."""
    from flask_babel import force_locale

    from portal.register import importer

    parsed = importer.parse(demo.register_csv(6, 2, 12, 2, developer_units=12, seed=278).encode())
    assert parsed.errors == [] and len(parsed.units) == 300
    with app.test_request_context(), force_locale("en"):
        texts = [str(note.message) for note in parsed.notes]
    assert any("also given for owner key" in text for text in texts)
    assert any("here:" in text for text in texts)
