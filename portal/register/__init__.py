"""The owner register: units and owners, imported from the staff pages or the command line."""

from flask import Blueprint

bp = Blueprint("register", __name__, url_prefix="/staff/c/<slug>/register")
