"""Owners' e-voting: assembly resolutions, committee elections and opinion polls (业主电子投票)."""

from flask import Blueprint

bp = Blueprint("voting", __name__, url_prefix="/c/<slug>/votes")
