"""站内通知: each person's in-portal notifications (meeting invitations; later the steps of a request)."""

from flask import Blueprint

bp = Blueprint("inbox", __name__, url_prefix="/inbox")
