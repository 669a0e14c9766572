"""The real app plus one benchmark-only endpoint: POST /bench/insert writes one row and nothing else.

Served by gunicorn in `make bench` (`tests.bench.app_with_probe:create_probe_app()`). The probe goes through the
same stack as a ballot (session, CSRF, the one commit per request) so that "ballots per second / inserts per second"
measures what casting costs beyond a bare write. It exists only here, never in portal/. Its table lives on its own
MetaData, so the migrations and the models never see it.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Flask

from portal import create_app
from portal.db import UTCDateTime, utcnow
from portal.extensions import db

PROBE_METADATA = sa.MetaData()
PROBE = sa.Table(
    "bench_probe",
    PROBE_METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", UTCDateTime, nullable=False),
)

probe = Blueprint("bench_probe", __name__, url_prefix="/bench")


@probe.route("/insert", methods=["POST"])
def insert():
    """Insert one row (the request's after_request hook commits it, as for every other write)."""
    db.session.execute(sa.insert(PROBE).values(at=utcnow()))
    return "", 204


def create_probe_app(config: dict | None = None) -> Flask:
    """portal.create_app() with the probe blueprint registered."""
    application = create_app(config)
    application.register_blueprint(probe)
    return application


def create_probe_table(engine: sa.Engine) -> None:
    """Create the probe's table (the bench calls this after migrating its database)."""
    PROBE_METADATA.create_all(engine)
