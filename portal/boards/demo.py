"""Demo board for 绿园小区: the organisations of the demo community (业委会, 物业公司, 社区党委, 小区党支部, a
co-building hospital) with members from the demo people, eight pledges in every state (one overdue, one fulfilled
late, one withdrawn, two community-wide), progress with a photo, and ratings. Built through the same services people
use, then (for the finished ones) moved back in time."""

from __future__ import annotations

import struct
import zlib
from datetime import date, timedelta
from io import BytesIO
from secrets import token_urlsafe

from werkzeug.datastructures import FileStorage

from portal import permissions
from portal.accounts.models import Person
from portal.boards import access, photos, rules, services
from portal.boards.models import Category, Commitment, OrgKind, Progress
from portal.extensions import db
from portal.security import hash_password


def tiny_png(rgb: tuple[int, int, int] = (46, 125, 50), size: int = 8) -> bytes:
    """A real PNG of one colour (a stand-in photo for demos and tests)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def seed(compound, people: dict) -> None:
    """The demo board of `compound` (the caller commits). `people` maps staff, chair, secretary, manager, owner,
    resident and volunteer to demo Persons (volunteer may be missing)."""
    staff, chair, manager = people["staff"], people["chair"], people["manager"]
    community = compound.community
    # An account nobody has been given (a random password): it acts for the hospital on the board only.
    doctor = Person(name="社区医院 林医生", account_no="demo-doctor", password_hash=hash_password(token_urlsafe()))
    db.session.add(doctor)
    db.session.flush()

    def org(kind, name, duty, contact, members, serves_one=True):
        made = services.create_organisation(
            community, staff, kind=kind, name=name, duty=duty, contact=contact,
            compound=compound if serves_one else None,
        )  # fmt: skip
        for person, title, lead in members:
            services.add_member(made, staff, person, title, lead)
        return made

    committee = org(
        OrgKind.committee, f"{compound.name}业主委员会", "召集业主大会，监督物业服务，管理公共收益。",
        "业委会办公室（3栋一楼）", [(chair, "主任", True), (people["secretary"], "秘书", False)],
    )  # fmt: skip
    company = org(
        OrgKind.property_company, "绿园物业服务有限公司", "小区保洁、绿化、秩序维护和公共设施维修。",
        "物业服务中心 010-6000 1234", [(manager, "项目经理", True)],
    )  # fmt: skip
    party = org(
        OrgKind.party_org, "阳光社区党委", "领导社区治理，统筹共建单位资源，督办居民诉求。",
        "社区党群服务中心", [(staff, "党委委员", True)], serves_one=False,
    )  # fmt: skip
    volunteer = people.get("volunteer")
    branch_members = [(chair, "支部书记", True)] + ([(volunteer, "在职党员", False)] if volunteer else [])
    org(OrgKind.party_branch, f"{compound.name}党支部", "组织党员亮身份、认领微心愿。", "", branch_members)
    hospital = org(
        OrgKind.cobuilder, "社区卫生服务中心", "为辖区老人提供健康咨询和上门随访。", "门诊部 010-6000 5678",
        [(doctor, "全科医生", True)], serves_one=False,
    )  # fmt: skip

    today = rules.today_in_shanghai()

    def pledge(actor, organisation, title, target, category, days, wide=False):
        return services.pledge(
            compound, actor, organisation=organisation, title=title, target=target, category=category,
            due_on=today + timedelta(days=days), community_wide=wide,
        )  # fmt: skip

    lights = pledge(
        manager, company, "更换3栋楼道感应灯", "3栋1至18层共36盏感应灯全部亮起，由楼长验收。", Category.repair, 20
    )
    services.add_progress(lights, manager, "已更换1至9层18盏，下周完成其余楼层。", _photo("楼道灯.png"))
    pledge(manager, company, "地下车库积水治理", "雨后两小时内车库无积水，加装两台排水泵。", Category.traffic, 45)
    overdue = pledge(
        chair, committee, "公示上半年公共收益", "在公告栏和本网站公示上半年停车费、广告费收支明细。",
        Category.other, 10,
    )  # fmt: skip
    services.add_progress(overdue, chair, "已向物业索取收支明细，等待对方提供。")
    _move_back(overdue, days=30)  # due 20 days ago, still in progress: overdue
    green = pledge(manager, company, "补种中心花园草坪", "补种200平方米草坪，成活率90%以上。", Category.greening, 5)
    services.add_progress(green, manager, "草皮已到货，本周末补种。")
    services.fulfil(green, manager, "已补种210平方米，浇水养护中。")
    _move_back(green, days=15)
    late = pledge(staff, party, "组织垃圾分类督导", "每栋楼早晚各一名督导员，连续四周。", Category.environment, 7, True)
    services.fulfil(late, staff, "四周督导完成，共出动志愿者96人次。")
    _move_back(late, days=20, fulfilled_days=10)  # fulfilled 3 days after its due date
    pledge(
        doctor, hospital, "每月一次老人健康义诊", "每月第二个周六上午在社区活动室义诊，测血压血糖。",
        Category.health, 90, True,
    )  # fmt: skip
    withdrawn = pledge(chair, committee, "增设电动车充电桩", "在2栋北侧增设20个充电口。", Category.safety, 60)
    services.withdraw(withdrawn, chair, "供电部门答复现有线路容量不足，改为与供电所协商扩容后重新承诺。")
    if volunteer is not None:
        pledge(volunteer, None, "每周为独居老人代买一次菜", "结对5户独居老人，每周六上午代买。", Category.elderly, 30)

    raters = [people[k] for k in ("owner", "resident", "secretary") if k in people]
    permissions.forget_roles()
    for commitment, stars in ((green, (5, 4, 5)), (late, (4, 3, 4)), (lights, (4, 5, 3)), (overdue, (2, 1, 3))):
        for person, n in zip(raters, stars, strict=False):
            if access.can_rate(person, commitment, compound):  # not one's own pledge, and living here
                services.rate(commitment, person, compound, n, "谢谢！" if n >= 4 else "")


def _photo(name: str) -> list:
    return photos.check_all([FileStorage(BytesIO(tiny_png()), filename=name, content_type="image/png")])


def _move_back(commitment: Commitment, days: int, fulfilled_days: int | None = None) -> None:
    """Shift a demo pledge back in time: made, due and updated `days` earlier (fulfilled `fulfilled_days` ago)."""
    by = timedelta(days=days)
    commitment.created_at -= by
    commitment.due_on = date.fromordinal(commitment.due_on.toordinal() - days)
    for update in db.session.scalars(db.select(Progress).where(Progress.commitment_id == commitment.id)):
        update.created_at -= by
    if commitment.fulfilled_at is not None:
        commitment.fulfilled_at -= timedelta(days=fulfilled_days) if fulfilled_days is not None else by
    db.session.flush()
