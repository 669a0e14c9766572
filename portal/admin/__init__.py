"""The platform administrator's area (平台管理): communities and their community staff."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
