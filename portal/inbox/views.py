"""我的通知: the person's notifications; opening one marks it read and follows its link."""

from __future__ import annotations

from flask import abort, redirect, url_for
from flask_login import current_user, login_required

from portal.extensions import db
from portal.htmx import render
from portal.inbox import bp, services
from portal.inbox.models import Notification


@bp.route("/")
@login_required
def index():
    """The list, newest first."""
    return render("inbox/index.html", notifications=services.latest(current_user))


@bp.route("/<int:notification_id>", methods=["POST"])
@login_required
def open_one(notification_id: int):
    """Mark read and go to what it is about."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.person_id != current_user.id:
        abort(404)
    services.mark_read(current_user, notification_id)
    return redirect(notification.link, 303)


@bp.route("/read-all", methods=["POST"])
@login_required
def read_all():
    """Mark every notification read."""
    services.mark_read(current_user)
    return redirect(url_for("inbox.index"), 303)
