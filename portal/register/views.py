"""Register import pages (to be completed by the import work)."""

from flask import abort

from portal.register import bp


@bp.route("/", methods=["GET", "POST"])
def upload(slug: str):
    """Upload a register CSV."""
    abort(404)
