"""Organisation routes: the public page of an organisation (亮身份、亮职责、亮承诺), and the staff pages that list,
create and edit the community's organisations and their members."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.routing import BuildError

from portal import permissions
from portal.accounts.services import find_login
from portal.boards import access, board, bp, rules, services
from portal.boards.forms import MemberForm, OrganisationForm
from portal.boards.models import Organisation, OrgKind, OrgMember
from portal.compounds.models import Compound
from portal.compounds.services import get_compound
from portal.extensions import db
from portal.htmx import form_page, form_status, render
from portal.refusals import Refused, sentence


def report_link(compound: Compound, org_id: int, year: int) -> str | None:
    """The organisation's report card (成绩单) for a year, once the report card pages exist."""
    try:
        return url_for("boards.report_card", slug=compound.slug, org_id=org_id, year=year)
    except BuildError:  # the report card is built by another part of the board; the page works without it
        return None


@bp.app_template_global()
def organisation_url(compound: Compound, organisation: Organisation) -> str:
    """The organisation's page on this compound's board; for one that serves another compound only (its pledge for
    the whole community is shown on every board) the page on that compound's board, never a 404."""
    home = compound if access.serves(organisation, compound) else organisation.compound
    return url_for("boards.organisation", slug=home.slug, org_id=organisation.id)


def _community_organisation(compound: Compound, org_id: int) -> Organisation:
    """An organisation of the compound's community (staff pages), or 404."""
    organisation = db.session.scalar(
        db.select(Organisation)
        .where(Organisation.id == org_id, Organisation.community_id == compound.community_id)
        .options(selectinload(Organisation.members).joinedload(OrgMember.person))
    )
    if organisation is None:
        abort(404)
    return organisation


def _compounds(compound: Compound) -> list[Compound]:
    return list(
        db.session.scalars(
            db.select(Compound).where(Compound.community_id == compound.community_id).order_by(Compound.name)
        )
    )


def _identity(form: OrganisationForm, compounds: list[Compound]) -> dict:
    """The organisation as typed (亮身份): kind, name, duty, contact, and the compound it serves (None: every one)."""
    return {
        "kind": OrgKind(form.kind.data),
        "name": form.name.data,
        "duty": form.duty.data or "",
        "contact": form.contact.data or "",
        "compound": next((c for c in compounds if str(c.id) == form.compound.data), None),
    }


@bp.route("/org/<int:org_id>")
def organisation(slug: str, org_id: int):
    """An organisation serving the compound: who it is, its duty, its members and titles, its pledges here."""
    compound = get_compound(slug)
    permissions.require("view_board", compound, current_user)
    found = db.session.scalar(
        db.select(Organisation)
        .where(Organisation.id == org_id)
        .options(selectinload(Organisation.members).joinedload(OrgMember.person), joinedload(Organisation.compound))
    )
    if found is None or not access.serves(found, compound):
        abort(404)
    page = board.board(compound, board.Filters(org=str(found.id)))
    year = rules.today_in_shanghai().year
    return render(
        "boards/organisation.html",
        compound=compound,
        organisation=found,
        board_page=page,
        filters=board.Filters(org=str(found.id)),
        year=year,
        report_link=report_link(compound, found.id, year),
        can_manage=access.may_manage(current_user, compound),
    )


@bp.route("/orgs/")
@login_required
def organisations(slug: str):
    """Staff: every organisation of the community, with its members, and a link to add one."""
    compound = get_compound(slug)
    permissions.require("manage_board", compound, current_user)
    found = db.session.scalars(
        db.select(Organisation)
        .where(Organisation.community_id == compound.community_id)
        .options(selectinload(Organisation.members).joinedload(OrgMember.person), joinedload(Organisation.compound))
        .order_by(Organisation.kind, Organisation.name)
    ).all()
    return render("boards/organisations.html", compound=compound, organisations=found)


@bp.route("/orgs/new", methods=["GET", "POST"])
@login_required
def new_organisation(slug: str):
    """Staff: add an organisation serving the community or one of its compounds."""
    compound = get_compound(slug)
    permissions.require("manage_board", compound, current_user)
    compounds = _compounds(compound)
    form = OrganisationForm(compounds=compounds)
    if request.method == "GET":
        form.compound.data = str(compound.id)
    if form.validate_on_submit():
        try:
            made = services.create_organisation(compound.community, current_user, **_identity(form, compounds))
        except Refused as error:
            form.name.errors = [*form.name.errors, error.sentence]
        else:
            flash(_("The organisation is added. Now add the people who act for it."), "success")
            return redirect(url_for("boards.edit_organisation", slug=slug, org_id=made.id), 303)
    return form_page("boards/organisation_form.html", compound=compound, form=form, organisation=None)


@bp.route("/org/<int:org_id>/edit", methods=["GET", "POST"])
@login_required
def edit_organisation(slug: str, org_id: int):
    """Staff: change an organisation, and add or remove its members."""
    compound = get_compound(slug)
    permissions.require("manage_board", compound, current_user)
    found = _community_organisation(compound, org_id)
    compounds = _compounds(compound)
    form = OrganisationForm(compounds=compounds, obj=None if request.method == "POST" else found)
    if request.method == "GET":
        form.kind.data = found.kind.value
        form.compound.data = str(found.compound_id or "")
    if form.validate_on_submit():
        try:
            services.change_organisation(found, current_user, **_identity(form, compounds))
        except Refused as error:
            form.name.errors = [*form.name.errors, error.sentence]
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("boards.edit_organisation", slug=slug, org_id=found.id), 303)
    return _edit_page(compound, found, form, MemberForm(formdata=None), form_status())


def _edit_page(compound, organisation, form, member_form, status: int):
    return render(
        "boards/organisation_form.html",
        compound=compound,
        organisation=organisation,
        form=form,
        member_form=member_form,
        status=status,
    )


@bp.route("/org/<int:org_id>/members", methods=["POST"])
@login_required
def add_member(slug: str, org_id: int):
    """Staff: add a member by account number or phone, with a title."""
    compound = get_compound(slug)
    permissions.require("manage_board", compound, current_user)
    found = _community_organisation(compound, org_id)
    member_form = MemberForm()
    if member_form.validate_on_submit():
        login = (member_form.login.data or "").strip()
        person = find_login(login) if login else None
        if person is None:
            member_form.login.errors = [sentence("not_found")]
        else:
            try:
                services.add_member(
                    found, current_user, person, member_form.title.data or "", bool(member_form.is_lead.data)
                )
            except Refused as error:
                member_form.login.errors = [error.sentence]
            else:
                flash(_("%(name)s is added.", name=person.name), "success")
                return redirect(url_for("boards.edit_organisation", slug=slug, org_id=found.id, _anchor="members"), 303)
    form = OrganisationForm(formdata=None, obj=found, compounds=_compounds(compound))
    form.kind.data, form.compound.data = found.kind.value, str(found.compound_id or "")
    return _edit_page(compound, found, form, member_form, 400)


@bp.route("/org/<int:org_id>/members/<int:member_id>/remove", methods=["POST"])
@login_required
def remove_member(slug: str, org_id: int, member_id: int):
    """Staff: remove a member (their past pledges stay under their name)."""
    compound = get_compound(slug)
    permissions.require("manage_board", compound, current_user)
    found = _community_organisation(compound, org_id)
    member = next((m for m in found.members if m.id == member_id), None)
    if member is None:
        abort(404)
    name = member.person.name
    services.remove_member(found, current_user, member)
    flash(_("%(name)s is no longer a member.", name=name), "success")
    return redirect(url_for("boards.edit_organisation", slug=slug, org_id=found.id, _anchor="members"), 303)
