"""Residents' requests and micro-wishes (需求 / 微心愿): posted, accepted, dispatched or claimed, done, rated."""

from flask import Blueprint

bp = Blueprint("needs", __name__, url_prefix="/c/<slug>/needs")
