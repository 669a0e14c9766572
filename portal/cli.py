"""Command line for administrators: `flask --app app portal ...`. Each command commits once, or not at all."""

from __future__ import annotations

import csv
import sys

import click
from flask import Flask
from flask.cli import AppGroup

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
    from portal.accounts.services import issue_code
    from portal.compounds.models import Compound
    from portal.register.services import rooms_of
    from portal.staff.services import people

    compound = db.session.scalar(db.select(Compound).where(Compound.slug == slug))
    if compound is None:
        raise click.ClickException(f"no compound with slug {slug!r}")
    rows = [r for r in people(compound) if r.code_state != "active"]
    issued = [issue_code(r.person, compound, None, days) for r in rows]
    db.session.commit()
    handle = open(output, "w", newline="", encoding="utf-8-sig") if output else sys.stdout  # noqa: SIM115
    try:
        writer = csv.writer(handle)
        writer.writerow(["account_no", "name", "rooms", "code", "expires_at"])
        for item in issued:
            rooms = "; ".join(rooms_of(compound, item.person))
            writer.writerow([item.person.account_no, item.person.name, rooms, item.code, item.expires_at.isoformat()])
    finally:
        if output:
            handle.close()
    click.echo(f"issued {len(issued)} code(s) for {compound.slug}", err=True)


@portal_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has compounds.")
def demo(if_empty: bool) -> None:
    """Create the demo community, two compounds and demo logins, and print the logins."""
    from portal import demo as demo_data
    from portal.compounds.models import Compound

    if db.session.scalar(db.select(Compound.id).limit(1)) is not None:
        if if_empty:
            click.echo("database has data already; demo data not created")
            demo_data.print_logins(click.echo)
            return
        raise click.ClickException("the database is not empty: demo data goes only into an empty database")
    demo_data.create()
    db.session.commit()
    click.echo("demo data created")
    demo_data.print_logins(click.echo)


def init_app(app: Flask) -> None:
    """Attach the command group (and the register's import command) to the app."""
    from portal.register.cli import import_owners
    from portal.voting import cli as voting_cli

    portal_cli.add_command(import_owners)
    for command in getattr(voting_cli, "COMMANDS", ()):
        portal_cli.add_command(command)
    app.cli.add_command(portal_cli)
