"""Routes for quick votes: the chair opens and closes a motion on an agenda item; attendees answer it in person."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import permissions
from portal.extensions import db
from portal.htmx import refuse
from portal.meetings import access, bp, motions, views
from portal.meetings.models import AgendaItem, Motion
from portal.refusals import Refused


def _back(meeting, item_id: int):
    return redirect(
        url_for("meetings.show", slug=meeting.compound.slug, meeting_id=meeting.id) + f"#item-{item_id}", 303
    )


def _motion(meeting, motion_id: int) -> Motion:
    motion = db.session.scalar(db.select(Motion).where(Motion.id == motion_id, Motion.meeting_id == meeting.id))
    if motion is None:
        abort(404)
    return motion


@bp.route("/<int:meeting_id>/items/<int:item_id>/motions", methods=["POST"])
@login_required
def open_motion(slug: str, meeting_id: int, item_id: int):
    """发起表决: the chair opens a quick vote on an agenda item."""
    compound, meeting = access.load(slug, meeting_id, current_user)
    item = db.session.scalar(db.select(AgendaItem).where(AgendaItem.id == item_id, AgendaItem.meeting_id == meeting.id))
    if item is None:
        abort(404)
    permissions.require(access.is_convenor(current_user, meeting), compound, current_user, shown=True)
    text = request.form.get("text", "")
    try:
        motions.open_motion(meeting, item, current_user, text)
    except Refused as error:
        if error.code != "motion_text":  # the meeting's state, not the words: nothing to correct at the field
            return refuse(409, error.sentence)
        refused = {"item_id": item.id, "motion_error": error.sentence, "motion_text": text}
        return views.meeting_page(compound, meeting, status=400, refused=refused)
    flash(_("The quick vote is open."), "success")
    return _back(meeting, item.id)


@bp.route("/<int:meeting_id>/motions/<int:motion_id>/answer", methods=["POST"])
@login_required
def answer_motion(slug: str, meeting_id: int, motion_id: int):
    """表决: an attendee answers yes, no or abstain for themself (never for someone else)."""
    compound, meeting = access.load(slug, meeting_id, current_user)
    motion = _motion(meeting, motion_id)
    if any(name in request.values for name in motions.PROXY_FIELDS):
        return refuse(400, _("Nobody may answer for someone else: there are no proxies. Answer only for yourself."))
    permissions.require(access.can_answer(current_user, meeting), compound, current_user, shown=True)
    try:
        motions.answer(motion, meeting, current_user, request.form.get("answer", ""))
    except Refused as error:
        if error.code in ("motion_closed", "record_closed"):
            return refuse(409, error.sentence)
        flash(error.sentence, "error")
    else:
        flash(_("Your answer is recorded. You can change it until the vote closes."), "success")
    return _back(meeting, motion.item_id)


@bp.route("/<int:meeting_id>/motions/<int:motion_id>/close", methods=["POST"])
@login_required
def close_motion(slug: str, meeting_id: int, motion_id: int):
    """结束表决: the chair closes the vote; the counts and outcome are frozen."""
    compound, meeting = access.load(slug, meeting_id, current_user)
    motion = _motion(meeting, motion_id)
    permissions.require(motions.can_close(current_user, meeting), compound, current_user, shown=True)
    try:
        motions.close(motion, meeting, current_user)
    except Refused as error:
        return refuse(409, error.sentence)
    flash(_("The quick vote is closed."), "success")
    return _back(meeting, motion.item_id)
