"""The turnout drive's pages: captains named by committee and staff; each captain's doors; the visits; the file."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import permissions
from portal.compounds.models import Building, Entrance, Unit
from portal.compounds.services import get_compound
from portal.drive import access, bp, services
from portal.drive.forms import CaptainForm, RemoveCaptainForm, VisitForm
from portal.drive.models import VisitOutcome
from portal.extensions import db, login_manager
from portal.htmx import render, wants_partial
from portal.refusals import Refused, sentence
from portal.voting import loading


def _hidden_unless(allowed: bool) -> None:
    """Go on when allowed; else a login for visitors and 404 for everyone else (a list of doors is nobody's
    business but its captain's, committee's and staff's)."""
    if allowed:
        return
    if permissions.signed_in(current_user) is None:
        abort(login_manager.unauthorized())
    abort(404)


# --- Captains (committee and staff) -----------------------------------------------------------------------------


@bp.route("/captains", methods=["GET", "POST"])
def captains(slug: str):
    """楼栋长/单元长: the captains of each building, and naming one (confirmed by a box the server requires)."""
    compound = get_compound(slug)
    permissions.require(access.can_assign_captains(current_user, compound), compound, current_user)
    places = services.places(compound)
    form = CaptainForm(places)
    status = 200
    if form.is_submitted():
        status = 400
        if form.validate():
            if not form.confirm.data:
                form.confirm.errors = [sentence("not_confirmed")]
            else:
                try:
                    person = services.candidate(compound, form.person.data)
                    building, entrance = _place(compound, form.place.data)
                    services.assign(compound, person, building, entrance, current_user)
                except Refused as error:
                    field = form.place if error.code.startswith("captain_place") else form.person
                    field.errors = [error.sentence]
                else:
                    flash(_("%(name)s is now a captain.", name=person.name), "info")
                    return redirect(url_for("drive.captains", slug=slug), 303)
    return render(
        "drive/captains.html",
        compound=compound,
        captains=services.captains_of(compound),
        form=form,
        remove_form=RemoveCaptainForm(formdata=None),
        status=status,
    )


def _place(compound, value: str) -> tuple[Building, Entrance | None]:
    """The building (and entrance) a choice "b<id>" / "e<id>" names, of this compound only."""
    kind, number = value[:1], value[1:]
    if not number.isdigit():
        raise Refused("captain_place")
    if kind == "e":
        entrance = db.session.get(Entrance, int(number))
        if entrance is None or entrance.building.compound_id != compound.id:
            raise Refused("captain_place")
        return entrance.building, entrance
    building = db.session.get(Building, int(number))
    if kind != "b" or building is None or building.compound_id != compound.id:
        raise Refused("captain_place")
    return building, None


@bp.route("/captains/<int:captain_id>/remove", methods=["POST"])
def remove_captain(slug: str, captain_id: int):
    """End one captaincy."""
    compound = get_compound(slug)
    permissions.require(access.can_assign_captains(current_user, compound), compound, current_user)
    captain = services.captain_in(compound, captain_id)
    if captain is None:
        abort(404)
    if not RemoveCaptainForm().validate_on_submit():
        abort(400)
    name = captain.person.name
    services.remove(captain, current_user)
    flash(_("%(name)s is no longer captain there.", name=name), "info")
    return redirect(url_for("drive.captains", slug=slug), 303)


# --- A captain's doors -------------------------------------------------------------------------------------------


@bp.route("/")
def mine(slug: str):
    """我负责的楼栋: the buildings (or entrances) I drive, for each open vote; all of them for committee and staff."""
    compound = get_compound(slug)
    drives = access.can_assign_captains(current_user, compound)
    _hidden_unless(drives or access.is_captain(current_user, compound))
    return render(
        "drive/mine.html",
        compound=compound,
        votes=services.open_votes(compound),
        buildings=services.buildings_for(current_user, compound),
        drives=drives,
    )


def _building(slug: str, vote_id: int, building_id: int):
    """(compound, vote, building, scope) for this person, or 404."""
    compound, vote = loading.load(slug, vote_id)
    building = db.session.get(Building, building_id)
    scope = None if building is None else access.scope_in(current_user, vote, building)
    _hidden_unless(scope is not None)
    return compound, vote, building, scope


@bp.route("/votes/<int:vote_id>/buildings/<int:building_id>")
def doors(slug: str, vote_id: int, building_id: int):
    """未投票的住户: the units of my scope whose right is unused, with the last visit and a form to record one."""
    compound, vote, building, scope = _building(slug, vote_id, building_id)
    page = request.args.get("page", "")
    found = services.page_of(services.doors(vote, building, scope), int(page) if page.isdigit() else 1)
    return render(
        "drive/doors.html",
        compound=compound,
        vote=vote,
        building=building,
        found=found,
        doors=found.rows,
        page_url=lambda n: url_for(
            "drive.doors", slug=slug, vote_id=vote.id, building_id=building.id, **({"page": n} if n > 1 else {})
        ),
        partial_scope=scope.entrances is not None,
        may_export=access.can_export(current_user, vote),
        form=VisitForm(formdata=None),
        outcomes=list(VisitOutcome),
    )


@bp.route("/votes/<int:vote_id>/buildings/<int:building_id>.csv")
def doors_csv(slug: str, vote_id: int, building_id: int):
    """The building's non-voters as CSV (UTF-8 with a BOM) for committee and staff, with the last visit of each."""
    _compound, vote, building, scope = _building(slug, vote_id, building_id)
    _hidden_unless(access.can_export(current_user, vote))
    response = make_response(services.doors_csv(services.doors(vote, building, scope)).encode("utf-8"))
    response.mimetype = "text/csv"
    response.charset = "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="vote-{vote.id}-building-{building.id}.csv"'
    return response


def _unit(slug: str, vote_id: int, unit_id: int):
    """(compound, vote, unit) when this person may visit the unit in this vote, else 404."""
    compound, vote = loading.load(slug, vote_id)
    unit = db.session.get(Unit, unit_id)
    _hidden_unless(unit is not None and access.can_visit(current_user, vote, unit) and services.on_roll(vote, unit))
    return compound, vote, unit


@bp.route("/votes/<int:vote_id>/units/<int:unit_id>", methods=["GET", "POST"])
def unit(slug: str, vote_id: int, unit_id: int):
    """A unit's visit log (newest first), and recording a visit: 303 back to the list at the unit, or its row for
    htmx."""
    compound, vote, unit = _unit(slug, vote_id, unit_id)
    form = VisitForm()
    error = None
    if form.is_submitted():
        if form.validate():
            try:
                services.record_visit(vote, unit, current_user, VisitOutcome(form.outcome.data), form.note.data)
            except Refused as refused:
                error = refused
            else:
                if wants_partial():
                    return _row(compound, vote, unit, recorded=True)
                flash(_("Visit recorded: %(room)s.", room=unit.label), "info")
                return redirect(_back_to(vote, unit), 303)
        status = 409 if error is not None else 400
        if wants_partial():
            return _row(compound, vote, unit, form=form, error=error, status=status)
    else:
        status = 200
    found = services.doors(vote, unit.building, access.Scope(None), unit_id=unit.id)
    return render(
        "drive/unit.html",
        compound=compound,
        vote=vote,
        unit=unit,
        door=found[0] if found else None,
        visits=services.visits_of(vote, unit),
        form=form if status != 200 else VisitForm(formdata=None),
        error=error,
        outcomes=list(VisitOutcome),
        status=status,
    )


def _back_to(vote, unit) -> str:
    """The list of the unit's building, at the page and the row of the unit."""
    scope = access.scope_in(current_user, vote, unit.building)
    page = services.page_with(services.doors(vote, unit.building, scope), unit.id) if scope else 1
    extra = {"page": page} if page > 1 else {}
    back = url_for("drive.doors", slug=vote.compound.slug, vote_id=vote.id, building_id=unit.building_id, **extra)
    return f"{back}#unit-{unit.id}"


def _row(compound, vote, unit, form=None, error=None, status: int = 200, recorded: bool = False):
    """The unit's row of the list, as it is now (empty once the owner has voted)."""
    found = services.doors(vote, unit.building, access.Scope(None), unit_id=unit.id)
    return render(
        "drive/_door.html",
        "drive/_door.html",
        compound=compound,
        vote=vote,
        door=found[0] if found else None,
        unit_id=unit.id,
        form=form or VisitForm(formdata=None),
        error=error,
        recorded=recorded,
        outcomes=list(VisitOutcome),
        status=status,
    )
