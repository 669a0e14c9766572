"""Reading the three lists: each page runs a fixed number of queries however many rows there are (related rows come
with joined or select-in loading, counts from grouped subqueries)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from portal.boards.models import Category
from portal.compounds.models import Compound
from portal.extensions import db
from portal.lists import access
from portal.lists.models import Project, ProjectStatus, ProjectUpdate, Resource, ResourceStatus
from portal.needs.models import Need, NeedKind, NeedStatus

PAGE_SIZE = 50  # rows per page: a long list stays light on a phone
LATEST = 3  # rows of each list on the overview


@dataclass(frozen=True)
class Page:
    """One page of a list: its rows, how many there are in all, and which page this is."""

    rows: list
    total: int
    number: int

    @property
    def pages(self) -> int:
        """How many pages the whole list has (at least one)."""
        return max(1, -(-self.total // PAGE_SIZE))


def _page(statement, count_statement, number: int) -> Page:
    total = db.session.scalar(count_statement)
    number = max(1, number)
    rows = db.session.execute(statement.limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)).unique().all()
    return Page([row[0] if len(row) == 1 else tuple(row) for row in rows], total, number)


def _enum(kind, value):
    """The enum member named by a query-string value, or None for an empty or unknown one."""
    try:
        return kind(value) if value else None
    except ValueError:
        return None


# 资源清单


def resources(compound: Compound, *, category=None, organisation_id=None, withdrawn=False, number=1) -> Page:
    """The resources offered to the compound (or, with withdrawn, those taken off the list), newest first."""
    status = ResourceStatus.withdrawn if withdrawn else ResourceStatus.offered
    condition = sa.and_(access.resource_filter(compound), Resource.status == status)
    if (category := _enum(Category, category)) is not None:
        condition = sa.and_(condition, Resource.category == category)
    if organisation_id:
        condition = sa.and_(condition, Resource.organisation_id == organisation_id)
    statement = (
        sa.select(Resource)
        .where(condition)
        .options(joinedload(Resource.organisation))
        .order_by(Resource.created_at.desc(), Resource.id.desc())
    )
    return _page(statement, sa.select(sa.func.count(Resource.id)).where(condition), number)


def offered_resources(compound: Compound) -> list[Resource]:
    """Every resource still offered to the compound (for matching a need), by title."""
    return list(
        db.session.scalars(
            sa.select(Resource)
            .where(access.resource_filter(compound), Resource.status == ResourceStatus.offered)
            .options(joinedload(Resource.organisation))
            .order_by(Resource.title, Resource.id)
        )
    )


def resource_projects(resource: Resource) -> list[Project]:
    """The projects that use a resource, newest first."""
    return list(
        db.session.scalars(
            sa.select(Project)
            .where(Project.resource_id == resource.id)
            .order_by(Project.created_at.desc(), Project.id.desc())
        )
    )


# 需求清单


def needs(compound: Compound, person, *, category=None, status=None, kind=None, number=1) -> Page:
    """The needs of the compound this person sees (public and accepted; staff: all): those waiting for a taker
    first, then the newest. Loads the takers, never the requesters."""
    condition = access.listed_filter(compound, person)
    if (category := _enum(Category, category)) is not None:
        condition = sa.and_(condition, Need.category == category)
    if (status := _enum(NeedStatus, status)) is not None:
        condition = sa.and_(condition, Need.status == status)
    if (kind := _enum(NeedKind, kind)) is not None:
        condition = sa.and_(condition, Need.kind == kind)
    waiting = sa.case((Need.status == NeedStatus.open, 0), (Need.status == NeedStatus.submitted, 1), else_=2)
    statement = (
        sa.select(Need)
        .where(condition)
        .options(joinedload(Need.taker_org), joinedload(Need.taker_person))
        .order_by(waiting, Need.created_at.desc(), Need.id.desc())
    )
    return _page(statement, sa.select(sa.func.count(Need.id)).where(condition), number)


def waiting_needs(compound: Compound) -> list[Need]:
    """Needs still without a taker (accepted, or not yet read), oldest first: what staff may set a project up for."""
    return list(
        db.session.scalars(
            sa.select(Need)
            .where(Need.compound_id == compound.id, Need.status.in_((NeedStatus.open, NeedStatus.submitted)))
            .order_by(Need.created_at, Need.id)
        )
    )


# 项目清单


def _update_stats():
    """Per project: how many progress updates it has and when the last one was posted."""
    return (
        sa.select(
            ProjectUpdate.project_id,
            sa.func.count(ProjectUpdate.id).label("updates"),
            sa.func.max(ProjectUpdate.created_at).label("last_update"),
        )
        .group_by(ProjectUpdate.project_id)
        .subquery()
    )


def projects(compound: Compound, *, status=None, organisation_id=None, number=1) -> Page:
    """The compound's projects (those under way first, then the newest), each as (project, updates, last_update)."""
    condition = Project.compound_id == compound.id
    if (status := _enum(ProjectStatus, status)) is not None:
        condition = sa.and_(condition, Project.status == status)
    if organisation_id:
        condition = sa.and_(condition, Project.organisation_id == organisation_id)
    stats = _update_stats()
    under_way = sa.case((Project.status == ProjectStatus.in_progress, 0), else_=1)
    statement = (
        sa.select(Project, sa.func.coalesce(stats.c.updates, 0), stats.c.last_update)
        .outerjoin(stats, stats.c.project_id == Project.id)
        .where(condition)
        .options(joinedload(Project.need), joinedload(Project.resource), joinedload(Project.organisation))
        .order_by(under_way, Project.created_at.desc(), Project.id.desc())
    )
    return _page(statement, sa.select(sa.func.count(Project.id)).where(condition), number)


