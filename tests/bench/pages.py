"""Page figures of `make bench`: a page's render time (median and p95 of in-process requests through the whole Flask
stack, templates included) and its SQL statement count at a small and a large size (they must be equal).

  (e) a meeting page with 500 comments (issue 4) — target < 200 ms, statements for 5 comments = for 500;
  (f) a compound's service-commitment board with 1,000 commitments and 5,000 ratings (issue 5) — target < 200 ms,
      statements for 10 commitments = for 1,000;
  (g) the staff people page of a 3,000-unit compound (one unit in ten co-owned: 3,300 people; half hold a valid
      activation code, a few dozen other roles) (issue 13) — target < 100 ms and ≤ 60 KB of HTML, statements for 44
      people = for 3,300; also its last page and a room search.
  (h) the turnout-by-building page of a named open vote in a 20,000-unit compound (20 buildings × 2 entrances × 500
      units, one owner each with an account; half have voted, over three days) (issue 14) — target < 100 ms,
      statements for 200 units = for 20,000; and the reminder to the 10,000 activated owners who have not voted
      (`reminders.remind_not_voted`) — target < 5 s;
  (i) a building's non-voter list (楼栋未投票名单) in a 20,000-unit compound (20 buildings × 2 entrances × 500 units,
      half voted, three visits at a quarter of the units; 50 units to a page) (issue 14) — target < 100 ms,
      statements for a building of 10 units = for one of 1,000; also its last page and its CSV file.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from portal.db import utcnow
from portal.extensions import db

PASSWORD = "bench horse battery staple"
RUNS = 30  # timed requests per page, after two warm-up requests
PAGE_TARGET_MS = 200


def _people(prefix: str, count: int) -> list:
    """`count` people who can log in with PASSWORD (one cheap hash shared: logging in is not what is measured)."""
    from portal.accounts.models import Person

    digest = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    people = [
        Person(name=f"{prefix}{i}", account_no=f"{prefix[:1]}{i:06d}", password_hash=digest) for i in range(count)
    ]
    db.session.add_all(people)
    db.session.flush()
    return people


def _compound(slug: str):
    from portal.compounds.models import Community, Compound

    community = Community(name=f"基准社区-{slug}")
    compound = Compound(slug=slug, name=f"基准小区-{slug}", community=community)
    db.session.add(compound)
    db.session.flush()
    return compound


def _members(compound, people, role: str, post: str | None = None) -> None:
    from portal.roles.models import CommitteePost, Membership, Role

    post_ = CommitteePost(post) if post else None
    for person in people:
        db.session.add(Membership(person_id=person.id, compound_id=compound.id, role=Role(role), post=post_))
    db.session.flush()


def measure(client, path: str) -> SimpleNamespace:
    """Statements of one request, then the median and p95 of RUNS timed requests (ms)."""
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    engine = db.engine
    for _ in range(2):  # warm up: templates compiled, per-process caches filled
        assert client.get(path).status_code == 200
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(path)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200, response.status_code
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    times.sort()
    return SimpleNamespace(
        statements=len(statements),
        median=statistics.median(times),
        p95=times[int(0.95 * (len(times) - 1))],
        bytes=len(response.get_data()),
    )


def _log_in(app, account_no: str):
    client = app.test_client()
    response = client.post("/login", data={"login": account_no, "password": PASSWORD})
    assert response.status_code == 303, response.status_code
    return client


def meeting_page(app) -> SimpleNamespace:
    """(e): a committee meeting under way, seen by its chair (hide forms on every comment), with 5 then 500 comments
    on two items by 37 authors; every 7th comment edited, every 50th hidden."""
    from portal.markup import render_markdown
    from portal.meetings import services
    from portal.meetings.models import Attendance, Comment, MeetingKind, MeetingStatus, Visibility

    with app.test_request_context():
        compound = _compound("bench-meeting")
        committee = _people("委员", 7)
        _members(compound, committee[:1], "committee", "chair")
        _members(compound, committee[1:], "committee", "member")
        authors = [p.id for p in [*committee, *_people("评论人", 30)]]
        start = utcnow() - timedelta(hours=1)
        meeting = services.create(
            compound,
            committee[0],
            kind=MeetingKind.committee,
            title="基准会议",
            starts_at=start,
            ends_at=start + timedelta(days=2),
            visibility=Visibility.members,
            secretary_id=committee[1].id,
            groups=None,
            person_ids=None,
            items=["物业费调整", "电梯维修"],
        )
        meeting.status, meeting.posted_at = MeetingStatus.posted, utcnow()
        db.session.add_all(Attendance(meeting_id=meeting.id, person_id=p.id) for p in committee)
        items = [i.id for i in meeting.items]
        chair, path, meeting_id = committee[0].account_no, f"/c/{compound.slug}/meetings/{meeting.id}/", meeting.id
        db.session.commit()

    body = "我同意**第二条**，但希望物业先公示账目。\n\n- 电梯\n- 门禁"
    html = str(render_markdown(body))

    def add(start: int, count: int) -> None:
        now = utcnow()
        with app.app_context():
            db.session.add_all(
                Comment(
                    meeting_id=meeting_id,
                    item_id=items[n % len(items)],
                    author_id=authors[n % len(authors)],
                    body=body,
                    body_html=html,
                    created_at=now - timedelta(seconds=1000 - n),
                    edited_at=now if n % 7 == 0 else None,
                    hidden_at=now if n % 50 == 0 else None,
                    hidden_reason="离题" if n % 50 == 0 else None,
                )
                for n in range(start, start + count)
            )
            db.session.commit()

    with app.app_context():
        client = _log_in(app, chair)
        add(0, 5)
        small = measure(client, path)
        add(5, 495)
        large = measure(client, path)
        page = client.get(path).get_data(as_text=True)
        assert page.count('class="comment') >= 500, "the page does not show the 500 comments"
        db.session.remove()
    return SimpleNamespace(small=small, large=large)


def board_page(app) -> SimpleNamespace:
    """(f): the service-commitment board of a compound with 10, then 1,000 commitments and 5,000 ratings, seen by an
    owner."""
    from tests.boards.bulk import fill

    with app.app_context():
        compound = _compound("bench-board")
        owner = _people("业主", 1)[0]
        _members(compound, [owner], "owner")
        slug = compound.slug
        db.session.commit()
        client = _log_in(app, owner.account_no)
        path = f"/c/{slug}/board/"
        fill(compound, commitments=10, ratings=50)
        db.session.commit()
        small = measure(client, path)
        fill(compound, commitments=990, ratings=4950)
        db.session.commit()
        large = measure(client, path)
        db.session.remove()
    return SimpleNamespace(small=small, large=large)


PEOPLE_UNITS, PEOPLE_BUILDINGS, PEOPLE_TARGET_MS, PEOPLE_TARGET_BYTES = 3_000, 15, 100, 60_000


def people_page(app) -> SimpleNamespace:
    """(g): the staff people page of a compound of 40, then PEOPLE_UNITS units (PEOPLE_BUILDINGS buildings × 2
    entrances), every tenth unit co-owned by two; half the owners hold a valid code, one in 50 a committee or volunteer
    role; seen by the community's staff member. Bulk inserts."""
    from portal.accounts.models import ActivationCode, Person
    from portal.compounds.models import AreaSource, Building, Entrance, Unit
    from portal.register.models import Ownership
    from portal.roles.models import CommunityStaff, Membership, Role
    from tests.bench.data import _insert_returning_ids

    per_entrance = PEOPLE_UNITS // PEOPLE_BUILDINGS // 2
    with app.app_context():
        compound = _compound("bench-people")
        staff = _people("工作人员", 1)[0]
        db.session.add(CommunityStaff(person_id=staff.id, community_id=compound.community_id))
        building_ids = _insert_returning_ids(
            Building, [{"compound_id": compound.id, "name": f"{b}栋"} for b in range(1, PEOPLE_BUILDINGS + 1)]
        )
        entrance_ids = _insert_returning_ids(
            Entrance, [{"building_id": b, "name": f"{e}单元"} for b in building_ids for e in (1, 2)]
        )
        compound_id, slug, staff_no = compound.id, compound.slug, staff.account_no
        db.session.commit()

    def add(start: int, count: int) -> None:
        now = utcnow()
        with app.app_context():
            units = []
            for n in range(start, start + count):
                e_index, slot = divmod(n, per_entrance)
                room = f"{slot // 4 + 1}{slot % 4 + 1:02d}"
                units.append({
                    "compound_id": compound_id, "building_id": building_ids[e_index // 2],
                    "entrance_id": entrance_ids[e_index], "room": room,
                    "unit_key": f"{e_index // 2 + 1}栋|{e_index % 2 + 1}单元|{room}",
                    "area_m2": Decimal("88.50") + n % 60, "area_source": AreaSource.registered,
                })  # fmt: skip
            unit_ids = _insert_returning_ids(Unit, units)
            owners = [(u, n, "") for u, n in zip(unit_ids, range(start, start + count), strict=True)]
            owners += [(u, n, "-B") for u, n, _s in owners if n % 10 == 3]
            person_ids = _insert_returning_ids(
                Person,
                [
                    {"name": f"业主{n}{suffix}", "account_no": f"p{n:05d}{suffix}", "phone": f"139{n:08d}"}
                    for _u, n, suffix in owners
                ],
            )
            db.session.execute(
                sa.insert(Ownership),
                [
                    {"unit_id": u, "person_id": p, "is_designated_voter": not suffix}
                    for (u, _n, suffix), p in zip(owners, person_ids, strict=True)
                ],
            )
            members = [{"person_id": p, "compound_id": compound_id, "role": Role.owner} for p in person_ids]
            members += [
                {"person_id": p, "compound_id": compound_id, "role": Role.committee if i % 100 else Role.volunteer}
                for i, p in enumerate(person_ids)
                if i % 50 == 0
            ]
            db.session.execute(sa.insert(Membership), members)
            db.session.execute(
                sa.insert(ActivationCode),
                [
                    {"person_id": p, "compound_id": compound_id, "code_hash": f"bench-{p}", "created_at": now,
                     "expires_at": now + timedelta(days=30)}
                    for i, p in enumerate(person_ids) if i % 2 == 0
                ],
            )  # fmt: skip
            db.session.commit()

    path = f"/staff/c/{slug}/people"
    with app.app_context():
        client = _log_in(app, staff_no)
        add(0, 40)
        small = measure(client, path)
        add(40, PEOPLE_UNITS - 40)
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does within a minute of a bulk import (the register's): fresh statistics, which also
            # retire the plans prepared while the compound had 44 people (a nested loop over every code, for each
            # of 3,300 people: seconds). Measured without it, the page takes seconds until autovacuum has run.
            with db.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
        large = measure(client, path)
        body = client.get(path).get_data(as_text=True)
        assert body.count('class="person"') == 50, "the page does not show 50 people"
        last = measure(client, f"{path}?page=66")
        search = measure(client, f"{path}?q=3-2-501")
        db.session.remove()
    return SimpleNamespace(small=small, large=large, extra={"last page": last, "search 3-2-501": search})


TURNOUT_TARGET_MS, REMINDER_TARGET_S = 100, 5.0


def _turnout_compound(app, slug: str, buildings: int, per_entrance: int) -> SimpleNamespace:
    """A compound of buildings × 2 entrances × per_entrance units, one owner each (all with an account), a staff member
    of its community, a named resolution open for three days in which every other right has voted, spread evenly over
    those days. Bulk inserts; commits."""
    from portal.accounts.models import Person
    from portal.compounds.models import AreaSource, Building, Entrance, Unit
    from portal.register.models import Ownership
    from portal.roles.models import CommunityStaff, Membership, Role
    from portal.voting.models import BallotChannel, Participation, Vote, VotingRight
    from tests.bench.data import _insert_returning_ids, open_resolution

    with app.app_context():
        compound = _compound(slug)
        staff = _people(f"{slug[-1]}员", 1)[0]
        db.session.add(CommunityStaff(person_id=staff.id, community_id=compound.community_id))
        building_ids = _insert_returning_ids(
            Building, [{"compound_id": compound.id, "name": f"{b}栋"} for b in range(1, buildings + 1)]
        )
        entrance_ids = _insert_returning_ids(
            Entrance, [{"building_id": b, "name": f"{e}单元"} for b in building_ids for e in (1, 2)]
        )
        units = []
        for n in range(buildings * 2 * per_entrance):
            e_index, slot = divmod(n, per_entrance)
            room = f"{slot // 4 + 1}{slot % 4 + 1:02d}"
            units.append({
                "compound_id": compound.id, "building_id": building_ids[e_index // 2],
                "entrance_id": entrance_ids[e_index], "room": room,
                "unit_key": f"{e_index // 2 + 1}栋|{e_index % 2 + 1}单元|{room}",
                "area_m2": Decimal("60.25") + n % 97, "area_source": AreaSource.registered,
            })  # fmt: skip
        unit_ids = _insert_returning_ids(Unit, units)
        digest = staff.password_hash  # every owner has an account (activated): the reminder reaches each one
        person_ids = _insert_returning_ids(
            Person, [{"name": f"业主{n}", "account_no": f"t{slug[-1]}{n:06d}", "password_hash": digest}
                     for n in range(len(unit_ids))]
        )  # fmt: skip
        owned = zip(unit_ids, person_ids, strict=True)
        db.session.execute(
            sa.insert(Ownership), [{"unit_id": u, "person_id": p, "is_designated_voter": True} for u, p in owned]
        )
        db.session.execute(
            sa.insert(Membership),
            [{"person_id": p, "compound_id": compound.id, "role": Role.owner} for p in person_ids],
        )
        compound_id, staff_id, staff_no = compound.id, staff.id, staff.account_no
        db.session.commit()
        vote_id = open_resolution(compound_id, staff_id, f"基准投票-{slug}")
        # Open for three days already; every other right voted, evenly over them.
        opened = utcnow() - timedelta(days=3)
        db.session.execute(sa.update(Vote).where(Vote.id == vote_id).values(opened_at=opened, opens_at=opened))
        rights = db.session.scalars(
            sa.select(VotingRight.id).where(VotingRight.vote_id == vote_id).order_by(VotingRight.id)
        ).all()
        voted = rights[::2]
        span = timedelta(days=3) / (len(voted) + 1)
        db.session.execute(
            sa.insert(Participation),
            [{"vote_id": vote_id, "right_id": r, "channel": BallotChannel.online, "at": opened + span * (i + 1)}
             for i, r in enumerate(voted)],
        )  # fmt: skip
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:  # fresh statistics, as autovacuum has them a minute after an import
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
        path = f"/c/{slug}/votes/{vote_id}/turnout/buildings"
        db.session.remove()
    return SimpleNamespace(path=path, vote_id=vote_id, staff_id=staff_id, staff_no=staff_no, units=len(unit_ids),
                           waiting=len(rights) - len(voted))  # fmt: skip


def turnout_page(app) -> SimpleNamespace:
    """(h): the turnout-by-building page (with its chart over time) of a 200-unit, then a 20,000-unit compound, seen
    by community staff; then the reminder to the big compound's 10,000 activated owners who have not voted."""
    from portal.voting import reminders
    from portal.voting.models import Vote

    small_place = _turnout_compound(app, "bench-turnout-s", buildings=2, per_entrance=50)
    big_place = _turnout_compound(app, "bench-turnout-l", buildings=20, per_entrance=500)
    assert big_place.units == 20_000 and big_place.waiting == 10_000
    with app.app_context():  # one app context per person logged in (flask-login keeps the user on `g`)
        small = measure(_log_in(app, small_place.staff_no), small_place.path)
        db.session.remove()
    with app.app_context():
        client = _log_in(app, big_place.staff_no)
        large = measure(client, big_place.path)
        body = client.get(big_place.path).get_data(as_text=True)
        assert body.count("<tr>") >= 40 and 'role="img"' in body, "the page does not show 40 places and the chart"
        db.session.remove()
    from portal.accounts.models import Person

    with app.test_request_context():
        vote = db.session.get(Vote, big_place.vote_id)
        actor = db.session.get(Person, big_place.staff_id)
        started = time.perf_counter()
        reminded = reminders.remind_not_voted(vote, actor)
        db.session.commit()
        seconds = time.perf_counter() - started
        assert reminded == big_place.waiting, (reminded, big_place.waiting)
        db.session.remove()
    return SimpleNamespace(
        small=small,
        large=large,
        timings=[(f"reminders to {reminded:,} owners who have not voted", seconds, REMINDER_TARGET_S)],
    )


DOORS_BUILDINGS, DOORS_PER_ENTRANCE, DOORS_SMALL, DOORS_TARGET_MS = 20, 500, 10, 100


def doors_page(app) -> SimpleNamespace:
    """(i): the non-voter list of one building, seen by the community's staff member (who sees every building; a
    captain's page is the same list), in a compound of DOORS_BUILDINGS × 2 × DOORS_PER_ENTRANCE units and one small
    building of DOORS_SMALL; half the rights used (online ballots), three visits at every fourth unit. Bulk
    inserts; the vote opened through the real lifecycle."""
    from portal.accounts.models import Person
    from portal.compounds.models import AreaSource, Building, Entrance, Unit
    from portal.drive.models import Visit, VisitOutcome
    from portal.register.models import Ownership
    from portal.roles.models import CommunityStaff, Membership, Role
    from tests.bench.data import _insert_returning_ids, bulk_ballots, open_resolution

    with app.app_context():
        compound = _compound("bench-doors")
        staff = _people("工作人员", 1)[0]
        db.session.add(CommunityStaff(person_id=staff.id, community_id=compound.community_id))
        names = [f"{b}栋" for b in range(1, DOORS_BUILDINGS + 2)]
        building_ids = _insert_returning_ids(Building, [{"compound_id": compound.id, "name": n} for n in names])
        entrance_ids = _insert_returning_ids(
            Entrance, [{"building_id": b, "name": f"{e}单元"} for b in building_ids for e in (1, 2)]
        )
        units = []
        for b_index, name in enumerate(names):
            per_entrance = DOORS_PER_ENTRANCE if b_index < DOORS_BUILDINGS else DOORS_SMALL // 2
            for e in (0, 1):
                for slot in range(per_entrance):
                    room = f"{slot // 4 + 1}{slot % 4 + 1:02d}"
                    units.append({
                        "compound_id": compound.id, "building_id": building_ids[b_index],
                        "entrance_id": entrance_ids[2 * b_index + e], "room": room,
                        "unit_key": f"{name}|{e + 1}单元|{room}", "area_m2": Decimal("60.00") + len(units) % 90,
                        "area_source": AreaSource.registered,
                    })  # fmt: skip
        unit_ids = _insert_returning_ids(Unit, units)
        person_ids = _insert_returning_ids(
            Person,
            [{"name": f"业主{n}", "account_no": f"d{n:06d}", "phone": f"138{n:08d}",
              "password_hash": "x" if n % 3 else None} for n in range(len(unit_ids))],
        )  # fmt: skip
        db.session.execute(
            sa.insert(Ownership),
            [{"unit_id": u, "person_id": p, "is_designated_voter": True}
             for u, p in zip(unit_ids, person_ids, strict=True)],
        )  # fmt: skip
        db.session.execute(
            sa.insert(Membership),
            [{"person_id": p, "compound_id": compound.id, "role": Role.owner} for p in person_ids],
        )
        compound_id, staff_id, staff_no = compound.id, staff.id, staff.account_no
        db.session.commit()
        vote_id = open_resolution(compound_id, staff_id, "关于更换电梯的表决")
        bulk_ballots(vote_id, len(unit_ids) // 2)
        now = utcnow()
        db.session.execute(
            sa.insert(Visit),
            [{"vote_id": vote_id, "unit_id": u, "visitor_id": staff_id, "outcome": outcome, "note": "下午再来",
              "at": now - timedelta(hours=3 - k)}
             for u in unit_ids[::4] for k, outcome in enumerate((VisitOutcome.not_home, VisitOutcome.reached,
                                                                  VisitOutcome.paper))],
        )  # fmt: skip
        db.session.commit()
        if db.engine.dialect.name == "postgresql":  # fresh statistics after the bulk import, as in (g)
            with db.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
        client = _log_in(app, staff_no)
        path = f"/c/{compound.slug}/drive/votes/{vote_id}"
        small = measure(client, f"{path}/buildings/{building_ids[-1]}")
        large = measure(client, f"{path}/buildings/{building_ids[0]}")
        body = client.get(f"{path}/buildings/{building_ids[0]}").get_data(as_text=True)
        assert body.count('class="door"') == 50 and "page=2" in body, "the page does not list 50 non-voters"
        last = measure(client, f"{path}/buildings/{building_ids[0]}?page=10")
        csv = measure(client, f"{path}/buildings/{building_ids[0]}.csv")
        db.session.remove()
    return SimpleNamespace(small=small, large=large, extra={"its last page": last, "CSV of the building": csv})


FIGURES: list[tuple[str, str, str, Callable]] = [
    ("(e) meeting page, 500 comments", "5 comments", "500", meeting_page),
    ("(f) board page, 1,000 commitments + 5,000 ratings", "10 commitments", "1,000", board_page),
    ("(g) staff people page, 3,000 units / 3,300 people", "44 people", "3,300", people_page),
    ("(h) turnout by building, 20,000 units / 10,000 voted", "200 units", "20,000", turnout_page),
    ("(i) a building's non-voter list, 20,000 units", "10 units", "1,000", doors_page),
]
# Figures with their own targets: (ms, bytes of HTML).
TARGETS = {
    people_page: (PEOPLE_TARGET_MS, PEOPLE_TARGET_BYTES),
    turnout_page: (TURNOUT_TARGET_MS, None),
    doors_page: (DOORS_TARGET_MS, None),
}


def run(label: str, app, row: Callable, say: Callable, only: str = "") -> list:
    """Every page figure on one database (or only those whose letters are in `only`, e.g. "h"), as summary rows."""
    rows = []
    for name, small_label, large_label, build in FIGURES:
        if only and name[1] not in only:
            continue
        result = build(app)
        s, big = result.small, result.large
        say(
            f"   {name}: median {big.median:.0f} ms, p95 {big.p95:.0f} ms over {RUNS} requests "
            f"({big.bytes:,} B); statements {s.statements} for {small_label}, {big.statements} for {large_label}"
        )
        target_ms, target_bytes = TARGETS.get(build, (PAGE_TARGET_MS, None))
        rows.append(row(label, f"{name}: median render", f"{big.median:.0f} ms (p95 {big.p95:.0f})",
                        f"< {target_ms} ms", big.median < target_ms))  # fmt: skip
        if target_bytes:
            rows.append(row(label, f"{name}: HTML", f"{big.bytes / 1000:.1f} KB", f"≤ {target_bytes / 1000:.0f} KB",
                            big.bytes <= target_bytes))  # fmt: skip
        for extra, m in getattr(result, "extra", {}).items():
            say(f"   {name}, {extra}: median {m.median:.0f} ms, p95 {m.p95:.0f} ms ({m.bytes:,} B), "
                f"{m.statements} statements")  # fmt: skip
            rows.append(row(label, f"{name}: {extra}, median render", f"{m.median:.0f} ms ({m.bytes / 1000:.1f} KB)",
                            f"< {target_ms} ms", m.median < target_ms))  # fmt: skip
        for what, seconds, target_s in getattr(result, "timings", []):
            say(f"   {name}, {what}: {seconds:.2f} s")
            rows.append(row(label, f"{name}: {what}", f"{seconds:.2f} s", f"< {target_s:.0f} s", seconds < target_s))
        rows.append(row(label, f"{name}: SQL statements, {small_label} / {large_label}",
                        f"{s.statements} / {big.statements}", "equal", s.statements == big.statements))  # fmt: skip
    return rows
