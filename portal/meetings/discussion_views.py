"""Discussion routes: comment, edit, hide, the polled comment lists, and attachments (upload and download).

Every form is a plain POST answered with 303 back to the item; with htmx the same form gets the item's discussion
fragment back instead (200), so nothing needs JavaScript. What was typed and refused comes back at its field with
400, as typed: in the whole page, or with htmx in the item's fragment. A refusal by the state of the meeting or
the comment is flashed (htmx: said in the fragment, 400).
"""

from __future__ import annotations

from functools import partial

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import permissions, uploads
from portal.extensions import db
from portal.htmx import wants_partial
from portal.meetings import access, bp, discussion, views
from portal.meetings.forms import CommentForm, HideForm
from portal.meetings.models import AgendaItem, Attachment, Comment, Meeting
from portal.refusals import Refused

# Refusals of what was typed: shown at the form's field; any other refusal is about the meeting or the comment.
TYPED = {"empty", "too_long", "hide_reason"}


def _comment_at(slug: str, meeting_id: int, comment_id: int, may):
    """(compound, meeting, the comment, its item) for someone who may read the meeting (404 for a comment of another
    meeting) and whom `may` (person, meeting, comment) allows (403 otherwise)."""
    compound, meeting = access.load(slug, meeting_id, current_user)
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.meeting_id != meeting.id:
        abort(404)
    item = access.item_of(meeting, comment.item_id)
    permissions.require(may(current_user, meeting, comment), compound, current_user, shown=True)
    return compound, meeting, comment, item


def _back(meeting: Meeting, item_id: int):
    """303 to the meeting page, at the item."""
    url = url_for("meetings.show", slug=meeting.compound.slug, meeting_id=meeting.id, _anchor=f"item-{item_id}")
    return redirect(url, 303)


def _fragment(compound, meeting: Meeting, item: AgendaItem, status: int = 200, **extra):
    """The item's discussion (comments, attachments, forms) for an htmx swap."""
    body = render_template(
        "meetings/_discussion.html",
        compound=compound,
        meeting=meeting,
        item=item,
        discussion=discussion.load(meeting, current_user),
        **extra,
    )
    response = make_response(body, status)
    response.headers["Vary"] = "HX-Request"
    return response


def _answer(compound, meeting: Meeting, item: AgendaItem, message: str | None = None):
    """Done (message None) or refused by the state of the meeting or the comment: the fragment for htmx (200, or
    400 with the message), else a 303 to the item (the message flashed)."""
    if wants_partial():
        if message is None:
            return _fragment(compound, meeting, item)
        return _fragment(compound, meeting, item, status=400, error=message)
    if message is not None:
        flash(message, "error")
    return _back(meeting, item.id)


def _step(compound, meeting: Meeting, item: AgendaItem, form, field, at: str, step):
    """`step(text)` with `field`'s text once `form` is valid: done, or refused by the state → `_answer`. Invalid, or
    refused for what was typed (at `field`) → the form back at its control (`at`, the control's id) as typed with
    its error, 400: in the item's fragment for htmx, else in the whole page."""
    if form.validate_on_submit():
        try:
            step(field.data)
        except Refused as error:
            if error.code not in TYPED:
                return _answer(compound, meeting, item, error.sentence)
            field.errors = [error.sentence]
        else:
            return _answer(compound, meeting, item)
    refused = {"at": at, "form": form}
    if wants_partial():
        return _fragment(compound, meeting, item, status=400, refused=refused)
    return views.meeting_page(compound, meeting, status=400, refused=refused)


@bp.route("/<int:meeting_id>/items/<int:item_id>/comments", methods=["POST"])
@login_required
def comment(slug: str, meeting_id: int, item_id: int):
    """发言: an attendee comments on an agenda item."""
    compound, meeting = access.load(slug, meeting_id, current_user, access.can_take_part)
    item = access.item_of(meeting, item_id)
    form = CommentForm()
    step = partial(discussion.add_comment, meeting, item, current_user)
    return _step(compound, meeting, item, form, form.body, f"comment-body-{item.id}", step)


@bp.route("/<int:meeting_id>/comments/<int:comment_id>/edit", methods=["POST"])
@login_required
def edit_comment(slug: str, meeting_id: int, comment_id: int):
    """The author corrects a comment within 5 minutes (the old text is kept)."""
    compound, meeting, found, item = _comment_at(slug, meeting_id, comment_id, discussion.is_author)
    form = CommentForm()
    step = partial(discussion.edit_comment, meeting, found, current_user)
    return _step(compound, meeting, item, form, form.body, f"edit-body-{found.id}", step)


@bp.route("/<int:meeting_id>/comments/<int:comment_id>/hide", methods=["POST"])
@login_required
def hide_comment(slug: str, meeting_id: int, comment_id: int):
    """The chair hides a comment, with a reason that everyone sees."""
    compound, meeting, found, item = _comment_at(slug, meeting_id, comment_id, discussion.can_hide)
    form = HideForm()
    step = partial(discussion.hide_comment, meeting, found, current_user)
    return _step(compound, meeting, item, form, form.reason, f"hide-reason-{found.id}", step)


def _etag(meeting: Meeting) -> str:
    """Changes with the meeting (meeting.changed_at), the reader (own edit forms, hidden text) and the language."""
    from flask_babel import get_locale

    reader = getattr(current_user, "id", None) or 0
    return f"d{meeting.id}-{meeting.changed_at.timestamp():.6f}-{reader}-{get_locale()}"


@bp.route("/<int:meeting_id>/comments")
def comments(slug: str, meeting_id: int):
    """The comment lists of every item, polled by htmx about every 10 s; 304 while the meeting is unchanged."""
    compound, meeting = access.load(slug, meeting_id, current_user)
    tag = _etag(meeting)
    if tag in request.if_none_match:
        response = make_response("", 304)
    else:
        response = make_response(
            render_template(
                "meetings/_comments_poll.html",
                compound=compound,
                meeting=meeting,
                discussion=discussion.load(meeting, current_user),
            )
        )
    response.headers["Vary"] = "HX-Request"
    response.set_etag(tag)
    response.headers["Cache-Control"] = "no-cache, private"
    return response


@bp.route("/<int:meeting_id>/items/<int:item_id>/attachments", methods=["POST"])
@login_required
def attach(slug: str, meeting_id: int, item_id: int):
    """附件: upload a PDF, JPEG or PNG to an agenda item (checked by content; refused files leave nothing behind)."""
    compound, meeting = access.load(slug, meeting_id, current_user, discussion.can_attach)
    item = access.item_of(meeting, item_id)
    try:
        attachment = discussion.attach(meeting, item, current_user, request.files.get("file"))
    except uploads.UploadError as error:
        flash(error.message, "error")
    else:
        flash(_("The file %(name)s is attached.", name=attachment.filename), "success")
    return _back(meeting, item.id)


@bp.route("/<int:meeting_id>/attachments/<int:attachment_id>")
def attachment(slug: str, meeting_id: int, attachment_id: int):
    """Download an attachment, only for those who may see the meeting (404 for everyone else)."""
    compound, meeting = access.load(slug, meeting_id, current_user)
    found = db.session.get(Attachment, attachment_id)
    if found is None or found.meeting_id != meeting.id:
        abort(404)
    return uploads.send(found.storage_key, found.filename, found.mime)
