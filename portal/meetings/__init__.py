"""Online micro-meetings (微会议): agenda, sign-in, discussion per item, quick votes, minutes signed and published."""

from flask import Blueprint

bp = Blueprint("meetings", __name__, url_prefix="/c/<slug>/meetings")
