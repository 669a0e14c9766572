"""Demo data of the turnout drive: a captain of 1栋 in 绿园小区 and a few visits recorded for the open vote."""

from __future__ import annotations

from datetime import timedelta

from portal.compounds.models import Unit
from portal.drive import access, services
from portal.drive.models import VisitOutcome
from portal.extensions import db

# (outcome, note, hours ago) of the first units of the captain's list that have not voted.
VISITS = [
    (VisitOutcome.not_home, "", 30),
    (VisitOutcome.reached, "老人不会用手机，儿子周末回来帮忙投", 26),
    (VisitOutcome.paper, "要书面表决票，周六上门送", 5),
    (VisitOutcome.refused, "对电梯更换方案有意见", 3),
    (VisitOutcome.not_home, "", 2),
]


def seed(compound, vote, captain, staff) -> None:
    """Name `captain` captain of the compound's first building and record VISITS at its first non-voters."""
    building = services.places(compound)[0][0]
    services.assign(compound, captain, building, None, staff)
    doors = services.doors(vote, building, access.Scope(None))
    for door, (outcome, note, hours) in zip(doors, VISITS, strict=False):
        unit = db.session.get(Unit, door.unit_id)
        visit = services.record_visit(vote, unit, captain, outcome, note)
        visit.at -= timedelta(hours=hours)
    # The second visit at the first door, by staff: the log shows who went when.
    if doors:
        unit = db.session.get(Unit, doors[0].unit_id)
        services.record_visit(vote, unit, staff, VisitOutcome.reached, "电话联系上了，说今晚投")
    db.session.flush()
