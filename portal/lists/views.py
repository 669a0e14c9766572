"""The three lists (三张清单): resources offered (资源清单), residents' needs (需求清单) and projects (项目清单), with
two-way claiming (双向认领): an organisation claims a need, or staff link a need to an offered resource.

Every change is a plain form POST answered with 303; the lists' filters also work as htmx requests (the rows only).
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from portal import permissions
from portal.boards import photos, steps
from portal.boards.models import Category, Photo
from portal.extensions import db
from portal.htmx import form_status, render
from portal.inputs import db_int, page_number
from portal.lists import access, bp, queries, services
from portal.lists.forms import CancelForm, ClaimForm, CompleteForm, MatchForm, ProjectForm, ResourceForm, UpdateForm
from portal.lists.models import Project, ProjectUpdate, Resource
from portal.needs.models import Need
from portal.refusals import Refused, sentence


def _page(template: str, partial: str | None = None, status: int = 200, **context):
    """Render with what every list page uses: the categories, links to requests."""
    return render(
        template,
        partial,
        status=status,
        categories=list(Category),
        need_url=_need_url,
        **context,
    )


def _has(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


def _need_url(compound, need: Need) -> str | None:
    """The request's own page (built by portal.needs), if that part is there."""
    return url_for("needs.show", slug=compound.slug, need_id=need.id) if _has("needs.show") else None


def _number() -> int:
    """The page number asked for (1 if none or nonsense)."""
    return page_number(request.args.get("page"))


def _step(step, success: str, target: str):
    """Take a step; flash why it was refused, or `success`; then back to `target` (POST → 303 → GET)."""
    try:
        step()
    except Refused as error:
        flash(error.sentence, "error")
    else:
        flash(success, "success")
    return redirect(target, 303)


@bp.route("/")
def index(slug: str):
    """三张清单: how many resources, needs and projects there are, and the latest of each."""
    compound = access.load(slug, current_user)
    return _page(
        "lists/index.html",
        compound=compound,
        summary=queries.summary(compound, current_user),
        staff=access.may_manage(current_user, compound),
    )


# 资源清单


@bp.route("/resources")
def resources(slug: str):
    """资源清单: what organisations serving the compound offer; filtered by category and organisation."""
    compound = access.load(slug, current_user)
    withdrawn = request.args.get("withdrawn") == "1"
    listing = queries.resources(
        compound,
        category=request.args.get("category"),
        organisation_id=db_int(request.args.get("organisation")),
        withdrawn=withdrawn,
        number=_number(),
    )
    return _page(
        "lists/resources.html",
        "lists/_resource_rows.html",
        compound=compound,
        listing=listing,
        withdrawn=withdrawn,
        organisations=access.serving(compound),
        can_offer=access.can_offer(current_user, compound),
        args=request.args,
    )


def _resource(compound, resource_id: int) -> Resource:
    """A resource on the compound's list, or 404."""
    resource = db.session.get(Resource, resource_id)
    if resource is None or not access.resource_in(resource, compound):
        abort(404)
    return resource


def _editable(slug: str, resource_id: int):
    """(compound, resource) once the person may change the resource (its organisation's members, staff)."""
    compound = access.load(slug, current_user)
    found = _resource(compound, resource_id)
    permissions.require(access.can_edit_resource(current_user, found), compound, current_user)
    return compound, found


def _offered(form: ResourceForm) -> dict:
    """What the resource offers, as typed."""
    return {
        "category": Category(form.category.data),
        "title": form.title.data,
        "description": form.description.data or "",
        "capacity": form.capacity.data or "",
    }


@bp.route("/resources/<int:resource_id>")
def resource(slug: str, resource_id: int):
    """One resource: what is offered, by whom, and the projects that use it."""
    compound = access.load(slug, current_user)
    found = _resource(compound, resource_id)
    return _page(
        "lists/resource.html",
        compound=compound,
        resource=found,
        projects=queries.resource_projects(found),
        can_edit=access.can_edit_resource(current_user, found),
    )


