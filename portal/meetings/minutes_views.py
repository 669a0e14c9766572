"""Routes for the minutes: write from the draft, send for sign-off, confirm or object, publish, addenda, print view.

Once published, every route that would change the text or the status answers 409 (the service refuses as well)."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import permissions
from portal.htmx import refuse, render
from portal.meetings import access, bp, minutes, motions, services
from portal.meetings.models import MinutesStatus
from portal.refusals import Refused, sentence


def _back(meeting):
    return redirect(url_for("meetings.show", slug=meeting.compound.slug, meeting_id=meeting.id) + "#minutes", 303)


def _refused(meeting, error: Refused):
    """Published → 409, not allowed → 403; anything else is shown on the meeting page."""
    if error.code == "published":
        return refuse(409, error.sentence)
    if error.code in ("not_allowed", "chair_only"):
        return refuse(403, error.sentence)
    flash(error.sentence, "error")
    return _back(meeting)


def _unless_published(meeting):
    """The 409 answer for published minutes (checked before anything else)."""
    current = minutes.get(meeting)
    if current is not None and current.status == MinutesStatus.published:
        return refuse(409, sentence("published"))
    return None


def _edit_page(compound, meeting, body: str, error: str | None = None, status: int = 200):
    return render(
        "meetings/minutes_edit.html",
        compound=compound,
        meeting=meeting,
        minutes=minutes.get(meeting),
        body=body,
        error=error,
        status=status,
    )


@bp.route("/<int:meeting_id>/minutes/edit")
@login_required
def edit_minutes(slug: str, meeting_id: int):
    """撰写纪要: the secretary's editor, starting from the portal's draft."""
    compound, meeting = access.load(slug, meeting_id, current_user)
    if (published := _unless_published(meeting)) is not None:
        return published
    current = minutes.get(meeting)
    permissions.require(minutes.can_write(current_user, meeting, current), compound, current_user, shown=True)
    body = current.body if current is not None and current.body else minutes.draft_text(meeting)
    return _edit_page(compound, meeting, body)


@bp.route("/<int:meeting_id>/minutes", methods=["POST"])
@login_required
def save_minutes(slug: str, meeting_id: int):
    """保存纪要: save the secretary's Markdown."""
    compound, meeting = access.load(slug, meeting_id, current_user)
    if (published := _unless_published(meeting)) is not None:
        return published
    permissions.require(
        minutes.can_write(current_user, meeting, minutes.get(meeting)), compound, current_user, shown=True
    )
    body = request.form.get("body", "")
    try:
        minutes.save(meeting, current_user, body)
    except Refused as error:
        if error.code == "minutes_empty":
            return _edit_page(compound, meeting, body, error.sentence, 400)
        return _refused(meeting, error)
    flash(_("The minutes are saved."), "success")
    return _back(meeting)


@bp.route("/<int:meeting_id>/minutes/submit", methods=["POST"])
@login_required
def submit_minutes(slug: str, meeting_id: int):
    """送签: send the minutes to the attendees for sign-off (saving the text sent with it first)."""
    compound, meeting = access.load(slug, meeting_id, current_user)
    if (published := _unless_published(meeting)) is not None:
        return published
    permissions.require(
        minutes.can_write(current_user, meeting, minutes.get(meeting)), compound, current_user, shown=True
    )
    try:
        if "body" in request.form:
            minutes.save(meeting, current_user, request.form["body"])
        minutes.submit(meeting, current_user)
    except Refused as error:
        if error.code == "minutes_empty" and "body" in request.form:
            return _edit_page(compound, meeting, request.form["body"], error.sentence, 400)
        return _refused(meeting, error)
    flash(_("The minutes are sent to the attendees for sign-off."), "success")
    return _back(meeting)


@bp.route("/<int:meeting_id>/minutes/sign-off", methods=["POST"])
@login_required
def sign_off_minutes(slug: str, meeting_id: int):
    """签字确认: an attendee confirms the minutes, or objects with a comment."""
    compound, meeting = access.load(slug, meeting_id, current_user)
    if (published := _unless_published(meeting)) is not None:
        return published
    permissions.require(access.has_signed_in(current_user, meeting), compound, current_user, shown=True)
    decision = request.form.get("decision")
    if decision not in ("confirm", "object"):
        return refuse(400, _("Choose whether you confirm or object."))
    try:
        minutes.sign_off(meeting, current_user, decision == "confirm", request.form.get("comment"))
    except Refused as error:
        return _refused(meeting, error)
    flash(_("Your sign-off is recorded.") if decision == "confirm" else _("Your objection is recorded."), "success")
    return _back(meeting)


@bp.route("/<int:meeting_id>/minutes/publish", methods=["POST"])
@login_required
def publish_minutes(slug: str, meeting_id: int):
    """公布纪要: publish the minutes (the chair may do so without every sign-off, with a reason)."""
    compound, meeting = access.load(slug, meeting_id, current_user)
    if (published := _unless_published(meeting)) is not None:
        return published
    permissions.require(
        minutes.can_publish(current_user, meeting, minutes.get(meeting)), compound, current_user, shown=True
    )
    try:
        minutes.publish(meeting, current_user, request.form.get("reason"))
    except Refused as error:
        return _refused(meeting, error)
    flash(_("The minutes are published and the decisions are posted to the notices."), "success")
    return _back(meeting)


@bp.route("/<int:meeting_id>/minutes/addenda", methods=["POST"])
@login_required
def add_addendum(slug: str, meeting_id: int):
    """补充说明: a dated correction under published minutes."""
    compound, meeting = access.load(slug, meeting_id, current_user)
    permissions.require(
        minutes.can_add_addendum(current_user, meeting, minutes.get(meeting)), compound, current_user, shown=True
    )
    try:
        minutes.add_addendum(meeting, current_user, request.form.get("body", ""))
    except Refused as error:
        return _refused(meeting, error)
    flash(_("The addendum is added under the minutes."), "success")
    return _back(meeting)


@bp.route("/<int:meeting_id>/minutes/print")
def print_minutes(slug: str, meeting_id: int):
    """打印纪要: the minutes on one A4 page layout, with attendance, decisions, sign-offs and addenda."""
    compound, meeting = access.load(slug, meeting_id, current_user)
    current = minutes.get(meeting)
    if not minutes.can_read(current_user, meeting, current):
        abort(404)
    present = services.attendees(meeting)
    return render(
        "meetings/minutes_print.html",
        compound=compound,
        meeting=meeting,
        minutes=current,
        present=present,
        quorum=services.quorum(meeting, present),
        decisions=[m for m in motions.of_meeting(meeting) if m.closed_at is not None],
        signoffs=minutes.signoff_lines(meeting, current),
    )
