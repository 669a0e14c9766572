"""Compound pages."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import permissions
from portal.boards.board import home_summary
from portal.compounds import bp, services
from portal.compounds.forms import NoticeForm
from portal.compounds.models import Notice
from portal.drive import access as drive
from portal.extensions import db
from portal.htmx import render
from portal.meetings.mine import needing
from portal.needs.services import counts
from portal.voting.reminders import awaiting
from portal.voting.services import votes_of


@bp.route("/")
def home(slug: str):
    """小区首页: name and public notices for everyone; member notices and sections for members."""
    compound = services.get_compound(slug)
    permissions.require("view_public", compound, current_user)
    return _home(compound, NoticeForm() if permissions.may(current_user, "post_notice", compound) else None)


def _home(compound, form, status: int = 200):
    """Render the compound home: what waits for the reader first (votes, then meetings), then the notices; also with
    a notice form that failed validation."""
    member = permissions.may(current_user, "view_members", compound)
    return render(
        "compounds/home.html",
        compound=compound,
        member=member,
        awaiting=awaiting(compound, current_user),
        captain=member and drive.is_captain(current_user, compound),
        meetings=needing(compound, current_user),
        board=home_summary(compound),
        needs=counts(compound),
        notices=services.notices(compound, members=member),
        votes=votes_of(
            compound, include_drafts=False, draft_elections=permissions.may(current_user, "view_roll", compound)
        )[:3]
        if member
        else [],
        form=form,
        status=status,
    )


@bp.route("/notices/<int:notice_id>")
def notice(slug: str, notice_id: int):
    """One notice; member notices only for members."""
    compound = services.get_compound(slug)
    item = db.session.get(Notice, notice_id)
    if item is None or item.compound_id != compound.id:
        abort(404)
    permissions.require("view_public" if item.is_public else "view_members", compound, current_user)
    return render("compounds/notice.html", compound=compound, notice=item)


@bp.route("/notices", methods=["POST"])
def post_notice(slug: str):
    """发布公告 (committee and staff)."""
    compound = services.get_compound(slug)
    permissions.require("post_notice", compound, current_user)
    form = NoticeForm()
    if form.validate_on_submit():
        services.post_notice(compound, form.title.data, form.body.data or "", form.is_public.data, current_user)
        flash(_("The notice is published."), "info")
        return redirect(url_for("compounds.home", slug=slug), 303)
    return _home(compound, form, status=400)


@bp.route("/roll")
def roll(slug: str):
    """业主名册: every unit with its area and the totals; rooms and areas, never names."""
    compound = services.get_compound(slug)
    permissions.require("view_roll", compound, current_user)
    return render(
        "compounds/roll.html", compound=compound, units=services.roll(compound), totals=services.totals(compound)
    )


@bp.route("/committee")
def committee(slug: str):
    """业主委员会: members and their posts (members of the compound only)."""
    compound = services.get_compound(slug)
    permissions.require("view_members", compound, current_user)
    return render("compounds/committee.html", compound=compound, members=services.committee(compound))
