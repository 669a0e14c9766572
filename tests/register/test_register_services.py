"""Applying a register to the database: rows created, kept in step, compared, and never half written."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from register_files import csv, row

from portal.accounts.models import Person
from portal.audit import AuditEvent
from portal.compounds.models import AreaSource, Building, Entrance, Unit
from portal.compounds.services import totals
from portal.extensions import db
from portal.register import importer, services
from portal.register.models import Ownership
from portal.roles.models import Membership, Role


def owners_of(compound, room: str) -> list[tuple[str, bool]]:
    """(owner key, designated voter) of each owner of the room."""
    unit = db.session.scalar(db.select(Unit).where(Unit.compound_id == compound.id, Unit.room == room))
    return sorted((o.person.owner_key, o.is_designated_voter) for o in unit.ownerships)


def person(compound, key: str) -> Person:
    """The person with this owner key in the compound."""
    return db.session.scalar(db.select(Person).where(Person.key_compound_id == compound.id, Person.owner_key == key))


def owner_role_holders(compound) -> list[str]:
    """Names of everyone holding the owner role in the compound."""
    rows = db.session.scalars(
        db.select(Person.name)
        .join(Membership, Membership.person_id == Person.id)
        .where(Membership.compound_id == compound.id, Membership.role == Role.owner)
    )
    return sorted(rows)


def check(compound, data: bytes):
    """Parse a valid file and compare it with the compound: (parsed, diff)."""
    parsed = importer.parse(data)
    assert not parsed.errors
    return parsed, services.diff(compound, parsed)


FIRST = csv(
    row("101", "K1", "张三", phone="13800138000"),
    row("101", "K2", "李四", voter="1"),
    row("102", "K1", "张三", area="120.35"),
    row("201", "K3", "王五", building="2栋", entrance=""),
    row("1", "DEV", "绿园置业", building="9栋", source="contract", developer="1"),
    row("2", "DEV", "绿园置业", building="9栋", source="contract", developer="1"),
)


def test_first_import_creates_places_units_people_ownerships_and_owner_roles(make, imported):
    compound = make.compound()
    result = imported(compound, FIRST)
    assert (len(result.added_units), len(result.added_owners)) == (5, 4)

    assert sorted(db.session.scalars(db.select(Building.name).where(Building.compound_id == compound.id))) == [
        "1栋",
        "2栋",
        "9栋",
    ]
    assert db.session.scalar(db.select(db.func.count()).select_from(Entrance)) >= 2
    unit = db.session.scalar(db.select(Unit).where(Unit.unit_key == "1栋|1单元|102", Unit.compound_id == compound.id))
    assert (unit.area_m2, unit.area_source, unit.label) == (Decimal("120.35"), AreaSource.registered, "1栋 1单元 102")
    assert db.session.scalar(db.select(Unit).where(Unit.unit_key == "2栋||201")).entrance_id is None

    zhang = person(compound, "K1")
    assert (zhang.name, zhang.phone, zhang.is_developer) == ("张三", "13800138000", False)
    assert len(zhang.account_no) == 8 and zhang.account_no.isdigit() and zhang.password_hash is None
    assert owner_role_holders(compound) == ["张三", "李四", "王五", "绿园置业"]

    event = db.session.scalars(db.select(AuditEvent).where(AuditEvent.compound_id == compound.id)).one()
    assert event.action == "register.imported" and event.actor_id is None
    assert json.loads(event.detail)["units_added"] == 5


def test_co_owners_and_the_designated_voter(make, imported):
    compound = make.compound()
    imported(compound, FIRST)
    assert owners_of(compound, "101") == [("K1", False), ("K2", True)]  # the row marked designated_voter
    assert owners_of(compound, "102") == [("K1", True)]


def test_the_first_row_votes_when_no_co_owner_is_designated(make, imported):
    compound = make.compound()
    imported(compound, csv(row(key="K2", name="李四"), row(key="K1")))
    assert owners_of(compound, "101") == [("K1", False), ("K2", True)]


def test_an_owner_of_several_units_is_one_person_and_one_head(make, imported):
    compound = make.compound()
    imported(compound, FIRST)
    zhang = person(compound, "K1")
    assert len(zhang.ownerships) == 2
    assert db.session.scalar(db.select(db.func.count()).select_from(Person).where(Person.name == "张三")) == 1
    # Heads: K2 votes for 101, K1 for 102, K3, and the developer once for both its units.
    assert totals(compound).heads == 4
    assert totals(compound).area_m2 == Decimal("88.50") * 4 + Decimal("120.35")


def test_the_developers_units_belong_to_one_developer_person(make, imported):
    compound = make.compound()
    imported(compound, FIRST)
    developers = db.session.scalars(
        db.select(Person).where(Person.key_compound_id == compound.id, Person.is_developer.is_(True))
    ).all()
    assert [p.owner_key for p in developers] == ["DEV"]
    assert sorted(o.unit.room for o in developers[0].ownerships) == ["1", "2"]


def test_the_same_file_twice_changes_nothing(make, imported, counts):
    compound = make.compound()
    imported(compound, FIRST)
    before = counts()
    parsed, diff = check(compound, FIRST)
    assert diff.is_empty
    assert services.apply(compound, parsed, actor=None).is_empty
    db.session.flush()
    assert counts() == before  # no rows and no audit line either
    assert not db.session.dirty and not db.session.new and not db.session.deleted


def test_utf8_gbk_and_bom_files_import_to_the_same_register(make, imported, counts):
    text = FIRST.decode()
    compound = make.compound()
    imported(compound, text.encode("gbk"))
    for data in (text.encode(), b"\xef\xbb\xbf" + text.encode()):
        assert check(compound, data)[1].is_empty


def test_apply_flushes_but_never_commits(make, database):
    compound = make.compound()
    services.apply(compound, importer.parse(FIRST), actor=None)
    assert db.session.scalar(db.select(db.func.count()).select_from(Unit)) == 5
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(Unit)) == 0


def test_a_changed_register_shows_each_change(make, imported):
    compound = make.compound()
    imported(compound, FIRST)
    changed = csv(
        row("101", "K1", "张三", area="89.00", phone="13900139000", voter="1"),  # area, phone; K1 votes now
        row("102", "K1", "张三", area="120.35", source="surveyed"),  # area source
        row("201", "K4", "赵六", building="2栋", entrance=""),  # K3 sold to K4
        row("1", "DEV", "绿园置业有限公司", building="9栋", source="contract", developer="1"),  # renamed; unit 2 sold
        row("3", "K5", "孙七", building="9栋"),  # new unit
    )
    _parsed, diff = check(compound, changed)
    assert [u.key for u in diff.added_units] == ["9栋|1单元|3"]
    assert [(u.key, u.owners) for u in diff.removed_units] == [("9栋|1单元|2", ("绿园置业",))]
    changes = {u.key: {c.field: (c.old, c.new) for c in u.changes} for u in diff.changed_units}
    assert changes["1栋|1单元|101"] == {
        "area_m2": (Decimal("88.50"), Decimal("89.00")),
        "owners": (("张三", "李四"), ("张三",)),
        "voter": ("李四", "张三"),
    }
    assert changes["1栋|1单元|102"] == {"area_source": ("registered", "surveyed")}
    assert changes["2栋||201"] == {"owners": (("王五",), ("赵六",)), "voter": ("王五", "赵六")}
    assert "9栋|1单元|1" not in changes
    assert sorted(o.key for o in diff.added_owners) == ["K4", "K5"]
    assert sorted(o.key for o in diff.removed_owners) == ["K2", "K3"]
    owner_changes = {o.key: {c.field: (c.old, c.new) for c in o.changes} for o in diff.changed_owners}
    assert owner_changes == {
        "K1": {"phone": ("13800138000", "13900139000")},
        "DEV": {"name": ("绿园置业", "绿园置业有限公司")},
    }
    assert not diff.roles_granted and not diff.roles_revoked

    # Nothing is written until apply.
    assert owners_of(compound, "101") == [("K1", False), ("K2", True)]
    parsed, diff = check(compound, changed)
    services.apply(compound, parsed, actor=None)
    assert owners_of(compound, "101") == [("K1", True)]
    assert owners_of(compound, "201") == [("K4", True)]
    assert person(compound, "K1").phone == "13900139000"
    assert person(compound, "DEV").name == "绿园置业有限公司"
    assert db.session.scalar(db.select(Unit).where(Unit.unit_key == "9栋|1单元|2")) is None
    assert check(compound, changed)[1].is_empty


def test_owner_roles_follow_the_register_and_removed_owners_keep_their_person(make, imported):
    compound = make.compound()
    imported(compound, FIRST)
    li = person(compound, "K2")
    make.member(li, compound, "committee")  # another role that must survive
    imported(
        compound, csv(row("101", "K1", "张三"), row("102", "K1", "张三", area="120.35"), row("301", "K9", "新业主"))
    )
    assert owner_role_holders(compound) == ["张三", "新业主"]
    assert db.session.get(Person, li.id) is not None
    roles = db.session.scalars(db.select(Membership.role).where(Membership.person_id == li.id)).all()
    assert roles == [Role.committee]
    # Every owner holds exactly one owner membership.
    counted = db.session.execute(
        db.select(Membership.person_id, db.func.count())
        .where(Membership.compound_id == compound.id, Membership.role == Role.owner)
        .group_by(Membership.person_id)
    ).all()
    assert all(n == 1 for _pid, n in counted) and len(counted) == 2

    # An owner who comes back is the same person again.
    imported(compound, FIRST)
    assert person(compound, "K2").id == li.id and "李四" in owner_role_holders(compound)


def test_owner_roles_out_of_step_are_repaired(make, imported):
    compound = make.compound()
    imported(compound, FIRST)
    stray = make.person("无房者")
    make.member(stray, compound, "owner")
    zhang = person(compound, "K1")
    db.session.execute(db.delete(Membership).where(Membership.person_id == zhang.id))
    db.session.commit()
    parsed, diff = check(compound, FIRST)
    assert (diff.roles_granted, diff.roles_revoked) == (("张三",), ("无房者",))
    assert not diff.is_empty
    services.apply(compound, parsed, actor=None)
    assert "无房者" not in owner_role_holders(compound) and "张三" in owner_role_holders(compound)


def test_owners_not_made_by_an_import_are_replaced(make, imported):
    compound = make.compound()
    earlier = make.person("旧业主")
    make.member(earlier, compound)
    make.unit(compound, "101", owners=[earlier])
    _parsed, diff = check(compound, csv(row()))
    assert [(o.key, o.name) for o in diff.removed_owners] == [(None, "旧业主")]
    assert [c.field for c in diff.changed_units[0].changes] == ["owners", "voter"]
    imported(compound, csv(row()))
    assert owners_of(compound, "101") == [("K1", True)]
    assert owner_role_holders(compound) == ["张三"]


def test_an_empty_phone_cell_keeps_the_phone_the_person_has(make, imported):
    compound = make.compound()
    imported(compound, csv(row()))
    person(compound, "K1").phone = "13700137000"  # given at activation
    db.session.commit()
    assert check(compound, csv(row()))[1].is_empty
    imported(compound, csv(row(), row("102", "K2", "李四")))
    assert person(compound, "K1").phone == "13700137000"


def test_a_phone_someone_logs_in_with_does_not_stop_the_register(make, imported):
    """The register's phone is contact data: a login phone of another account neither blocks nor moves."""
    compound = make.compound()
    other = make.person("别人", phone="13800138000")
    imported(compound, csv(row("101", "K1"), row("102", "K2", "李四", phone="13800138000")))
    assert person(compound, "K2").phone == "13800138000" and person(compound, "K2").login_phone is None
    assert db.session.get(Person, other.id).login_phone == "13800138000"


