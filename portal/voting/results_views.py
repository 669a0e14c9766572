"""Result pages (filled in by the results work)."""

from flask import abort

from portal.voting import bp


@bp.route("/<int:vote_id>/results")
def results(slug: str, vote_id: int):
    """The result of a vote."""
    abort(404)
