"""本户投票人: who votes for a co-owned unit, named by its owners in the portal or recorded by staff from paper.

Every step is a plain form (POST → 303 → GET); a refused one comes back with 400 and the error at its field.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import permissions
from portal.compounds.services import get_compound
from portal.coowners import access, bp, services
from portal.coowners.forms import AnswerForm, PaperForm, ProposeForm
from portal.htmx import form_status, render
from portal.inputs import page_number
from portal.refusals import Refused

PAGE_SIZE = 50  # units a page of the staff list shows


def _unit(slug: str, unit_id: int):
    """(compound, unit with its owners) for one of its owners; 404 for everyone else."""
    compound = get_compound(slug)
    unit = services.find_unit(compound, unit_id)
    state = services.unit_voter(unit) if unit is not None else None
    if state is None or not access.can_name_voter(current_user, state):
        abort(404)
    return compound, state


def _page(compound, state, propose_form=None, answer_form=None, status: int = 200):
    """The unit's voter page, with a refused form's errors at its fields."""
    return render(
        "coowners/unit.html",
        compound=compound,
        state=state,
        propose_form=propose_form or ProposeForm(formdata=None, owners=state.owners),
        answer_form=answer_form or AnswerForm(formdata=None),
        last=services.last_change(state.unit),
        status=status,
    )


@bp.route("/c/<slug>/units/<int:unit_id>/voter")
@login_required
def unit(slug: str, unit_id: int):
    """Who votes for this unit, the open proposal and what the reader can do about it."""
    compound, state = _unit(slug, unit_id)
    return _page(compound, state)


@bp.route("/c/<slug>/units/<int:unit_id>/voter/propose", methods=["POST"])
@login_required
def propose(slug: str, unit_id: int):
    """Propose who votes for the unit; the other owners are asked to confirm."""
    compound, state = _unit(slug, unit_id)
    form = ProposeForm(owners=state.owners)
    if form.validate_on_submit():
        try:
            services.propose(state.unit, current_user, form.voter.data)
        except Refused as error:
            form.voter.errors = [*form.voter.errors, error.sentence]
        else:
            flash(_("Proposal sent. The other owners of the unit are asked to confirm it."), "success")
            return redirect(url_for("coowners.unit", slug=slug, unit_id=unit_id), 303)
    return _page(compound, services.unit_voter(state.unit), propose_form=form, status=400)


@bp.route("/c/<slug>/units/<int:unit_id>/voter/answer", methods=["POST"])
@login_required
def answer(slug: str, unit_id: int):
    """Confirm or decline the open proposal, or withdraw one's own."""
    compound, state = _unit(slug, unit_id)
    form = AnswerForm()
    if form.validate_on_submit():
        step = {"confirm": services.confirm, "decline": services.decline, "withdraw": services.withdraw}
        try:
            switched = step[form.answer.data](state.unit, current_user, form.proposal_id())
        except Refused as error:
            form.form_errors.append(error.sentence)
        else:
            flash(_answered(form.answer.data, switched), "success")
            return redirect(url_for("coowners.unit", slug=slug, unit_id=unit_id), 303)
    return _page(compound, services.unit_voter(state.unit), answer_form=form, status=400)


def _answered(answer: str, switched) -> str:
    """What the flash says after an answer."""
    if answer == "confirm":
        return _("Confirmed. The new voter votes in votes that open from now on.") if switched else _("Confirmed.")
    if answer == "decline":
        return _("Declined. The unit's voter stays the same.")
    return _("Proposal withdrawn.")


# Staff: the signed paper form


def _staff_compound(slug: str):
    """The compound, for its community's staff; the pages do not exist for anyone else (404)."""
    if not permissions.is_staff(current_user):
        abort(404)
    compound = get_compound(slug)
    permissions.require(access.can_record_paper(current_user, compound), compound, current_user)
    return compound


@bp.route("/staff/c/<slug>/voters")
@login_required
def staff_list(slug: str):
    """Units with several owners and who votes for each; a room or name filters the list."""
    compound = _staff_compound(slug)
    query = request.args.get("q", "")[:100]
    units = services.co_owned_units(compound, query)
    pages = max(1, -(-len(units) // PAGE_SIZE))
    number = min(page_number(request.args.get("page")), pages)
    return render(
        "coowners/staff_list.html",
        compound=compound,
        units=units[(number - 1) * PAGE_SIZE : number * PAGE_SIZE],
        total=len(units),
        number=number,
        pages=pages,
        q=query,
    )


@bp.route("/staff/c/<slug>/voters/<int:unit_id>", methods=["GET", "POST"])
@login_required
def staff_unit(slug: str, unit_id: int):
    """Record the voter named on the paper form signed by every owner of the unit: effective at once."""
    compound = _staff_compound(slug)
    unit = services.find_unit(compound, unit_id)
    if unit is None:
        abort(404)
    state = services.unit_voter(unit)
    form = PaperForm(owners=state.owners)
    if form.validate_on_submit():
        if not form.signed.data:
            form.signed.errors = [*form.signed.errors, Refused("not_confirmed").sentence]
        else:
            try:
                record = services.record_paper(unit, current_user, form.voter.data, form.reference.data)
            except Refused as error:
                target = form.reference if error.code == "too_long" else form.voter
                target.errors = [*target.errors, error.sentence]
            else:
                flash(
                    _("%(room)s: %(name)s now votes for the unit.", room=unit.label, name=record.nominee.name),
                    "success",
                )
                return redirect(url_for("coowners.staff_list", slug=slug), 303)
    return render(
        "coowners/staff_unit.html",
        compound=compound,
        state=state,
        form=form,
        last=services.last_change(unit),
        status=form_status(),
    )