def test_a_removed_owners_phone_may_be_given_to_another_owner(make, imported):
    compound = make.compound()
    imported(compound, csv(row(phone="13800138000")))
    imported(compound, csv(row(key="K2", name="李四", phone="13800138000")))
    assert person(compound, "K1").phone == person(compound, "K2").phone == "13800138000"


def test_phones_may_move_between_owners_of_the_file(make, imported):
    compound = make.compound()
    imported(compound, csv(row("101", "K1", phone="13800138000"), row("102", "K2", "李四", phone="13900139000")))
    swapped = csv(row("101", "K1", phone="13900139000"), row("102", "K2", "李四", phone="13800138000"))
    imported(compound, swapped)
    assert (person(compound, "K1").phone, person(compound, "K2").phone) == ("13900139000", "13800138000")


def test_an_owner_listed_with_two_phones_imports_with_the_first(make, imported):
    compound = make.compound()
    imported(compound, csv(row("101", "K1", phone="13800138000"), row("102", "K1", phone="13900139000")))
    assert person(compound, "K1").phone == "13800138000"
    assert owners_of(compound, "101") == owners_of(compound, "102") == [("K1", True)]


def test_two_owners_sharing_a_phone_are_two_persons_each_with_a_vote_and_a_code(make, imported):
    """An elderly parent and a child on one phone: two persons, two voting rights, two activation codes."""
    from portal.accounts.services import issue_code
    from portal.voting.electorate import owner_rights

    compound = make.compound()
    imported(compound, csv(row("101", "K1", phone="13800138000"), row("102", "K2", "李四", phone="13800138000")))
    parent, child = person(compound, "K1"), person(compound, "K2")
    assert parent.id != child.id and parent.phone == child.phone == "13800138000"
    assert owners_of(compound, "101") == [("K1", True)] and owners_of(compound, "102") == [("K2", True)]
    assert owner_role_holders(compound) == ["张三", "李四"]
    rights = {r.person_id: r.area for r in owner_rights(compound)}
    assert rights == {parent.id: Decimal("88.50"), child.id: Decimal("88.50")}
    codes = {issue_code(p, compound, actor=None).code for p in (parent, child)}
    assert len(codes) == 2


def test_a_file_with_errors_is_refused(make):
    compound = make.compound()
    parsed = importer.parse(csv(row(area="x")))
    with pytest.raises(services.RegisterError) as raised:
        services.apply(compound, parsed, actor=None)
    assert [e.line for e in raised.value.errors] == [2]


def test_keys_are_per_compound(make, imported):
    """The same owner key in two compounds is two people."""
    one, two = make.compound(), make.compound()
    imported(one, csv(row()))
    imported(two, csv(row()))
    assert person(one, "K1").id != person(two, "K1").id


def test_the_digest_names_exactly_one_difference(make, imported):
    compound = make.compound()
    imported(compound, FIRST)
    changed = csv(row("101", "K1", "张三"))
    first = check(compound, changed)[1].digest
    assert check(compound, changed)[1].digest == first
    assert check(compound, csv(row("101", "K1", "张三", area="90")))[1].digest != first
    assert db.session.scalar(db.select(db.func.count()).select_from(Ownership)) == 6
