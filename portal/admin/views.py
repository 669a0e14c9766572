"""The administrator's pages. Every view is behind `can_administer` (checked before each request)."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.accounts.models import Person
from portal.admin import bp, services
from portal.admin.access import can_administer
from portal.admin.forms import AddStaffForm, CommunityForm, NewStaffForm
from portal.compounds.models import Community
from portal.extensions import db
from portal.htmx import form_status, render
from portal.roles import services as roles


@bp.before_request
@login_required
def _admins_only():
    """The area exists only for platform administrators: everyone else gets 404."""
    if not can_administer(current_user):
        abort(404)


def _community(community_id: int) -> Community:
    community = db.session.get(Community, community_id)
    if community is None:
        abort(404)
    return community


def _staff_member(community: Community, person_id: int) -> Person:
    """A staff member of this community, or 404."""
    person = next((p for p in services.staff_of(community) if p.id == person_id), None)
    if person is None:
        abort(404)
    return person


@bp.route("/", methods=["GET", "POST"])
def index():
    """平台管理: the communities, with their compounds and staff, and a form to create one."""
    form = CommunityForm()
    if form.validate_on_submit():
        community = services.create_community(form.name.data, current_user)
        flash(_("Community %(name)s created. Add its staff here.", name=community.name), "info")
        return redirect(url_for("admin.community", community_id=community.id), 303)
    return render("admin/index.html", rows=services.overview(), form=form, status=form_status())


def _community_page(community: Community, add_form=None, new_form=None, status: int = 200):
    """The community page, with either form shown again with its errors."""
    return render(
        "admin/community.html",
        community=community,
        staff=services.staff_of(community),
        add_form=add_form or AddStaffForm(formdata=None),
        new_form=new_form or NewStaffForm(formdata=None),
        status=status,
    )


@bp.route("/communities/<int:community_id>/")
def community(community_id: int):
    """A community: its compounds and staff; add or remove staff."""
    return _community_page(_community(community_id))


@bp.route("/communities/<int:community_id>/staff", methods=["POST"])
def add_staff(community_id: int):
    """Make someone who has an account (found by account number or phone) staff of the community."""
    community = _community(community_id)
    form = AddStaffForm()
    if form.validate_on_submit():
        person = services.find_person(form.login.data)
        if person is None:
            form.login.errors = [_("Nobody has this account number or phone.")]
        else:
            if person.id in {p.id for p in services.staff_of(community)}:
                flash(
                    _("%(name)s is already staff of %(community)s.", name=person.name, community=community.name), "info"
                )
            else:
                roles.add_staff(person, community, current_user)
                flash(_("%(name)s is now staff of %(community)s.", name=person.name, community=community.name), "info")
            return redirect(url_for("admin.community", community_id=community.id), 303)
    return _community_page(community, add_form=form, status=400)


@bp.route("/communities/<int:community_id>/staff/new", methods=["POST"])
def new_staff(community_id: int):
    """Create an account for a new staff member and show its initial password, once.

    The password exists in plain text only in this response (it is stored hashed), so the page is rendered
    directly rather than redirected to, and never cached.
    """
    community = _community(community_id)
    form = NewStaffForm()
    if not form.validate_on_submit():
        return _community_page(community, new_form=form, status=400)
    person, password = services.create_staff(community, form.name.data, form.account_no.data, current_user)
    response = render("admin/staff_created.html", community=community, person=person, password=password)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/communities/<int:community_id>/staff/<int:person_id>/remove", methods=["GET", "POST"])
def remove_staff(community_id: int, person_id: int):
    """Remove a staff member from the community: a page asks first, its button removes."""
    community = _community(community_id)
    person = _staff_member(community, person_id)
    if request.method == "POST":
        roles.remove_staff(person, community, current_user)
        flash(_("%(name)s is no longer staff of %(community)s.", name=person.name, community=community.name), "info")
        return redirect(url_for("admin.community", community_id=community.id), 303)
    return render("admin/remove_staff.html", community=community, person=person)
