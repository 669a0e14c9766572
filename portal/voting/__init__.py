"""Owners' e-voting: assembly resolutions, committee elections and opinion polls (业主电子投票)."""

from flask import Blueprint

bp = Blueprint("voting", __name__, url_prefix="/c/<slug>/votes")
# The modules whose routes attach to `bp`, imported by create_app before the blueprint is registered.
ROUTES = ("views", "candidate_views", "desk_views", "sheet_views", "manage_views", "results_views", "print_views")
