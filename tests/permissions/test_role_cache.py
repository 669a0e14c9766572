"""The per-request cache of roles never outlives a change of roles made in the same request or command."""

from __future__ import annotations

from portal import permissions
from portal.roles import services as roles
from portal.roles.models import Role


def test_granting_and_removing_a_role_is_seen_at_once(app, make, database):
    community = make.community("社区")
    compound = make.compound("yuan", "园", community)
    person = make.person("业主")
    make.member(person, compound)
    with app.test_request_context():
        assert permissions.roles_in(person, compound) == {Role.owner}
        roles.grant(person, compound, Role.committee)
        assert permissions.roles_in(person, compound) == {Role.owner, Role.committee}
        roles.remove(person, compound, Role.committee)
        assert permissions.roles_in(person, compound) == {Role.owner}


def test_becoming_staff_is_seen_at_once(app, make, database):
    community = make.community("社区")
    person = make.person("工作人员")
    with app.test_request_context():
        assert not permissions.is_staff_of(person, community)
        roles.add_staff(person, community)
        assert permissions.is_staff_of(person, community)
