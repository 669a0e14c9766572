"""Backup commands: `flask --app app portal backup DIR` writes a backup into a new directory; `flask --app app portal
restore DIR` restores one into an empty database and upload folder, then verifies every sealed vote.

The commands join the `portal` group when this module is imported (portal/cli.py's init_app does that).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from portal.ops import backup as backups


@contextmanager
def _refusals() -> Iterator[None]:
    """A refusal or an unreachable database ends the command with its message (exit 1), not a traceback."""
    try:
        yield
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from error
    except sa.exc.OperationalError as error:
        raise click.ClickException(f"cannot reach the configured database: {error.orig}") from error


@click.command("backup")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup(directory: Path) -> None:
    """Write the database, the upload folder and a manifest of checksums into the new directory DIRECTORY."""
    with _refusals():
        manifest = backups.backup(current_app, directory, click.echo)
    files, size = len(manifest["files"]), sum(f["size"] for f in manifest["files"])
    click.echo(f"backup written to {Path(directory).absolute()}: {manifest['database']['kind']} database at migration "
               f"{manifest['migration']}, {files} file(s), {size} bytes")  # fmt: skip
    click.echo(
        "Not in the backup, and to be kept apart from it (elsewhere than the backup, both needed to restore):\n"
        "  - the secret key: SECRET_KEY in the environment (in development: instance/secret_key);\n"
        f"  - the ballot key: {backups.ballot_key_location(current_app)} "
        f"(fingerprint {manifest['ballot_key_fingerprint'] or 'none: no ballot key in place'}).\n"
        "Without the ballot key the secret votes in this backup can be neither verified nor sealed."
    )


@click.command("restore")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
def restore(directory: Path) -> None:
    """Restore the backup in DIRECTORY into the configured empty database and upload folder; verify the sealed votes.
    Exit 1 when the restore was refused (nothing written) or when the restored portal needs attention."""
    with _refusals():
        report = backups.restore(current_app, directory, click.echo)
    if not report.ok:
        click.echo("The restore is written, but needs attention:", err=True)
        for problem in report.problems:
            click.echo(f"FAILED: {problem}", err=True)
        raise SystemExit(1)
    click.echo(f"OK: restored; {report.verified} sealed vote(s) verified")
