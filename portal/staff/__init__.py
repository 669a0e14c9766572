"""Staff pages: compounds, people and roles, activation codes and letters."""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")
