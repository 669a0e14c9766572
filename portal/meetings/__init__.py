"""Online micro-meetings (微会议): agenda, sign-in, discussion per item, quick votes, minutes signed and published."""

from flask import Blueprint

bp = Blueprint("meetings", __name__, url_prefix="/c/<slug>/meetings")
# The modules whose routes attach to `bp`, imported by create_app before the blueprint is registered.
ROUTES = ("views", "archive", "discussion_views", "minutes_views", "motion_views")
