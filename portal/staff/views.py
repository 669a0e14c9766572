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
from portal.register.services import rooms_of
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


@bp.route("/c/<slug>/people")
def people(slug: str):
    """People and roles, filtered as you type (htmx swaps only the table)."""
    compound = _compound(slug, "manage_roles")
    q, role, state = request.args.get("q", ""), request.args.get("role", ""), request.args.get("state", "")
    return _people_page(
        compound,
        "staff/_people_table.html",
        rows=services.people(compound, q, role, state),
        q=q,
        role=role,
        state=state,
    )


def _people_page(compound, partial: str, status: int = 200, rows=None, **context):
    """The people page, or its `partial` for htmx; a form that failed (`role_form` of `role_person_id`'s row, or
    `letters_form`) shows its errors at its fields."""
    context = {
        "q": "",
        "role": "",
        "state": "",
        "role_form": None,
        "role_person_id": None,
        "letters_form": None,
    } | context
    return render(
        "staff/people.html",
        partial,
        status=status,
        compound=compound,
        rows=services.people(compound) if rows is None else rows,
        roles=list(Role),
        managed=roles.MANAGED_ROLES,
        posts=list(CommitteePost),
        states=CODE_STATES,
        **context,
    )


@bp.route("/c/<slug>/people/<int:person_id>/roles", methods=["POST"])
def set_role(slug: str, person_id: int):
    """Give (once confirmed) or take one role, or change a committee post; htmx gets the updated row back."""
    compound = _compound(slug, "manage_roles")
    person = _person(compound, person_id)
    form = RoleForm()
    if not form.validate_on_submit():
        return _person_row(compound, person, status=400, role_form=form, role_person_id=person.id)
    role = Role(form.role.data)
    if form.action.data == "remove":
        roles.remove(person, compound, role, current_user)
    elif roles.membership(person, compound, role) is None and not form.confirm.data:
        # A new role is never one stray tap on a chip: the row asks again, with a box the server requires.
        form.confirm.errors = [sentence("not_confirmed")]
        return _person_row(compound, person, status=400, role_form=form, role_person_id=person.id)
    else:
        post = CommitteePost(form.post.data) if form.post.data else None
        roles.grant(person, compound, role, current_user, post)
    if wants_partial():
        return _person_row(compound, person)
    if services.person_in(compound, person.id) is not None:  # else the last role was removed: they left the list
        flash(_("Roles of %(name)s updated.", name=person.name), "info")
    return redirect(url_for("staff.people", slug=slug), 303)


def _person_row(compound, person, status: int = 200, **context):
    """The person's row of the people page (the page itself without htmx); nothing once their last role is gone."""
    rows = services.people(compound)
    row = next((r for r in rows if r.person.id == person.id), None)
    if row is None:
        return render("staff/_empty.html", "staff/_empty.html")
    return _people_page(compound, "staff/_person_row.html", status=status, rows=rows, row=row, **context)


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
    """Issue fresh codes to the chosen people and show their letters, one A4 sheet each.

    The codes exist in plain text only in this response (they are stored hashed), so it is rendered directly
    rather than redirected, and never cached.
    """
    compound = _compound(slug, "manage_codes")
    rows = services.people(compound)
    form = LettersForm(people=[r.person for r in rows])
    if not form.validate_on_submit():
        return _people_page(compound, "staff/_people_table.html", status=400, rows=rows, letters_form=form)
    if form.scope.data == "all_inactive":
        ids = [r.person.id for r in rows if r.code_state != "active"]
    else:
        ids = form.chosen()
    issued = services.issue_letters(compound, ids, current_user)
    if not issued:
        flash(_("Nobody chosen needs a letter: everyone chosen has already activated."), "error")
        return redirect(url_for("staff.people", slug=slug), 303)
    return _letters_response(compound, issued)


def _letters_response(compound, issued):
    letters_ = [
        {
            "person": item.person,
            "code": item.code,
            "expires_at": item.expires_at,
            "rooms": rooms_of(compound, item.person),
            "qr": letters.qr_svg(letters.activation_url(item.code), _("QR code to open the activation page")),
            "url": letters.activation_url(item.code),
        }
        for item in issued
    ]
    response = render("staff/letters.html", compound=compound, letters=letters_)
    response.headers["Cache-Control"] = "no-store"
    return response