def project(compound: Compound, project_id: int) -> Project | None:
    """One project of the compound with its need, resource, organisation, and updates with authors and photos."""
    return db.session.scalar(
        sa.select(Project)
        .where(Project.id == project_id, Project.compound_id == compound.id)
        .options(
            joinedload(Project.need),
            joinedload(Project.resource),
            joinedload(Project.organisation),
            selectinload(Project.updates).options(joinedload(ProjectUpdate.author), selectinload(ProjectUpdate.photos)),
        )
    )


# The overview


def summary(compound: Compound, person) -> dict:
    """Counts and the latest few of each list: resources offered, needs (as the person sees them; "waiting" are
    those open for a taker), projects (all, and those under way)."""
    resource_condition = sa.and_(access.resource_filter(compound), Resource.status == ResourceStatus.offered)
    need_condition = access.listed_filter(compound, person)
    counts = db.session.execute(
        sa.select(
            sa.select(sa.func.count(Resource.id)).where(resource_condition).scalar_subquery(),
            sa.select(sa.func.count(Need.id)).where(need_condition).scalar_subquery(),
            sa.select(sa.func.count(Need.id)).where(need_condition, Need.status == NeedStatus.open).scalar_subquery(),
            sa.select(sa.func.count(Project.id)).where(Project.compound_id == compound.id).scalar_subquery(),
            sa.select(sa.func.count(Project.id))
            .where(Project.compound_id == compound.id, Project.status == ProjectStatus.in_progress)
            .scalar_subquery(),
        )
    ).one()
    latest_resources = db.session.scalars(
        sa.select(Resource)
        .where(resource_condition)
        .options(joinedload(Resource.organisation))
        .order_by(Resource.created_at.desc(), Resource.id.desc())
        .limit(LATEST)
    ).all()
    latest_needs = db.session.scalars(
        sa.select(Need)
        .where(need_condition)
        .options(joinedload(Need.taker_org), joinedload(Need.taker_person))
        .order_by(Need.created_at.desc(), Need.id.desc())
        .limit(LATEST)
    ).all()
    latest_projects = db.session.scalars(
        sa.select(Project)
        .where(Project.compound_id == compound.id)
        .options(joinedload(Project.organisation))
        .order_by(Project.created_at.desc(), Project.id.desc())
        .limit(LATEST)
    ).all()
    return {
        "resources": counts[0],
        "needs": counts[1],
        "waiting": counts[2],
        "projects": counts[3],
        "under_way": counts[4],
        "latest_resources": latest_resources,
        "latest_needs": latest_needs,
        "latest_projects": latest_projects,
    }
