"""Changes to the three lists: resources offered and withdrawn, projects from a claim (an organisation takes a need),
a match (a need linked to an offered resource) or set up by staff, and their progress, completion or cancellation.
Flush, never commit; one audit line per change. Views check access first (lists/access.py); services keep the rules
that hold whoever calls them (a need is taken once, a withdrawn resource is never matched, a reason to cancel).
"""

from __future__ import annotations

from collections.abc import Sequence

from portal import audit, uploads
from portal.boards import access as board_access
from portal.boards import undertakings
from portal.boards.models import Category, Organisation
from portal.compounds.models import Compound
from portal.extensions import db
from portal.lists import access
from portal.lists.models import (
    Project,
    ProjectOrigin,
    ProjectStatus,
    ProjectUpdate,
    Resource,
    ResourceStatus,
)
from portal.needs import access as need_access
from portal.needs import services as needs
from portal.needs.models import Need, NeedStatus
from portal.refusals import Refused

TITLE_LIMIT = 200
CAPACITY_LIMIT = 100


_text = Refused.text


# 资源清单: resources


def offer(
    compound: Compound,
    actor,
    *,
    organisation: Organisation,
    category: Category,
    title: str,
    description: str = "",
    capacity: str = "",
    community_wide: bool = False,
) -> Resource:
    """Put a resource on the list: for this compound, or (an organisation serving the whole community only) for
    every compound of the community."""
    if not board_access.serves(organisation, compound):
        raise Refused("not_serving")
    if community_wide and organisation.compound_id is not None:
        raise Refused("not_community_wide")
    resource = Resource(
        community_id=compound.community_id,
        compound_id=None if community_wide else compound.id,
        organisation_id=organisation.id,
        organisation=organisation,
        category=Category(category),
        title=_text(title, TITLE_LIMIT, code="title"),
        description=_text(description, required=False),
        capacity=_text(capacity, CAPACITY_LIMIT, required=False),
        created_by_id=actor.id,
    )
    db.session.add(resource)
    db.session.flush()
    detail = {"resource_id": resource.id, "organisation_id": organisation.id, "title": resource.title}
    audit.record("resource.offered", actor, compound, **detail, community_wide=community_wide)
    return resource


def change(
    resource: Resource, actor, compound: Compound, *, category: Category, title: str, description: str, capacity: str
) -> None:
    """Change what a resource offers (its organisation and reach stay as they were)."""
    resource.category = Category(category)
    resource.title = _text(title, TITLE_LIMIT, code="title")
    resource.description = _text(description, required=False)
    resource.capacity = _text(capacity, CAPACITY_LIMIT, required=False)
    db.session.flush()
    audit.record("resource.changed", actor, compound, resource_id=resource.id, title=resource.title)


def withdraw(resource: Resource, actor, compound: Compound) -> None:
    """Take a resource off the list: nobody can be matched to it any more (projects already under way go on)."""
    _set_status(resource, actor, compound, ResourceStatus.withdrawn, refused="withdrawn")


def reoffer(resource: Resource, actor, compound: Compound) -> None:
    """Put a withdrawn resource back on the list."""
    _set_status(resource, actor, compound, ResourceStatus.offered, refused="offered")


def _set_status(resource: Resource, actor, compound: Compound, status: ResourceStatus, refused: str) -> None:
    """Move the resource to `status` (Refused(`refused`) if it is there already), with its audit line."""
    if resource.status == status:
        raise Refused(refused)
    resource.status = status
    db.session.flush()
    action = "resource.withdrawn" if status == ResourceStatus.withdrawn else "resource.reoffered"
    audit.record(action, actor, compound, resource_id=resource.id)


# 双向认领: a need claimed by an organisation, or linked to a resource


def _take(need: Need, actor, organisation: Organisation, note: str, by_staff: bool) -> None:
    """Hand the need to the organisation through the requests' own flow (its timeline step, the requester told).
    The need must still wait for a taker: a taken one is refused before anything is written, and if another taker
    gets there first, the requests' conditional update refuses this one."""
    if not access.claimable(need, by_staff):
        raise Refused("taken")
    if need.requester_id == actor.id and not by_staff:
        raise Refused("own")
    try:
        needs.take(need, actor, org=organisation, note=note)
    except Refused as error:
        raise Refused({"changed": "taken"}.get(error.code, error.code)) from error


def _project(compound: Compound, actor, origin: ProjectOrigin, **fields) -> Project:
    project = Project(
        community_id=compound.community_id, compound_id=compound.id, origin=origin, created_by_id=actor.id, **fields
    )
    db.session.add(project)
    db.session.flush()
    audit.record(
        "project.created",
        actor,
        compound,
        project_id=project.id,
        origin=origin.value,
        need_id=project.need_id,
        resource_id=project.resource_id,
        organisation_id=project.organisation_id,
    )
    return project


