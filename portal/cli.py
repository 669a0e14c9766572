"""Command line for administrators: `flask --app app portal ...`. Each command commits once, or not at all."""

from __future__ import annotations

import os
import sys

import click
from flask import Flask
from flask.cli import AppGroup

from portal import csvsafe
from portal.extensions import db

portal_cli = AppGroup("portal", help="Linli administration.")


@portal_cli.command("create-compound")
@click.argument("slug")
@click.argument("name")
@click.option("--community", "community_name", required=True, help="The community (社区) it belongs to.")
def create_compound(slug: str, name: str, community_name: str) -> None:
    """Create a compound with a public SLUG and a NAME in a community."""
    from portal.compounds import services
    from portal.staff.forms import SLUG

    if not SLUG.match(slug):
        raise click.UsageError(f"bad slug {slug!r}: use 3–40 lower-case letters, digits and dashes")
    if not name.strip() or len(name) > 100:
        raise click.UsageError("the name must be 1–100 characters")
    if services.slug_taken(slug):
        raise click.ClickException(f"a compound with slug {slug!r} exists already")
    community = services.get_or_create_community(community_name.strip())
    compound = services.create_compound(slug, name.strip(), community)
    db.session.commit()
    click.echo(f"created compound {compound.slug} ({compound.name}) in {community.name}")


@portal_cli.command("issue-codes")
@click.argument("slug")
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write CSV here (default: stdout)."
)
@click.option("--days", type=click.IntRange(1, 365), help="Days until the codes expire.")
def issue_codes(slug: str, output: str | None, days: int | None) -> None:
    """Issue activation codes to everyone in SLUG who has not activated; print them as CSV."""
    from portal.compounds.models import Compound
    from portal.staff.services import issue_letters, not_activated, rooms

    compound = db.session.scalar(db.select(Compound).where(Compound.slug == slug))
    if compound is None:
        raise click.ClickException(f"no compound with slug {slug!r}")
    # Opened before any code is issued, so that a file that cannot be written leaves no code behind.
    handle = _private_file(output) if output else sys.stdout
    try:
        issued = issue_letters(compound, not_activated(compound), None, days)
        db.session.commit()
        writer = csvsafe.writer(handle)  # names and rooms come from the register: a cell may look like a formula
        writer.writerow(["account_no", "name", "rooms", "code", "expires_at"])
        rooms_of = rooms(compound, [item.person.id for item in issued])
        for item in issued:
            where = "; ".join(rooms_of[item.person.id])
            writer.writerow([item.person.account_no, item.person.name, where, item.code, item.expires_at.isoformat()])
    finally:
        if output:
            handle.close()
    click.echo(f"issued {len(issued)} code(s) for {compound.slug}", err=True)


def _private_file(path: str):
    """Open `path` for writing, readable by its owner only (0600, also when it was there before); never via a link."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    except OSError as error:
        raise click.ClickException(f"cannot write {path}: {error.strerror}") from None
    os.fchmod(descriptor, 0o600)  # O_CREAT's mode applies only to a new file
    return os.fdopen(descriptor, "w", newline="", encoding="utf-8-sig")


@portal_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has compounds.")
@click.option("--force", is_flag=True, help="Outside development: create it anyway, each login with a random password.")
def demo(if_empty: bool, force: bool) -> None:
    """Create the demo community, two compounds and demo logins, and print the logins.

    Only for development (PORTAL_ENV development or testing), where every login shares the README's password.
    Elsewhere that password would let anyone in, so the command refuses unless --force, and then gives each
    login its own random password, printed once.
    """
    from flask import current_app

    from portal import demo as demo_data
    from portal.compounds.models import Compound

    environment = current_app.config["PORTAL_ENV"]
    development = environment in ("development", "testing")
    if not development and not force:
        raise click.ClickException(
            f"PORTAL_ENV={environment}: the demo is for development, and its logins share the password printed in "
            "the README. Use --force to create it anyway, with a random password for each login."
        )
    if db.session.scalar(db.select(Compound.id).limit(1)) is not None:
        if if_empty:
            click.echo("database has data already; demo data not created")
            if development:  # a forced demo's own passwords were printed once, when it was made
                demo_data.print_logins(click.echo)
            return
        raise click.ClickException("the database is not empty: demo data goes only into an empty database")
    passwords = None if development else demo_data.random_passwords()
    demo_data.create(passwords)
    db.session.commit()
    click.echo("demo data created")
    demo_data.print_logins(click.echo, passwords)


def init_app(app: Flask) -> None:
    """Attach the command group (and the register's import command) to the app."""
    from portal.admin.cli import create_admin
    from portal.ops import backup_cli
    from portal.ops.cli import check as check_configuration
    from portal.register.cli import import_owners
    from portal.voting import cli as voting_cli

    portal_cli.add_command(import_owners)
    portal_cli.add_command(create_admin)
    portal_cli.add_command(check_configuration)
    portal_cli.add_command(backup_cli.backup)
    portal_cli.add_command(backup_cli.restore)
    for command in getattr(voting_cli, "COMMANDS", ()):
        portal_cli.add_command(command)
    app.cli.add_command(portal_cli)
