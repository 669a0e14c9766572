"""Every list runs the same number of queries whatever the number of rows (each page is counted at two sizes)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.boards.models import Category, Organisation, OrgKind, OrgMember, Photo
from portal.db import utcnow
from portal.extensions import db
from portal.lists.models import Project, ProjectOrigin, ProjectStatus, ProjectUpdate, Resource
from portal.needs.models import Need, NeedKind, NeedStatus


def _statements(client, url) -> int:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if not statement.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")):  # the test harness's transaction
            statements.append(statement)

    db.session.expunge_all()  # nothing cached from building the data
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200, url
    return len(statements)


def _grow(town: dict, n: int, project_id: int, batch: str) -> None:
    """n more organisations (with members), resources, needs (every state, with takers), projects (with needs,
    resources, updates) and updates with photos on the one project."""
    orgs = [
        Organisation(community_id=town["community"], kind=OrgKind.cobuilder, name=f"共建单位{batch}-{i}")
        for i in range(n)
    ]
    db.session.add_all(orgs)
    db.session.flush()
    db.session.add_all(OrgMember(organisation_id=o.id, person_id=town["doctor"]) for o in orgs)
    resources = [
        Resource(
            community_id=town["community"],
            compound_id=town["compound"] if i % 2 else None,
            organisation_id=orgs[i].id,
            category=Category.health,
            title=f"资源{i}",
        )
        for i in range(n)
    ]
    db.session.add_all(resources)
    states = list(NeedStatus)
    needs = [
        Need(
            compound_id=town["compound"],
            requester_id=town["owner"],
            kind=NeedKind.wish,
            category=Category.repair,
            title=f"需求{i}",
            description="…",
            is_public=bool(i % 3),
            status=states[i % len(states)],
            taker_org_id=orgs[i].id if i % 2 else None,
            taker_person_id=town["volunteer"] if not i % 2 else None,
        )
        for i in range(n)
    ]
    db.session.add_all(needs)
    db.session.flush()
    projects = [
        Project(
            community_id=town["community"],
            compound_id=town["compound"],
            title=f"项目{i}",
            origin=ProjectOrigin.resource_matched,
            need_id=needs[i].id,
            resource_id=resources[i].id,
            organisation_id=orgs[i].id,
            status=ProjectStatus.in_progress if i % 2 else ProjectStatus.completed,
        )
        for i in range(n)
    ]
    db.session.add_all(projects)
    db.session.flush()
    people = [town["doctor"], town["manager"], town["staff"]]
    for i in range(n):
        for target in (projects[i].id, project_id):
            update = ProjectUpdate(project_id=target, author_id=people[i % 3], body=f"进展{i}", created_at=utcnow())
            db.session.add(update)
            db.session.flush()
            db.session.add(
                Photo(
                    project_update_id=update.id, storage_key="ab/" + "0" * 64 + ".png", filename="p.png",
                    mime="image/png", size=1, uploaded_by_id=people[i % 3],
                )
            )  # fmt: skip
    db.session.commit()


URLS = [
    "/c/lvyuan/lists/",
    "/c/lvyuan/lists/resources",
    "/c/lvyuan/lists/needs",
    "/c/lvyuan/lists/projects",
    "/c/lvyuan/lists/projects/{project}",
    "/c/lvyuan/lists/resources/{resource}",
]


@pytest.mark.parametrize("viewer", [None, "doctor", "staff"])
def test_each_list_runs_a_fixed_number_of_queries(client, town, login, viewer, resource):
    one = Project(
        community_id=town.community.id, compound_id=town.compound.id, title="主项目", origin=ProjectOrigin.staff
    )
    db.session.add(one)
    db.session.commit()
    clinic = resource()
    ids = {"project": one.id, "resource": clinic.id}
    keys = ("community", "compound", "doctor", "manager", "staff", "owner", "volunteer")
    plain = {key: getattr(town, key).id for key in keys}
    if viewer:
        login(getattr(town, viewer))
    _grow(plain, 3, ids["project"], "a")
    small = {url: _statements(client, url.format(**ids)) for url in URLS}
    _grow(plain, 30, ids["project"], "b")
    large = {url: _statements(client, url.format(**ids)) for url in URLS}
    assert large == small
