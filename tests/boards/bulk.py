"""Fill a compound's board fast (bulk inserts, fast on PostgreSQL too): for the query-count test and `make bench`.

    fill(compound, commitments=1000, ratings=5000)

adds that many pledges in every state (a tenth overdue, a fifth fulfilled, a tenth withdrawn, the rest in progress;
a few community-wide), a progress update on every third one, and `ratings` ratings spread evenly over the new
pledges by distinct raters. It can be called again to add more. The caller commits.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from portal.accounts.models import Person
from portal.boards import rules
from portal.boards.models import Category, Commitment, CommitmentStatus, Organisation, OrgKind, Progress, Rating
from portal.db import utcnow
from portal.extensions import db
from portal.roles.models import Membership, Role

ORGANISATIONS = 4
CATEGORIES = list(Category)


def _organisations(compound) -> list[int]:
    """The bulk organisations serving the compound (made on the first call)."""
    names = [f"批量单位{compound.id}-{i}" for i in range(ORGANISATIONS)]
    ids = list(db.session.scalars(sa.select(Organisation.id).where(Organisation.name.in_(names))))
    if ids:
        return ids
    rows = [
        {"community_id": compound.community_id, "compound_id": compound.id if i else None, "kind": OrgKind.cobuilder,
         "name": name, "duty": "", "contact": ""}
        for i, name in enumerate(names)
    ]  # fmt: skip
    return list(
        db.session.scalars(sa.insert(Organisation).returning(Organisation.id, sort_by_parameter_order=True), rows)
    )


def _people(compound, prefix: str, count: int) -> list[int]:
    """`count` people of the compound named prefix0..., the ones from earlier calls reused (no password)."""
    accounts = [f"{prefix}{compound.id}-{i}" for i in range(count)]
    found = dict(
        db.session.execute(sa.select(Person.account_no, Person.id).where(Person.account_no.in_(accounts))).all()
    )
    new = [{"name": f"{prefix}{i}", "account_no": a} for i, a in enumerate(accounts) if a not in found]
    if new:
        ids = db.session.scalars(sa.insert(Person).returning(Person.id, sort_by_parameter_order=True), new)
        made = dict(zip([row["account_no"] for row in new], ids, strict=True))
        db.session.execute(
            sa.insert(Membership),
            [{"person_id": pid, "compound_id": compound.id, "role": Role.owner} for pid in made.values()],
        )
        found |= made
    return [found[a] for a in accounts]


def fill(compound, commitments: int = 1000, ratings: int = 5000) -> None:
    """Add `commitments` pledges and `ratings` ratings to the compound's board (see the module's docstring)."""
    if commitments <= 0:
        return
    organisations = _organisations(compound)
    pledger = _people(compound, "批量承诺人", 1)[0]
    per = -(-ratings // commitments)  # raters needed per pledge
    raters = _people(compound, "批量评价人", per) if ratings else []
    today = rules.today_in_shanghai()
    now = utcnow()
    rows = []
    for n in range(commitments):
        kind = n % 10
        status = CommitmentStatus.in_progress
        if kind in (1, 2):
            status = CommitmentStatus.fulfilled
        elif kind == 3:
            status = CommitmentStatus.withdrawn
        due = today + timedelta(days=(n % 90) + 1) if kind != 0 else today - timedelta(days=(n % 30) + 1)
        rows.append({
            "community_id": compound.community_id,
            "compound_id": None if n % 25 == 0 else compound.id,
            "organisation_id": organisations[n % len(organisations)] if n % 7 else None,
            "pledger_id": pledger,
            "title": f"承诺{n}：更换楼道灯",
            "target": "全部楼道灯亮起，由楼长验收。" * 3,
            "category": CATEGORIES[n % len(CATEGORIES)],
            "due_on": due,
            "status": status,
            "fulfilled_at": now - timedelta(hours=n) if status == CommitmentStatus.fulfilled else None,
            "fulfilled_note": "已完成" if status == CommitmentStatus.fulfilled else None,
            "withdrawn_at": now - timedelta(hours=n) if status == CommitmentStatus.withdrawn else None,
            "withdrawn_reason": "条件不具备" if status == CommitmentStatus.withdrawn else None,
            "created_at": now - timedelta(minutes=n),
            "changed_at": now,
        })  # fmt: skip
    ids = list(db.session.scalars(sa.insert(Commitment).returning(Commitment.id, sort_by_parameter_order=True), rows))
    updates = [{"commitment_id": cid, "author_id": pledger, "body": "进度过半", "created_at": now} for cid in ids[::3]]
    if updates:
        db.session.execute(sa.insert(Progress), updates)
    stars = [
        {"commitment_id": ids[k % commitments], "person_id": raters[k // commitments], "stars": (k * 7) % 5 + 1,
         "comment": "" if k % 4 else "不错", "created_at": now, "changed_at": now}
        for k in range(ratings)
    ]  # fmt: skip
    if stars:
        db.session.execute(sa.insert(Rating), stars)
    db.session.flush()
