"""Builders of test data (the `make` fixture's), for fixtures of any scope.

In a module of its own: pytest imports tests/conftest.py both as `conftest` and as `tests.conftest`, and the one
counter behind account numbers and slugs must be shared by every set of builders.
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import sqlalchemy as sa

from portal.extensions import db

_numbers = itertools.count(1)  # shared by every set of builders: a module's data and a test's never clash


def builders(password_hash: str) -> SimpleNamespace:
    """The builders of `make`, for fixtures of any scope (inside an app context whose session is bound)."""
    from decimal import Decimal

    from portal.accounts.models import Person
    from portal.compounds.models import AreaSource, Building, Community, Compound, Entrance, Unit
    from portal.register.models import Ownership
    from portal.roles.models import CommitteePost, CommunityStaff, Membership, Role

    counter = _numbers

    def community(name=None):
        row = Community(name=name or f"社区{next(counter)}")
        db.session.add(row)
        db.session.commit()
        return row

    def compound(slug=None, name=None, community_=None):
        row = Compound(
            slug=slug or f"c{next(counter)}", name=name or f"小区{next(counter)}", community=community_ or community()
        )
        db.session.add(row)
        db.session.commit()
        return row

    def person(name=None, account_no=None, active=True, admin=False, **kw):
        n = next(counter)
        if active and kw.get("phone") and "login_phone" not in kw:
            kw["login_phone"] = kw["phone"]  # an activated account logs in with its phone, as after migration 0011
        row = Person(
            name=name or f"测试{n}",
            account_no=account_no or f"t{n:06d}",
            password_hash=password_hash if active else None,
            is_platform_admin=admin,
            **kw,
        )
        db.session.add(row)
        db.session.commit()
        return row

    def member(person_, compound_, role="owner", post=None):
        row = Membership(
            person_id=person_.id,
            compound_id=compound_.id,
            role=Role(role),
            post=CommitteePost(post) if post else (CommitteePost.member if role == "committee" else None),
        )
        db.session.add(row)
        db.session.commit()
        return row

    def staff(person_, community_):
        db.session.add(CommunityStaff(person_id=person_.id, community_id=community_.id))
        db.session.commit()

    def unit(compound_, room="101", area="88.50", building="1栋", entrance="1单元", owners=(), voter=0):
        b = db.session.scalar(sa.select(Building).filter_by(compound_id=compound_.id, name=building))
        if b is None:
            b = Building(compound_id=compound_.id, name=building)
            db.session.add(b)
            db.session.flush()
        e = None
        if entrance:
            e = db.session.scalar(sa.select(Entrance).filter_by(building_id=b.id, name=entrance))
            if e is None:
                e = Entrance(building_id=b.id, name=entrance)
                db.session.add(e)
                db.session.flush()
        row = Unit(
            compound_id=compound_.id,
            building_id=b.id,
            entrance_id=e.id if e else None,
            room=room,
            unit_key=f"{building}|{entrance or ''}|{room}",
            area_m2=Decimal(area),
            area_source=AreaSource.registered,
        )
        db.session.add(row)
        db.session.flush()
        for i, owner in enumerate(owners):
            db.session.add(Ownership(unit_id=row.id, person_id=owner.id, is_designated_voter=(i == voter)))
        db.session.commit()
        return row

    return SimpleNamespace(community=community, compound=compound, person=person, member=member, staff=staff, unit=unit)
