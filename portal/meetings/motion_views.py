"""Routes for quick votes: the chair opens and closes a motion on an agenda item; attendees answer it in person."""

from __future__ import annotations

from functools import partial

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import permissions
from portal.extensions import db
from portal.htmx import refuse
from portal.meetings import access, bp, motions, views
from portal.meetings.forms import AnswerForm, MotionForm
from portal.meetings.models import Motion
from portal.refusals import Refused

# Refusals of what was sent: shown at the form's field; any other refusal is about the meeting or the vote (409).
TYPED = {"motion_text", "too_long", "answer"}


def _back(meeting, item_id: int):
    return redirect(
        url_for("meetings.show", slug=meeting.compound.slug, meeting_id=meeting.id) + f"#item-{item_id}", 303
    )


def _motion(meeting, motion_id: int) -> Motion:
    motion = db.session.scalar(db.select(Motion).where(Motion.id == motion_id, Motion.meeting_id == meeting.id))
    if motion is None:
        abort(404)
    return motion


def _step(compound, meeting, item_id: int, form, field, at: str, step, done: str):
    """`step(value)` with `field`'s value once `form` is valid: done → flash `done`, 303 to the item; refused by the
    meeting's or the vote's state → 409. Invalid, or refused for what was sent (at `field`) → the meeting page with
    400 and the form back at its control (`at`, the control's id), as sent."""
    if form.validate_on_submit():
        try:
            step(field.data)
        except Refused as error:
            if error.code not in TYPED:
                return refuse(409, error.sentence)
            field.errors = [error.sentence]
        else:
            flash(done, "success")
            return _back(meeting, item_id)
    return views.meeting_page(compound, meeting, status=400, refused={"at": at, "form": form})


@bp.route("/<int:meeting_id>/items/<int:item_id>/motions", methods=["POST"])
@login_required
def open_motion(slug: str, meeting_id: int, item_id: int):
    """发起表决: the chair opens a quick vote on an agenda item."""
    compound, meeting = access.load(slug, meeting_id, current_user, access.is_convenor)
    item = access.item_of(meeting, item_id)
    form = MotionForm()
    step = partial(motions.open_motion, meeting, item, current_user)
    done = _("The quick vote is open.")
    return _step(compound, meeting, item.id, form, form.text, f"motion-text-{item.id}", step, done)


@bp.route("/<int:meeting_id>/motions/<int:motion_id>/answer", methods=["POST"])
@login_required
def answer_motion(slug: str, meeting_id: int, motion_id: int):
    """表决: an attendee answers yes, no or abstain for themself (never for someone else)."""
    compound, meeting = access.load(slug, meeting_id, current_user)
    motion = _motion(meeting, motion_id)
    # Any field naming someone else is refused outright, whatever the form declares: there are no proxies.
    if any(name in request.values for name in motions.PROXY_FIELDS):
        return refuse(400, _("Nobody may answer for someone else: there are no proxies. Answer only for yourself."))
    permissions.require(access.can_answer(current_user, meeting), compound, current_user, shown=True)
    form = AnswerForm()
    step = partial(motions.answer, motion, meeting, current_user)
    done = _("Your answer is recorded. You can change it until the vote closes.")
    return _step(compound, meeting, motion.item_id, form, form.answer, f"answer-{motion.id}", step, done)


@bp.route("/<int:meeting_id>/motions/<int:motion_id>/close", methods=["POST"])
@login_required
def close_motion(slug: str, meeting_id: int, motion_id: int):
    """结束表决: the chair closes the vote; the counts and outcome are frozen."""
    compound, meeting = access.load(slug, meeting_id, current_user, motions.can_close)
    motion = _motion(meeting, motion_id)
    try:
        motions.close(motion, meeting, current_user)
    except Refused as error:
        return refuse(409, error.sentence)
    flash(_("The quick vote is closed."), "success")
    return _back(meeting, motion.item_id)
