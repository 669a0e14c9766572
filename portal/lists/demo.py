"""Demo three lists (三张清单) for one compound: resources of a co-building library (and of the hospital and the
property company when the board's demo made them), one withdrawn; two needs of residents met both ways (one matched
to a resource by staff, one claimed by the property company and completed); and a project staff set up directly.
Built through the same services people use.

Called from portal/demo.py after the board's and the requests' demos (it uses their organisations when they are
there) as `lists.seed(lvyuan, {"staff": staff, "owner": owner, "resident": resident, "manager": manager})`
("manager" is optional: a member of the property company); the caller commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from io import BytesIO

from flask import current_app
from werkzeug.datastructures import FileStorage

from portal.boards import photos
from portal.boards import services as boards
from portal.boards.models import Category, Organisation, OrgKind
from portal.extensions import db
from portal.lists import access, services
from portal.needs import services as needs
from portal.needs.models import NeedKind

LIBRARY = "区图书馆阳光分馆"


def seed(compound, people: Mapping) -> None:
    """Four resources (one withdrawn), three projects (matched, claimed and completed, set up by staff)."""
    staff, resident = people["staff"], people.get("resident") or people["owner"]
    owner, manager = people["owner"], people.get("manager")
    serving = access.serving(compound)
    hospital = next((o for o in serving if o.kind == OrgKind.cobuilder), None)
    company = next((o for o in serving if o.kind == OrgKind.property_company), None)
    library = _library(compound, staff)
    with current_app.test_request_context():  # notifications carry links built with url_for
        reading = services.offer(
            compound, staff, organisation=library, category=Category.children, title="周末少儿阅读课",
            description="每周六下午2点至4点，在社区活动室为6至12岁儿童开展绘本阅读和讲故事活动。",
            capacity="每次20个孩子", community_wide=True,
        )  # fmt: skip
        phones = services.offer(
            compound, staff, organisation=library, category=Category.elderly, title="老年人智能手机课堂",
            description="教老年人用手机挂号、视频通话、防范电信诈骗。", capacity="每月两次，每次15人",
            community_wide=True,
        )  # fmt: skip
        services.withdraw(
            services.offer(compound, staff, organisation=library, category=Category.culture, title="流动书车进小区"),
            staff,
            compound,
        )
        if hospital is not None:
            services.offer(
                compound, staff, organisation=hospital, category=Category.health, title="独居老人上门健康随访",
                description="家庭医生每月上门一次，测血压血糖，建立健康档案。", capacity="每月30户",
                community_wide=True,
            )  # fmt: skip

        # 资源对接: a resident's need matched by staff to the library's reading class.
        books = _accepted(compound, resident, staff, "孩子周末没有地方看书", Category.children,
                          "双职工家庭，周末孩子只能在家看电视，希望小区附近有读书的地方。")  # fmt: skip
        project = services.match(books, reading, staff, title="周末少儿阅读进小区", note="本周六起孩子可来活动室参加")
        services.add_update(project, staff, "第一次阅读课来了14个孩子，家长反映很好。", _photo("阅读课.png"))

        # 认领: the property company claims a need and completes it (its requester is asked to confirm).
        if company is not None and manager is not None:
            bench = _accepted(compound, owner, staff, "中心花园的长椅坏了", Category.repair,
                              "中心花园东侧两张长椅木条断裂，老人坐着不安全。")  # fmt: skip
            fixed = services.claim(bench, company, manager, "本周内更换木条")
            services.add_update(fixed, manager, "已采购防腐木条，周四施工。")
            services.complete(fixed, manager, "两张长椅已更换全部木条并刷漆。")

        # Set up by staff: a project using the library's phone class, not tied to one need.
        class_project = services.create_project(
            compound, staff, title="银龄手机课堂（第一期）", resource=phones,
            description="第一期四次课，重点教挂号和防诈骗。",
        )  # fmt: skip
        services.add_update(class_project, staff, "已报名12位老人，第一次课定在下周二上午。")
    db.session.flush()


def _library(compound, staff) -> Organisation:
    """The demo's own co-building unit (the board's demo does not make a library)."""
    found = db.session.scalar(
        db.select(Organisation).where(Organisation.community_id == compound.community_id, Organisation.name == LIBRARY)
    )
    if found is not None:
        return found
    return boards.create_organisation(
        compound.community, staff, kind=OrgKind.cobuilder, name=LIBRARY,
        duty="为辖区居民提供图书借阅、阅读推广和数字技能培训。", contact="分馆服务台 010-6000 2468",
    )  # fmt: skip


def _accepted(compound, requester, staff, title, category, description):
    """A public request posted by a resident and accepted by staff (open for a taker)."""
    need = needs.post(
        compound, requester, kind=NeedKind.request, category=category, title=title, description=description,
        is_public=True,
    )  # fmt: skip
    needs.accept(need, staff)
    return need


def _photo(name: str) -> list:
    from portal.boards.demo import tiny_png

    return photos.check_all([FileStorage(BytesIO(tiny_png((255, 193, 7))), filename=name, content_type="image/png")])
