"""The three lists (三张清单): resources offered, residents' needs, and the projects that match them."""

from flask import Blueprint

bp = Blueprint("lists", __name__, url_prefix="/c/<slug>/lists")