@bp.route("/resources/new", methods=["GET", "POST"])
@login_required
def new_resource(slug: str):
    """Offer a resource for an organisation the person acts for."""
    compound = access.load(slug, current_user)
    organisations = access.acting_organisations(current_user, compound)
    permissions.require(bool(organisations), compound, current_user)
    form = ResourceForm(organisations=organisations)
    if form.validate_on_submit():
        organisation = next(o for o in organisations if str(o.id) == form.organisation.data)
        try:
            wide = form.community_wide.data
            created = services.offer(
                compound, current_user, organisation=organisation, community_wide=wide, **_offered(form)
            )
        except Refused as error:
            form.community_wide.errors = [error.sentence]
        else:
            flash(_("The resource is on the list."), "success")
            return redirect(url_for("lists.resource", slug=slug, resource_id=created.id), 303)
    return _page("lists/resource_form.html", compound=compound, form=form, resource=None, status=form_status())


@bp.route("/resources/<int:resource_id>/edit", methods=["GET", "POST"])
@login_required
def edit_resource(slug: str, resource_id: int):
    """Change what a resource offers."""
    compound, found = _editable(slug, resource_id)
    form = ResourceForm(obj=found, organisations=[found.organisation])
    if request.method == "GET":
        form.category.data = found.category.value
    form.organisation.data = str(found.organisation_id)
    if form.validate_on_submit():
        try:
            services.change(found, current_user, compound, **_offered(form))
        except Refused as error:
            form.title.errors = [error.sentence]
        else:
            flash(_("The resource is changed."), "success")
            return redirect(url_for("lists.resource", slug=slug, resource_id=found.id), 303)
    return _page("lists/resource_form.html", compound=compound, form=form, resource=found, status=form_status())


@bp.route("/resources/<int:resource_id>/withdraw", methods=["POST"])
@login_required
def withdraw_resource(slug: str, resource_id: int):
    """Take a resource off the list (it can no longer be matched to a need)."""
    return _resource_step(slug, resource_id, services.withdraw, _("The resource is withdrawn from the list."))


@bp.route("/resources/<int:resource_id>/reoffer", methods=["POST"])
@login_required
def reoffer_resource(slug: str, resource_id: int):
    """Put a withdrawn resource back on the list."""
    return _resource_step(slug, resource_id, services.reoffer, _("The resource is on the list again."))


def _resource_step(slug: str, resource_id: int, step, success: str):
    """Withdraw or put back a resource: refused or done, said in a flash on the resource's page."""
    compound, found = _editable(slug, resource_id)
    target = url_for("lists.resource", slug=slug, resource_id=found.id)
    return _step(lambda: step(found, current_user, compound), success, target)


# 需求清单


@bp.route("/needs")
def needs(slug: str):
    """需求清单: the public, accepted needs (staff: every need), never with who asked; claim forms where allowed."""
    compound = access.load(slug, current_user)
    staff = access.may_manage(current_user, compound)
    listing = queries.needs(
        compound,
        current_user,
        category=request.args.get("category"),
        status=request.args.get("status"),
        kind=request.args.get("kind"),
        number=_number(),
    )
    acting = access.acting_organisations(current_user, compound)
    asks = _has("needs.new") and access.can_ask(current_user, compound)
    return _page(
        "lists/needs.html",
        "lists/_need_rows.html",
        compound=compound,
        listing=listing,
        staff=staff,
        acting=acting,
        can_match=access.can_match(current_user, compound),
        claimable=access.claimable,
        ask_url=url_for("needs.new", slug=slug) if asks else None,
        args=request.args,
    )


def _need(compound, need_id: int) -> Need:
    """A need of the compound that the person may see on the list (staff: any), or 404."""
    need = db.session.get(Need, need_id)
    if need is None or need.compound_id != compound.id:
        abort(404)
    if not (access.need_listed(need) or access.may_manage(current_user, compound)):
        abort(404)
    return need


