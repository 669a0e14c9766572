"""Routes for the minutes: write from the draft, send for sign-off, confirm or object, publish, addenda, print view.

Once published, every route that would change the text or the status answers 409 (the service refuses as well)."""

from __future__ import annotations

from functools import partial

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import permissions
from portal.htmx import refuse, render
from portal.meetings import access, bp, minutes, motions, services, views
from portal.meetings.forms import AddendumForm, MinutesForm, PublishForm, SignOffForm
from portal.meetings.models import MinutesStatus
from portal.refusals import Refused, sentence

# Refusals of what was typed: shown at the form's field; any other refusal is about the minutes' state.
TYPED = {"minutes_empty", "empty", "too_long", "comment", "publish_reason"}


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


def _unpublished(slug: str, meeting_id: int, may):
    """(compound, meeting) for a change of minutes that are not published: 409 once they are (checked before
    anything else), then 403 for a reader whom `may` (person, meeting, minutes) does not allow."""
    compound, meeting = access.load(slug, meeting_id, current_user)
    current = minutes.get(meeting)
    if current is not None and current.status == MinutesStatus.published:
        abort(refuse(409, sentence("published")))
    permissions.require(may(current_user, meeting, current), compound, current_user, shown=True)
    return compound, meeting


def _edit_page(compound, meeting, form: MinutesForm, status: int = 200):
    return render(
        "meetings/minutes_edit.html",
        compound=compound,
        meeting=meeting,
        minutes=minutes.get(meeting),
        form=form,
        status=status,
    )


def _change(meeting, form, field, step, done: str, again):
    """`step()` once `form` is valid: done → flash `done`, 303 back to the minutes. A refusal of what was typed goes
    to `field`; then, as for an invalid form, `again()` shows the form's page with 400 and what was typed. Any other
    refusal is about the minutes' state (`_refused`)."""
    if form.validate_on_submit():
        try:
            step()
        except Refused as error:
            if error.code not in TYPED:
                return _refused(meeting, error)
            field.errors = [error.sentence]
        else:
            flash(done, "success")
            return _back(meeting)
    return again()


@bp.route("/<int:meeting_id>/minutes/edit")
@login_required
def edit_minutes(slug: str, meeting_id: int):
    """撰写纪要: the secretary's editor, starting from the portal's draft."""
    compound, meeting = _unpublished(slug, meeting_id, minutes.can_write)
    current = minutes.get(meeting)
    body = current.body if current is not None and current.body else minutes.draft_text(meeting)
    return _edit_page(compound, meeting, MinutesForm(formdata=None, body=body))


@bp.route("/<int:meeting_id>/minutes", methods=["POST"])
@login_required
def save_minutes(slug: str, meeting_id: int):
    """保存纪要: save the secretary's Markdown."""
    compound, meeting = _unpublished(slug, meeting_id, minutes.can_write)
    form = MinutesForm()
    step = partial(minutes.save, meeting, current_user, form.body.data)
    again = partial(_edit_page, compound, meeting, form, 400)
    return _change(meeting, form, form.body, step, _("The minutes are saved."), again)


@bp.route("/<int:meeting_id>/minutes/submit", methods=["POST"])
@login_required
def submit_minutes(slug: str, meeting_id: int):
    """送签: send the minutes to the attendees for sign-off (saving the text sent with it first)."""
    compound, meeting = _unpublished(slug, meeting_id, minutes.can_write)
    form = MinutesForm()
    if not form.body.raw_data:  # not sent from the editor, which sends its text: the saved text goes as it is
        form.body.data = getattr(minutes.get(meeting), "body", "")

    def save_and_submit() -> None:
        minutes.save(meeting, current_user, form.body.data)
        minutes.submit(meeting, current_user)

    again = partial(_edit_page, compound, meeting, form, 400)
    done = _("The minutes are sent to the attendees for sign-off.")
    return _change(meeting, form, form.body, save_and_submit, done, again)


@bp.route("/<int:meeting_id>/minutes/sign-off", methods=["POST"])
@login_required
def sign_off_minutes(slug: str, meeting_id: int):
    """签字确认: an attendee confirms the minutes, or objects with a comment."""
    compound, meeting = _unpublished(slug, meeting_id, minutes.is_attendee)
    form = SignOffForm()
    confirm = form.decision.data == "confirm"
    step = partial(minutes.sign_off, meeting, current_user, confirm, form.comment.data)
    done = _("Your sign-off is recorded.") if confirm else _("Your objection is recorded.")
    again = partial(views.meeting_page, compound, meeting, status=400, signoff_form=form)
    return _change(meeting, form, form.comment, step, done, again)


@bp.route("/<int:meeting_id>/minutes/publish", methods=["POST"])
@login_required
def publish_minutes(slug: str, meeting_id: int):
    """公布纪要: publish the minutes (the chair may do so without every sign-off, with a reason)."""
    compound, meeting = _unpublished(slug, meeting_id, minutes.can_publish)
    form = PublishForm()
    step = partial(minutes.publish, meeting, current_user, form.reason.data)
    done = _("The minutes are published and the decisions are posted to the notices.")
    again = partial(views.meeting_page, compound, meeting, status=400, publish_form=form)
    return _change(meeting, form, form.reason, step, done, again)


@bp.route("/<int:meeting_id>/minutes/addenda", methods=["POST"])
@login_required
def add_addendum(slug: str, meeting_id: int):
    """补充说明: a dated correction under published minutes."""
    compound, meeting = access.load(slug, meeting_id, current_user)
    permissions.require(
        minutes.can_add_addendum(current_user, meeting, minutes.get(meeting)), compound, current_user, shown=True
    )
    form = AddendumForm()
    step = partial(minutes.add_addendum, meeting, current_user, form.body.data)
    again = partial(views.meeting_page, compound, meeting, status=400, addendum_form=form)
    return _change(meeting, form, form.body, step, _("The addendum is added under the minutes."), again)


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
