"""`flask --app app portal check`: is this installation fit to run? One line per check, exit 1 on any problem."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("check")
@with_appcontext
def check() -> None:
    """Check the configuration: secret key, database and migrations, Redis, base URL, upload folder, ballot key."""
    from portal.ops import checks

    results = checks.run_all(current_app)
    for result in results:
        click.echo(result.line())
    failed = [result for result in results if not result.ok]
    if failed:
        raise click.ClickException(f"{len(failed)} problem(s) found: fix them and run the check again.")


COMMANDS = [check]