def claim(need: Need, organisation: Organisation, actor, note: str = "") -> Project:
    """An organisation claims an open need (认领): the need is taken by it and a project follows the work.
    A need already taken is refused, and nothing is written."""
    compound = need.compound
    if not board_access.serves(organisation, compound):
        raise Refused("not_serving")
    note = _text(note, required=False)
    by_staff = access.may_manage(actor, compound)
    _take(need, actor, organisation, note, by_staff)
    return _project(
        compound,
        actor,
        ProjectOrigin.need_claimed,
        title=need.title[:TITLE_LIMIT],
        description=note,
        need_id=need.id,
        organisation_id=organisation.id,
    )


def match(need: Need, resource: Resource, actor, *, title: str = "", note: str = "") -> Project:
    """Link a need to an offered resource (资源对接): the resource's organisation takes the need, in a project."""
    compound = need.compound
    if resource.status != ResourceStatus.offered:
        raise Refused("withdrawn")
    if not access.resource_in(resource, compound):
        raise Refused("not_serving")
    title = _text(title, TITLE_LIMIT, required=False) or f"{resource.title}：{need.title}"[:TITLE_LIMIT]
    note = _text(note, required=False)
    _take(need, actor, resource.organisation, note, by_staff=True)
    return _project(
        compound,
        actor,
        ProjectOrigin.resource_matched,
        title=title,
        description=note,
        need_id=need.id,
        resource_id=resource.id,
        organisation_id=resource.organisation_id,
    )


def create_project(
    compound: Compound,
    actor,
    *,
    title: str,
    description: str = "",
    organisation: Organisation | None = None,
    need: Need | None = None,
    resource: Resource | None = None,
) -> Project:
    """Staff set up a project directly; with a resource the organisation is the resource's; with a need the need is
    taken by the organisation (which is then required)."""
    title = _text(title, TITLE_LIMIT, code="title")
    description = _text(description, required=False)
    if resource is not None:
        if resource.status != ResourceStatus.offered:
            raise Refused("withdrawn")
        if not access.resource_in(resource, compound):
            raise Refused("not_serving")
        organisation = resource.organisation
    if organisation is not None and not board_access.serves(organisation, compound):
        raise Refused("not_serving")
    if need is not None:
        if need.compound_id != compound.id:
            raise Refused("not_serving")
        if organisation is None:
            raise Refused("organisation")
        _take(need, actor, organisation, description, by_staff=True)
    return _project(
        compound,
        actor,
        ProjectOrigin.staff,
        title=title,
        description=description,
        need_id=need.id if need else None,
        resource_id=resource.id if resource else None,
        organisation_id=organisation.id if organisation else None,
    )


# 项目清单: progress, completion, cancellation


# A project is an undertaking: progress while under way, then completed or cancelled.
PROJECT = undertakings.Ends(ProjectStatus.in_progress, "project_closed", ProjectStatus.completed, "completed_at",
                            "completed_note", ProjectStatus.cancelled, "cancelled_at", "cancel_reason")  # fmt: skip


def add_update(project: Project, actor, body: str, checked: Sequence[uploads.Upload] = ()) -> ProjectUpdate:
    """A dated progress update with photos already checked by photos.check_all (nothing is stored if refused)."""
    update = ProjectUpdate(project_id=project.id, author_id=actor.id)
    undertakings.add_update(project, PROJECT, update, actor, body, checked, photo_link="project_update_id")
    audit.record(
        "project.update", actor, _compound(project), project_id=project.id, update_id=update.id, photos=len(checked)
    )
    return update


def complete(project: Project, actor, note: str) -> None:
    """The project is done; `note` says what was done. If the organisation still holds the project's need and the
    actor acts as its taker, the need is marked done too (办结), and its requester is asked to confirm and rate it."""
    undertakings.finish(project, PROJECT, note)
    audit.record("project.completed", actor, _compound(project), project_id=project.id)
    need = project.need
    if (
        need is not None
        and need.status == NeedStatus.taken
        and need.taker_org_id == project.organisation_id
        and need_access.is_taker(actor, need)
    ):
        needs.mark_done(need, actor, project.completed_note)


def cancel(project: Project, actor, reason: str) -> None:
    """Cancel a project still under way; the reason is required and shown on the project."""
    undertakings.give_up(project, PROJECT, reason)
    audit.record("project.cancelled", actor, _compound(project), project_id=project.id, reason=project.cancel_reason)


def _compound(project: Project) -> Compound:
    return db.session.get(Compound, project.compound_id)
