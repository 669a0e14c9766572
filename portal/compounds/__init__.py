"""Compound pages: the compound home, the owners' roll, the committee."""

from flask import Blueprint

bp = Blueprint("compounds", __name__, url_prefix="/c/<slug>")
