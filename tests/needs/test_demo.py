"""The demo requests: one at each step, one flagged for 督办, none showing a name publicly."""

from __future__ import annotations

from portal.extensions import db
from portal.needs import demo, services
from portal.needs.models import Need, NeedStatus


def test_demo_requests(client, town):
    demo.seed(town.compound, {"owner": town.requester, "resident": town.neighbour, "volunteer": town.volunteer,
                              "staff": town.staff, "manager": town.manager})  # fmt: skip
    db.session.commit()
    statuses = sorted(n.status.value for n in db.session.scalars(db.select(Need)))
    assert statuses == sorted(["closed", "open", "submitted", "taken", "declined"])
    flagged, total = services.supervision(town.compound)
    assert total == 1 and flagged[0].status == NeedStatus.taken and flagged[0].taker_org_id == town.org.id
    page = client.get("/c/lvyuan/needs/").get_data(as_text=True)
    assert "帮忙更换厨房灯泡" in page and "求助人王阿姨" not in page and "邻居李" not in page
