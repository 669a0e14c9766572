"""Public pages: the portal home and the language switch."""

from flask import Blueprint

bp = Blueprint("public", __name__)
