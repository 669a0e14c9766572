"""Staff pages. Every view asks the permissions module first."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from portal import permissions
from portal.accounts.models import CodeState
from portal.accounts.services import revoke_codes
from portal.compounds import services as compounds
from portal.compounds.models import Community
from portal.extensions import db
from portal.htmx import form_status, render, wants_partial
from portal.refusals import sentence
from portal.roles import services as roles
from portal.roles.models import CommitteePost, Role
from portal.security import safe_next
from portal.staff import bp, letters, services
from portal.staff.forms import BackForm, CompoundForm, InviteForm, LettersForm, RoleForm
from portal.voting import lifecycle
from portal.voting import services as voting
from portal.voting.models import VoteStatus

CODE_STATES = tuple(CodeState)
# Votes staff still have a step to take in (drafts to announce, results to certify).
RUNNING = (VoteStatus.draft, VoteStatus.announced, VoteStatus.open, VoteStatus.closed, VoteStatus.preliminary)


def _compound(slug: str, action: str = "manage_compound"):
    compound = compounds.get_compound(slug)
    permissions.require(action, compound, current_user)
    return compound


def _person(compound, person_id: int):
    """A person with a role in this compound, or 404 (staff act only on their compound's people)."""
    person = services.person_in(compound, person_id)
    if person is None:
        abort(404)
    return person


def _communities() -> list[Community]:
    query = db.select(Community).order_by(Community.name)
    if not permissions.is_admin(current_user):
        query = query.where(Community.id.in_(permissions.staff_community_ids(current_user)))
    return list(db.session.scalars(query))


@bp.before_request
@login_required
def _staff_only():
    """The staff area exists only for staff: others get 404."""
    if not permissions.is_staff(current_user):
        abort(404)


@bp.route("/", methods=["GET", "POST"])
def index():
    """工作台: the compounds of my communities, and a form to create one."""
    communities = _communities()
    form = CompoundForm()
    form.community_id.choices = [SelectChoice(str(c.id), c.name) for c in communities]
    if form.validate_on_submit():
        community = db.session.get(Community, form.community_id.data)
        if community is None or not permissions.may_create_compound(current_user, community):
            abort(403)
        compound = compounds.create_compound(form.slug.data, form.name.data, community, current_user)
        flash(_("Compound %(name)s created.", name=compound.name), "info")
        return redirect(url_for("staff.compound", slug=compound.slug), 303)
    return render(
        "staff/index.html",
        communities=communities,
        form=form,
        status=form_status(),
    )


@bp.route("/c/<slug>/")
def compound(slug: str):
    """A compound's staff overview: register totals, the tasks, and every vote still running with its desk."""
    compound = _compound(slug)
    running = []
    for vote in voting.votes_of(compound, include_drafts=True, draft_elections=True):
        lifecycle.keep_time(vote)  # listed as its window now has it, like the votes page
        if vote.status in RUNNING:
            running.append(vote)
    return render("staff/compound.html", compound=compound, totals=compounds.totals(compound), votes=running)


def _int_arg(name: str) -> int | None:
    """A whole-number query argument, or None when absent or not a number (a hand-edited address is not an error)."""
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


@bp.route("/c/<slug>/people")
def people(slug: str):
    """People and roles: searched, filtered by building, role and account, 50 to a page (htmx swaps only the list)."""
    compound = _compound(slug, "manage_roles")
    return _people_page(compound)


def _people_page(compound, status: int = 200, letters_form=None):
    """The people page as the query string filters it, or its list for htmx; a refused `letters_form` shows its
    errors at its fields."""
    buildings = services.places(compound)
    building = _int_arg("building")
    if building is not None and building not in {b.id for b in buildings}:
        building = 0  # another compound's building, or none at all: nobody lives there
    filters = {
        "q": request.args.get("q", "")[:100],
        "building": building,
        "role": request.args.get("role", "") if request.args.get("role") in set(Role) else "",
        "state": request.args.get("state", "") if request.args.get("state") in set(CODE_STATES) else "",
    }
    found = services.people_page(
        compound,
        filters["q"],
        filters["building"],
        filters["role"],
        filters["state"],
        page=_int_arg("page") or 1,
        buildings=buildings,
    )
    if letters_form is None:
        letters_form = LettersForm(
            buildings=buildings, formdata=None, data={"building": str(filters["building"] or "")}
        )
    kept = {key: value for key, value in filters.items() if value}
    return render(
        "staff/people.html",
        "staff/_people_table.html",
        status=status,
        compound=compound,
        found=found,
        rows=found.rows,
        buildings=buildings,
        filters=filters,
        page_url=lambda page: url_for(
            "staff.people", slug=compound.slug, **kept, **({"page": page} if page > 1 else {})
        ),
        roles=list(Role),
        states=CODE_STATES,
        letters_form=letters_form,
    )


@bp.route("/c/<slug>/people/<int:person_id>")
def person(slug: str, person_id: int):
    """One person's roles (and code) on a page of their own; htmx gets the role chips alone, to open in the list."""
    compound = _compound(slug, "manage_roles")
    return _person_page(compound, _person(compound, person_id))


def _person_page(compound, person, status: int = 200, role_form=None):
    """The person's page, or their role chips for htmx; a refused `role_form` shows its errors at the chips or post."""
    row = services.person_row(compound, person)
    if row is None:  # their last role was just taken: they left the compound's list
        return render("staff/_empty.html", "staff/_empty.html")
    return render(
        "staff/person.html",
        "staff/_person_roles.html",
        status=status,
        compound=compound,
        row=row,
        managed=roles.MANAGED_ROLES,
        posts=list(CommitteePost),
        role_form=role_form,
    )


@bp.route("/c/<slug>/people/<int:person_id>/roles", methods=["POST"])
def set_role(slug: str, person_id: int):
    """Give (once confirmed) or take one role, or change a committee post; htmx gets the updated chips back."""
    compound = _compound(slug, "manage_roles")
    person = _person(compound, person_id)
    form = RoleForm()
    if not form.validate_on_submit():
        return _person_page(compound, person, status=400, role_form=form)
    role = Role(form.role.data)
    if form.action.data == "remove":
        roles.remove(person, compound, role, current_user)
    elif roles.membership(person, compound, role) is None and not form.confirm.data:
        # A new role is never one stray tap on a chip: the chips ask again, with a box the server requires.
        form.confirm.errors = [sentence("not_confirmed")]
        return _person_page(compound, person, status=400, role_form=form)
    else:
        post = CommitteePost(form.post.data) if form.post.data else None
        roles.grant(person, compound, role, current_user, post)
    if wants_partial():
        return _person_page(compound, person)
    if services.person_in(compound, person.id) is None:  # the last role was removed: they left the list
        return redirect(url_for("staff.people", slug=slug), 303)
    flash(_("Roles of %(name)s updated.", name=person.name), "info")
    return redirect(url_for("staff.person", slug=slug, person_id=person.id), 303)


@bp.route("/c/<slug>/invite", methods=["GET", "POST"])
def invite(slug: str):
    """邀请: add a resident or helper who is not in the register, and print their letter."""
    compound = _compound(slug, "manage_codes")
    form = InviteForm()
    if form.validate_on_submit():
        from portal.accounts.services import phone_taken

        if form.phone.data and phone_taken(form.phone.data):
            form.phone.errors = [_("This phone number is already used by another account.")]
        else:
            issued = services.invite(compound, form.name.data, form.phone.data, Role(form.role.data), current_user)
            return _letters_response(compound, [issued])
    return render("staff/invite.html", compound=compound, form=form, status=form_status())


@bp.route("/c/<slug>/codes/<int:person_id>/revoke", methods=["POST"])
def revoke(slug: str, person_id: int):
    """Revoke a person's unused codes."""
    compound = _compound(slug, "manage_codes")
    person = _person(compound, person_id)
    form = BackForm()
    count = revoke_codes(person, compound, current_user)
    flash(_("%(n)d code(s) of %(name)s revoked.", n=count, name=person.name), "info")
    back = url_for("staff.people", slug=slug, state="valid")
    return redirect(safe_next(form.next.data, back), 303)


@bp.route("/c/<slug>/letters", methods=["POST"])
def issue_letters(slug: str):
    """Issue fresh codes to the chosen people, or to everyone not yet activated (in one building or all), and show
    their letters, one A4 sheet each.

    The codes exist in plain text only in this response (they are stored hashed), so it is rendered directly
    rather than redirected, and never cached.
    """
    compound = _compound(slug, "manage_codes")
    form = LettersForm(members=lambda ids: services.members_among(compound, ids), buildings=services.places(compound))
    if not form.validate_on_submit():
        return _people_page(compound, status=400, letters_form=form)
    everyone = form.scope.data == "all_inactive"
    ids = services.not_activated(compound, form.building_id()) if everyone else form.chosen()
    issued = services.issue_letters(compound, ids, current_user)
    if not issued:
        flash(_("Nobody chosen needs a letter: everyone chosen has already activated."), "error")
        return redirect(url_for("staff.people", slug=slug), 303)
    return _letters_response(compound, issued)


def _letters_response(compound, issued):
    rooms = services.rooms(compound, [item.person.id for item in issued])
    letters_ = [
        {
            "person": item.person,
            "code": item.code,
            "expires_at": item.expires_at,
            "rooms": rooms[item.person.id],
            "qr": letters.qr_svg(letters.activation_url(item.code), _("QR code to open the activation page")),
            "url": letters.activation_url(item.code),
        }
        for item in issued
    ]
    response = render("staff/letters.html", compound=compound, letters=letters_)
    response.headers["Cache-Control"] = "no-store"
    return response