@bp.route("/needs/<int:need_id>/claim", methods=["POST"])
@login_required
def claim(slug: str, need_id: int):
    """认领: an organisation takes an open need on; a project follows the work. A taken need is not claimed twice."""
    compound = access.load(slug, current_user)
    acting = access.acting_organisations(current_user, compound)
    permissions.require(bool(acting), compound, current_user)
    need = _need(compound, need_id)
    form = ClaimForm(organisations=acting)
    back = redirect(url_for("lists.needs", slug=slug), 303)
    if not form.validate_on_submit():
        flash(_("Choose the organisation that takes the need on."), "error")
        return back
    organisation = next(o for o in acting if str(o.id) == form.organisation.data)
    try:
        project = services.claim(need, organisation, current_user, form.note.data or "")
    except Refused as error:
        flash(error.sentence, "error")
        return back
    message = _(
        "%(organisation)s has taken the need on. Post progress on the project page.", organisation=organisation.name
    )
    flash(message, "success")
    return redirect(url_for("lists.project", slug=slug, project_id=project.id), 303)


@bp.route("/needs/<int:need_id>/match", methods=["GET", "POST"])
@login_required
def match(slug: str, need_id: int):
    """资源对接: staff link a need to a resource offered to the compound; the resource's organisation takes it on."""
    compound = access.load(slug, current_user)
    permissions.require(access.can_match(current_user, compound), compound, current_user)
    need = _need(compound, need_id)
    offered = queries.offered_resources(compound)
    form = MatchForm(resources=offered)
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            chosen = next(r for r in offered if str(r.id) == form.resource.data)
            try:
                project = services.match(
                    need, chosen, current_user, title=form.title.data or "", note=form.note.data or ""
                )
            except Refused as error:
                if error.code != "taken":
                    form.resource.errors = [error.sentence]
                else:
                    flash(error.sentence, "error")
                    return redirect(url_for("lists.needs", slug=slug), 303)
            else:
                flash(_("The need is matched to the resource; its organisation was given the project."), "success")
                return redirect(url_for("lists.project", slug=slug, project_id=project.id), 303)
        elif form.resource.data and not any(str(r.id) == form.resource.data for r in offered):
            form.resource.errors = [sentence("withdrawn")]
    return _page(
        "lists/match.html",
        compound=compound,
        need=need,
        form=form,
        claimable=access.claimable(need, by_staff=True),
        status=status,
    )


# 项目清单


@bp.route("/projects")
def projects(slug: str):
    """项目清单: projects under way first, each with what it meets and who carries it out."""
    compound = access.load(slug, current_user)
    listing = queries.projects(
        compound,
        status=request.args.get("status"),
        organisation_id=db_int(request.args.get("organisation")),
        number=_number(),
    )
    return _page(
        "lists/projects.html",
        "lists/_project_rows.html",
        compound=compound,
        listing=listing,
        staff=access.may_manage(current_user, compound),
        organisations=access.serving(compound),
        can_create=access.can_create_project(current_user, compound),
        need_listed=access.need_listed,
        args=request.args,
    )


@bp.route("/projects/new", methods=["GET", "POST"])
@login_required
def new_project(slug: str):
    """Staff set up a project: for a need, with a resource, by an organisation (each optional but the title)."""
    compound = access.load(slug, current_user)
    permissions.require(access.can_create_project(current_user, compound), compound, current_user)
    organisations = access.serving(compound)
    waiting = queries.waiting_needs(compound)
    offered = queries.offered_resources(compound)
    form = ProjectForm(organisations=organisations, needs=waiting, resources=offered)
    if request.method == "GET" and request.args.get("need"):
        form.need.data = request.args["need"]
    if form.validate_on_submit():
        try:
            project = services.create_project(
                compound,
                current_user,
                title=form.title.data,
                description=form.description.data or "",
                organisation=next((o for o in organisations if str(o.id) == form.organisation.data), None),
                need=next((n for n in waiting if str(n.id) == form.need.data), None),
                resource=next((r for r in offered if str(r.id) == form.resource.data), None),
            )
        except Refused as error:
            field = {"organisation": form.organisation, "withdrawn": form.resource, "taken": form.need}
            field.get(error.code, form.title).errors = [error.sentence]
        else:
            flash(_("The project is set up."), "success")
            return redirect(url_for("lists.project", slug=slug, project_id=project.id), 303)
    return _page("lists/project_form.html", compound=compound, form=form, status=form_status())


