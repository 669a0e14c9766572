"""Demo data: one community with a large and a small compound, a developer block, co-owners and logins.

The register goes in through the same importer staff use, so the demo exercises the real path.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from decimal import Decimal

import sqlalchemy as sa

from portal.accounts.models import Person
from portal.compounds import services as compounds
from portal.extensions import db
from portal.register import importer
from portal.register import services as register
from portal.roles import services as roles
from portal.roles.models import CommitteePost, Role
from portal.security import hash_password

DEMO_PASSWORD = "linli-demo-2026"  # noqa: S105 (printed for the demo; never used outside it)
COMMUNITY = "阳光社区"
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰建国建华志强文俊红梅海燕丹婷雪晨宇浩然子涵欣怡一鸣佳琪"
)

# (account, name, description) of the printed demo logins.
LOGINS = [
    ("admin", "系统管理员", "platform administrator"),
    ("staff", "社区工作人员 周敏", "community staff of 阳光社区 (both compounds)"),
    ("chair", None, "owner in 绿园小区, committee chair (主任)"),
    ("secretary", None, "owner in 绿园小区, committee secretary (秘书)"),
    ("owner", None, "owner of two units in 绿园小区"),
    ("owner2", None, "owner in 桂花苑"),
    ("resident", "租户 陈晓", "resident (tenant) in 绿园小区"),
    ("manager", "物业经理 孙立", "property manager in 绿园小区"),
    ("volunteer", None, "owner and volunteer (志愿者) in 绿园小区: claims requests and micro-wishes"),
    (
        "captain",
        None,
        "owner and building captain (楼栋长) of 1栋 in 绿园小区: knocks on the doors of who has not voted",
    ),
]


def _name(rng: random.Random) -> str:
    given = GIVEN[rng.randrange(len(GIVEN))] + (GIVEN[rng.randrange(len(GIVEN))] if rng.random() < 0.6 else "")
    return SURNAMES[rng.randrange(len(SURNAMES))] + given


def _area(rng: random.Random, low: int = 60, high: int = 180) -> Decimal:
    return Decimal(rng.randrange(low * 100, high * 100 + 1)) / 100


def register_csv(buildings: int, entrances: int, floors: int, per_floor: int, developer_units: int, seed: int) -> str:
    """A register CSV with co-owned units, owners of several units and a developer block."""
    rng = random.Random(seed)
    lines = ["building,entrance,room,area_m2,area_source,owner_name,owner_key,phone,is_developer,designated_voter"]
    n = 0
    multi_owner: tuple[str, str] | None = None
    for b in range(1, buildings + 1):
        for e in range(1, entrances + 1):
            for floor in range(1, floors + 1):
                for r in range(1, per_floor + 1):
                    n += 1
                    room = f"{floor}{r:02d}"
                    area = _area(rng)
                    source = rng.choices(["registered", "surveyed", "contract"], [90, 7, 3])[0]
                    key, name = f"K{seed}-{n:04d}", _name(rng)
                    phone = f"13{seed % 10}{n:08d}"  # contact data: the owner of two units gives another one there
                    if n % 25 == 0 and multi_owner is None:
                        multi_owner = (key, name)
                    elif n % 25 == 0 and multi_owner is not None:
                        key, name = multi_owner  # an owner who bought two units
                        multi_owner = None
                    where = f"{b}栋,{e}单元,{room},{area},{source}"
                    if n % 10 == 3:  # co-owned: a couple sharing one phone, the second designated to vote
                        lines.append(f"{where},{name},{key},{phone},0,0")
                        lines.append(f"{where},{_name(rng)},{key}-B,{phone},0,1")
                    else:
                        lines.append(f"{where},{name},{key},{phone},0,")
    for i in range(1, developer_units + 1):
        lines.append(
            f"{buildings + 1}栋,1单元,{100 + i},{_area(rng, 80, 140)},contract,绿园置业有限公司,DEV-{seed},,1,"
        )
    return "\n".join(lines) + "\n"


def _import(compound, csv_text: str) -> None:
    parsed = importer.parse(csv_text.encode("utf-8"))
    if parsed.errors:
        raise RuntimeError(f"demo register is invalid: {parsed.errors[:3]}")
    register.apply(compound, parsed, actor=None)


def random_passwords() -> dict[str, str]:
    """A password of its own for each demo login (for a demo outside development, where the README's is public)."""
    return {account: secrets.token_urlsafe(9) for account, *_ in LOGINS}


def _set_login(person: Person, account: str, name: str | None = None, password: str = DEMO_PASSWORD) -> Person:
    person.account_no = account
    if name:
        person.name = name
    person.password_hash = hash_password(password)
    return person


def _owner(compound, index: int) -> Person:
    """The n-th designated voter of a compound in register order (deterministic)."""
    from portal.compounds.models import Unit
    from portal.register.models import Ownership

    rows = db.session.scalars(
        db.select(Person)
        .join(Ownership, Ownership.person_id == Person.id)
        .join(Unit, Unit.id == Ownership.unit_id)
        .where(Unit.compound_id == compound.id, Ownership.is_designated_voter.is_(True), Person.is_developer.is_(False))
        .order_by(Unit.id)
    ).all()
    return rows[index]


def create(passwords: dict[str, str] | None = None) -> None:
    """Create the demo data (the caller commits); each login gets its password from `passwords`, else the shared one."""

    def _login(person: Person, account: str, name: str | None = None) -> Person:
        """Give the person a demo login with its password."""
        return _set_login(person, account, name, (passwords or {}).get(account, DEMO_PASSWORD))

    community = compounds.get_or_create_community(COMMUNITY)
    lvyuan = compounds.create_compound("lvyuan", "绿园小区", community)
    guihua = compounds.create_compound("guihua", "桂花苑", community)
    _import(lvyuan, register_csv(6, 2, 12, 2, developer_units=12, seed=278))
    _import(guihua, register_csv(2, 1, 5, 4, developer_units=0, seed=279))

    admin = _login(Person(name="", account_no="admin", is_platform_admin=True), "admin", "系统管理员")
    staff = _login(Person(name="", account_no="staff"), "staff", "社区工作人员 周敏")
    resident = _login(Person(name="", account_no="resident"), "resident", "租户 陈晓")
    manager = _login(Person(name="", account_no="manager"), "manager", "物业经理 孙立")
    db.session.add_all([admin, staff, resident, manager])
    db.session.flush()
    roles.add_staff(staff, community)
    roles.grant(resident, lvyuan, Role.resident)
    roles.grant(manager, lvyuan, Role.property_manager)

    from portal.register.models import Ownership

    several = db.session.execute(
        db.select(Ownership.person_id).group_by(Ownership.person_id).having(db.func.count() > 1)
    ).scalars()
    owner = next(p for p in (db.session.get(Person, pid) for pid in several) if not p.is_developer)
    _login(owner, "owner")
    chair = _login(_owner(lvyuan, 0), "chair")
    secretary = _login(_owner(lvyuan, 1), "secretary")
    _login(_owner(guihua, 0), "owner2")
    roles.grant(chair, lvyuan, Role.committee, post=CommitteePost.chair)
    roles.grant(secretary, lvyuan, Role.committee, post=CommitteePost.secretary)
    roles.grant(_owner(lvyuan, 2), lvyuan, Role.committee, post=CommitteePost.vice_chair)
    for i in (3, 4):
        roles.grant(_owner(lvyuan, i), lvyuan, Role.committee, post=CommitteePost.member)
    volunteer = _login(_owner(lvyuan, 5), "volunteer")
    roles.grant(volunteer, lvyuan, Role.volunteer)
    captain = _login(_owner(lvyuan, 6), "captain")

    compounds.post_notice(
        lvyuan, "关于电梯年检的通知", "本周六上午9点至12点，1至3栋电梯年检，请合理安排出行。", True, staff
    )
    compounds.post_notice(lvyuan, "业委会第三次会议纪要已归档", "请业主登录后查阅会议纪要。", False, chair)
    compounds.post_notice(guihua, "垃圾分类宣传周", "本周为垃圾分类宣传周，欢迎业主参加志愿活动。", True, staff)
    db.session.flush()
    lifts = _votes(lvyuan, guihua, staff, chair, secretary, owner)
    from portal.drive import demo as drive

    drive.seed(lvyuan, lifts, captain, staff)
    from portal.meetings import demo as meetings

    meetings.create(lvyuan, chair, secretary, manager, staff)
    _board(lvyuan, staff, chair, secretary, manager, owner, resident, volunteer)


def _board(compound, staff, chair, secretary, manager, owner, resident, volunteer) -> None:
    """The service board, requests and micro-wishes, then the three lists (which use the board's organisations)."""
    from portal.boards import demo as boards
    from portal.lists import demo as lists
    from portal.needs import demo as needs

    people = {"staff": staff, "chair": chair, "secretary": secretary, "manager": manager, "owner": owner,
              "resident": resident, "volunteer": volunteer}  # fmt: skip
    boards.seed(compound, people)
    needs.seed(compound, people)
    lists.seed(compound, people)


def _votes(lvyuan, guihua, staff, chair, secretary, owner):
    """An open resolution with ballots (the demo owner has not voted yet), a finished one, and an open poll; returns
    the open resolution."""
    from datetime import timedelta

    from portal.compounds.models import Building, Entrance
    from portal.db import utcnow
    from portal.voting import box, lifecycle
    from portal.voting.models import (
        Participation,
        PollOption,
        Secrecy,
        Vote,
        VoteEvent,
        VoteItem,
        VoteKind,
        VoteScope,
        VoteStatus,
        VotingRight,
    )
    from portal.voting.models.vote import Art278Category

    rng = random.Random(2026)
    now = utcnow()

    def vote(compound, kind, title, items=(), options=(), opened_days_ago=2, days=7, secrecy=Secrecy.named, scope=()):
        row = Vote(
            compound_id=compound.id,
            kind=kind,
            title=title,
            secrecy=secrecy,
            description="请业主在投票期内通过本平台投票，或向社区领取书面表决票。",
            opens_at=now - timedelta(days=opened_days_ago),
            closes_at=now - timedelta(days=opened_days_ago) + timedelta(days=days),
            created_by_id=staff.id,
        )
        row.compound = compound
        db.session.add(row)
        db.session.flush()
        row.items = [VoteItem(position=i, title=t, category=c) for i, (t, c) in enumerate(items, start=1)]
        row.options = [PollOption(position=i, label=t) for i, t in enumerate(options, start=1)]
        for building, entrance in scope:  # 表决范围: the owners of these buildings or entrances alone
            b = db.session.scalar(sa.select(Building).filter_by(compound_id=compound.id, name=building))
            e = db.session.scalar(sa.select(Entrance).filter_by(building_id=b.id, name=entrance)) if entrance else None
            row.scope.append(VoteScope(building_id=b.id, entrance_id=e.id if e else None))
        db.session.flush()
        for step in (VoteStatus.announced, VoteStatus.open):
            lifecycle.transition(row, step, staff, reason="演示数据")
        row.opened_at = row.opens_at  # the demo's history: it opened on time
        return row

    def finish(row):
        """Close, post the preliminary and the final result; the demo's history dates each step as it would be."""
        for step in (VoteStatus.closed, VoteStatus.preliminary, VoteStatus.final):
            lifecycle.transition(row, step, staff, reason="演示数据")
        row.closed_at = row.closes_at
        row.preliminary_at = row.closes_at + timedelta(days=1)
        row.final_at = row.preliminary_at + timedelta(days=row.objection_days + 1)
        spread(row, row.opened_at, row.closes_at - timedelta(hours=1))
        for event in db.session.scalars(sa.select(VoteEvent).where(VoteEvent.vote_id == row.id)):
            event.at = {"open": row.opened_at, "closed": row.closed_at, "preliminary": row.preliminary_at,
                        "final": row.final_at}.get(event.to_status, row.opens_at - timedelta(days=16))  # fmt: skip

    def spread(row, start, end):
        """Date the participations as a drive goes: many in the first days, fewer later (the turnout chart shows it)."""
        ids = db.session.scalars(
            sa.select(Participation.id).where(Participation.vote_id == row.id).order_by(Participation.id)
        ).all()
        span = end - start
        dated = [{"pid": pid, "at": start + span * ((n + 1) / len(ids)) ** 2} for n, pid in enumerate(ids)]
        if dated:
            table = Participation.__table__
            db.session.execute(
                table.update().where(table.c.id == sa.bindparam("pid")).values(at=sa.bindparam("at")), dated
            )

    def ballots(row, share, skip=()):
        rights = db.session.scalars(db.select(VotingRight).where(VotingRight.vote_id == row.id)).all()
        for right in rights:
            if right.person_id in skip or rng.random() > share:
                continue
            if row.kind == VoteKind.poll:
                choices = box.Choices({}, options=frozenset({rng.choice(row.options).key}))
            else:
                answers = {i.key: rng.choices(["yes", "no", "abstain", None], [70, 15, 10, 5])[0] for i in row.items}
                choices = box.Choices(answers)
            box.cast(row, right, choices)

    lifts = vote(
        lvyuan,
        VoteKind.resolution,
        "关于使用专项维修资金更换1至3栋电梯的表决",
        items=[
            # Using the fund is an ordinary matter (Art. 278 (5)); raising it would be major (6).
            ("使用专项维修资金约180万元更换1至3栋共6部电梯", Art278Category.use_fund),
            ("授权业委会组织招标并公示结果", Art278Category.other),
        ],
    )
    ballots(lifts, 0.6, skip={owner.id, chair.id})
    spread(lifts, lifts.opened_at, now - timedelta(minutes=5))
    renewal = vote(
        lvyuan,
        VoteKind.resolution,
        "关于续聘物业服务企业的表决",
        items=[("续聘现物业服务企业，合同期三年", Art278Category.property_manager)],
        opened_days_ago=30,
        days=10,
    )
    renewal.closes_at = now + timedelta(minutes=1)
    ballots(renewal, 0.8)
    renewal.closes_at = now - timedelta(days=20)
    finish(renewal)
    # A finished secret vote: its ballots were encrypted until the seal shuffled them into plain rows.
    gates = vote(
        lvyuan,
        VoteKind.resolution,
        "关于小区出入口加装人脸识别门禁的表决（不记名）",
        items=[("在小区南门、北门加装人脸识别门禁，费用由公共收益支出", Art278Category.other)],
        opened_days_ago=45,
        days=10,
        secrecy=Secrecy.secret,
    )
    gates.closes_at = now + timedelta(minutes=1)
    ballots(gates, 0.8)
    gates.closes_at = now - timedelta(days=35)
    finish(gates)
    # Votes of one building or entrance: 3栋's elevators (open), 5栋 2单元's added elevator (finished).
    elevator = vote(
        lvyuan,
        VoteKind.resolution,
        "关于3栋电梯更新的表决",
        items=[
            ("使用3栋分摊的专项维修资金约62万元更新3栋2部电梯", Art278Category.use_fund),
            ("电梯更新期间每日7时至22时保留一部电梯运行", Art278Category.other),
        ],
        opened_days_ago=3,
        days=10,
        scope=[("3栋", None)],
    )
    ballots(elevator, 0.55, skip={owner.id, chair.id})
    spread(elevator, elevator.opened_at, now - timedelta(minutes=5))
    added = vote(
        lvyuan,
        VoteKind.resolution,
        "关于5栋2单元加装电梯的表决",
        items=[("5栋2单元加装电梯一部，费用由本单元业主按楼层分摊", Art278Category.rebuild)],
        opened_days_ago=60,
        days=10,
        scope=[("5栋", "2单元")],
    )
    added.closes_at = now + timedelta(minutes=1)
    ballots(added, 0.9)
    added.closes_at = now - timedelta(days=50)
    finish(added)
    poll = vote(
        guihua, VoteKind.poll, "小区增设电动自行车充电桩的位置", options=("北门停车场", "3栋西侧空地", "地下车库入口")
    )
    ballots(poll, 0.4)
    _election(lvyuan, staff, chair, secretary, now)
    db.session.flush()
    return lifts


def _election(lvyuan, staff, chair, secretary, now) -> None:
    """The next committee election in its nomination phase: two owners stand, one already checked by staff."""
    from datetime import timedelta

    from portal.voting import candidates
    from portal.voting.models import Vote, VoteKind

    election = Vote(
        compound_id=lvyuan.id,
        kind=VoteKind.election,
        title="第二届业主委员会选举",
        description="本届业委会任期届满，现开展换届选举。欢迎符合条件的业主自荐参选。",
        opens_at=now + timedelta(days=30),
        closes_at=now + timedelta(days=37),
        seats=5,
        created_by_id=staff.id,
    )
    election.compound = lvyuan
    db.session.add(election)
    db.session.flush()
    first = candidates.self_nominate(election, chair, "愿继续为小区服务，重点推进电梯更新和停车管理。")
    candidates.check(first, staff, True)
    candidates.self_nominate(election, secretary, "退休教师，时间充裕，愿意为邻里做事。")


def print_logins(echo: Callable[[str], None], passwords: dict[str, str] | None = None) -> None:
    """Print the demo logins: all with the shared password, or each with its own."""
    if passwords:
        echo("demo logins, each with its own password (shown only now; they are stored hashed):")
        for account, _name, what in LOGINS:
            echo(f"  {account:<10} {passwords[account]:<14} {what}")
        return
    echo(f"demo logins (password for all: {DEMO_PASSWORD}):")
    for account, _name, what in LOGINS:
        echo(f"  {account:<10} {what}")
