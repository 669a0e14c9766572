"""Accounts: activation with a one-time code, login, logout, my account."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)