def _project(compound, project_id: int) -> Project:
    found = queries.project(compound, project_id)
    if found is None:
        abort(404)
    return found


@bp.route("/projects/<int:project_id>")
def project(slug: str, project_id: int):
    """One project: the need and resource it matches, who carries it out, its dated progress updates."""
    compound = access.load(slug, current_user)
    return _project_page(compound, _project(compound, project_id))


def _project_page(compound, found: Project, status: int = 200, **forms):
    """The project page; a refused update, completion or cancellation comes back at its field, as typed."""
    return _page(
        "lists/project.html",
        compound=compound,
        project=found,
        need_shown=found.need is not None and access.need_shown(current_user, found.need, compound),
        can_report=access.can_report(current_user, found),
        form=forms.get("form") or UpdateForm(formdata=None),
        complete_form=forms.get("complete_form") or CompleteForm(formdata=None, prefix="complete"),
        cancel_form=forms.get("cancel_form") or CancelForm(formdata=None, prefix="cancel"),
        status=status,
    )


def _reporting(slug: str, project_id: int) -> tuple:
    """(compound, project) once the person may report on the project (its organisation's members, staff)."""
    compound = access.load(slug, current_user)
    found = _project(compound, project_id)
    permissions.require(access.can_report(current_user, found), compound, current_user)
    return compound, found


def _submit(compound, found: Project, named: tuple[str, FlaskForm], field, step, success: str, anchor: str = ""):
    """Take `step` with the values of the form the page knows by `named`'s name: done (303 to the project), or the
    page again with the error at `field`, as typed (400)."""
    name, form = named

    def done():
        flash(success, "success")
        return redirect(url_for("lists.project", slug=compound.slug, project_id=found.id) + anchor, 303)

    return steps.submit(form, field, step, done, lambda status: _project_page(compound, found, status, **{name: form}))


@bp.route("/projects/<int:project_id>/updates", methods=["POST"])
@login_required
def add_update(slug: str, project_id: int):
    """Post a progress update with optional photos (every photo is checked before anything is stored)."""
    compound, found = _reporting(slug, project_id)
    form = UpdateForm()
    step = steps.progress_step(form, lambda body, checked: services.add_update(found, current_user, body, checked))
    return _submit(compound, found, ("form", form), form.body, step, _("The progress update is posted."), "#updates")


@bp.route("/projects/<int:project_id>/complete", methods=["POST"])
@login_required
def complete(slug: str, project_id: int):
    """完成: the project is done, with a note of what was done."""
    compound, found = _reporting(slug, project_id)
    form = CompleteForm(prefix="complete")
    done = _("The project is marked completed.")
    return _end(compound, found, ("complete_form", form), form.note, services.complete, done)


@bp.route("/projects/<int:project_id>/cancel", methods=["POST"])
@login_required
def cancel(slug: str, project_id: int):
    """取消, with a reason shown on the project."""
    compound, found = _reporting(slug, project_id)
    form = CancelForm(prefix="cancel")
    return _end(compound, found, ("cancel_form", form), form.reason, services.cancel, _("The project is cancelled."))


def _end(compound, found: Project, named: tuple[str, CompleteForm | CancelForm], words, end, success: str):
    """Complete or cancel with the words typed (`words`, a field of the form the page knows by `named`'s name):
    refused at the field (400) with what was typed, or done (303)."""
    return _submit(compound, found, named, words, lambda: end(found, current_user, words.data), success)


@bp.route("/projects/<int:project_id>/photos/<int:photo_id>")
def photo(slug: str, project_id: int, photo_id: int):
    """A photo of a project's progress update (projects are public, so their photos are too)."""
    compound = access.load(slug, current_user)
    found = db.session.scalar(
        db.select(Photo)
        .join(ProjectUpdate, ProjectUpdate.id == Photo.project_update_id)
        .join(Project, Project.id == ProjectUpdate.project_id)
        .where(Photo.id == photo_id, Project.id == project_id, Project.compound_id == compound.id)
    )
    if found is None:
        abort(404)
    return photos.send(found)
