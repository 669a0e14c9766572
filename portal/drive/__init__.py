"""The turnout drive (动员投票): building captains (楼栋长/单元长), the units of their scope that have not voted,
and the visits they record at the door."""

from flask import Blueprint

bp = Blueprint("drive", __name__, url_prefix="/c/<slug>/drive")
