"""Demo requests and micro-wishes for one compound, one at each step of the flow, built through the same services
people use, then moved back in time so that the timeline reads naturally and one request is flagged for 督办.

Called from portal/demo.py as `needs.seed(lvyuan, {"owner": owner, "resident": resident, "volunteer": volunteer,
"staff": staff})` (a "manager" who belongs to an organisation serving the compound is optional); the caller commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from flask import current_app

from portal.boards.models import Category
from portal.extensions import db
from portal.needs import access, services
from portal.needs.models import Need, NeedEvent, NeedKind


def seed(compound, people: Mapping) -> None:
    """Five requests: closed and rated, open for volunteers, waiting for review, dispatched and flagged for 督办,
    declined."""
    owner, volunteer, staff = people["owner"], people["volunteer"], people["staff"]
    resident = people.get("resident") or owner
    with current_app.test_request_context():  # notifications carry links built with url_for
        wish = _post(compound, owner, NeedKind.wish, Category.elderly, "帮忙更换厨房灯泡",
                     "家里厨房的灯泡坏了，年纪大了不方便爬高，想请志愿者帮忙换一下。", public=True)  # fmt: skip
        services.accept(wish, staff)
        services.take(wish, volunteer, person=volunteer, note="我周六上午过来")
        services.mark_done(wish, volunteer, "已换好新的节能灯泡，试过了，很亮。")
        services.confirm(wish, owner, 5, "小伙子很热心，谢谢！")
        _move_back(wish, timedelta(days=10))

        walk = _post(compound, resident, NeedKind.wish, Category.health, "周末陪老人去医院复查",
                     "家中老人下周六需要去区医院复查，子女在外地，希望有志愿者陪同。", public=True)  # fmt: skip
        services.accept(walk, staff, "已受理，欢迎志愿者认领")
        _move_back(walk, timedelta(days=1))

        _post(compound, owner, NeedKind.request, Category.repair, "3栋2单元楼道声控灯不亮",
              "3栋2单元5至8楼的楼道声控灯一直不亮，晚上上下楼很不安全。", public=False)  # fmt: skip

        parking = _post(compound, resident, NeedKind.request, Category.traffic, "消防通道经常被私家车占用",
                        "东门消防通道晚上经常停着私家车，希望物业加强管理。", public=True)  # fmt: skip
        company = next((o for o in access.serving(compound) if o.kind == "property_company"), None)
        if company is not None:
            services.accept(parking, staff, "请物业在一周内处理", org=company)
        else:
            services.accept(parking, staff, "请志愿者协助劝导", person=volunteer)
        _move_back(parking, timedelta(days=5))  # untouched for 5 days: flagged for 督办 on the staff page

        dog = _post(compound, resident, NeedKind.request, Category.other, "希望小区里养狗都拴绳",
                    "晚上遛狗不拴绳的太多了，小孩害怕。", public=True)  # fmt: skip
        services.decline(dog, staff, "这属于文明养犬倡议，社区将在公告栏发倡议书，不单独受理。")
        _move_back(dog, timedelta(days=3))
    db.session.flush()


def _post(compound, requester, kind, category, title, description, public) -> Need:
    return services.post(
        compound, requester, kind=kind, category=category, title=title, description=description, is_public=public
    )


def _move_back(need: Need, by: timedelta) -> None:
    """Make a demo request's last step `by` ago, the earlier steps a few hours apart before it."""
    db.session.flush()
    events = list(db.session.scalars(db.select(NeedEvent).where(NeedEvent.need_id == need.id).order_by(NeedEvent.id)))
    for i, event in enumerate(events):
        event.at = event.at - by - timedelta(hours=5 * (len(events) - 1 - i))
    need.created_at = events[0].at if events else need.created_at - by
    need.last_step_at = events[-1].at if events else need.last_step_at - by
    if need.closed_at is not None:
        need.closed_at = need.last_step_at
    db.session.flush()
