"""`flask portal import-owners SLUG FILE [--apply]`: the register import for administrators. Commits once."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import force_locale

from portal.extensions import db


@click.command("import-owners")
@click.argument("slug")
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False))
@click.option("--apply", "apply_", is_flag=True, help="Apply the changes to a compound that has a register already.")
@with_appcontext
def import_owners(slug: str, path: str, apply_: bool) -> None:
    """Import the owner register (业主名册) CSV FILE into the compound SLUG.

    Every row is checked first: if any is wrong, each problem is printed to stderr as "line N: reason",
    nothing changes and the exit status is 1. Notes (an owner given two phones, a phone given for two owners) are
    printed as "note, line N: ..." and change nothing. A compound without units gets the file at once. A compound
    that has a register already gets the differences printed and applied only with --apply; without it
    nothing changes and the exit status is 0. An unchanged register prints "nothing changed".
    """
    from portal.compounds.models import Compound
    from portal.register import importer, services

    compound = db.session.scalar(db.select(Compound).where(Compound.slug == slug))
    if compound is None:
        raise click.ClickException(f"no compound with slug {slug!r}")
    with open(path, "rb") as handle:
        data = handle.read()
    # The row messages are translatable; the command line speaks English like the rest of `flask portal`.
    with force_locale("en"):
        parsed = importer.parse(data)
        if parsed.errors:
            for error in parsed.errors:
                where = f"line {error.line}" if error.line else "file"
                click.echo(f"{where}: {error.message}", err=True)
            click.echo(f"{len(parsed.errors)} problem(s) in {path}: nothing was imported.", err=True)
            raise click.exceptions.Exit(1)
        for note in parsed.notes:  # phones that differ or are shared: said, never refused
            click.echo(f"note, line {note.line}: {note.message}")
        diff = services.diff(compound, parsed)
    if diff.is_empty:
        click.echo(f"nothing changed: the register of {slug} already matches {path}")
        return
    first = not diff.removed_units and len(diff.added_units) == len(parsed.units)
    if first:
        click.echo(f"first register of {slug}:")
    else:
        _echo_diff(diff)
        if not apply_:
            click.echo("nothing was changed: run again with --apply to apply these changes")
            return
    services.apply(compound, parsed, actor=None)
    db.session.commit()
    click.echo(
        f"imported into {slug}: {len(parsed.units)} units, {len(parsed.owners)} owners "
        f"({parsed.heads} heads), total area {parsed.total_area} m²"
    )


def _echo_diff(diff) -> None:
    """Print the difference: counts first, then one line per unit or owner."""
    click.echo(
        f"units: {len(diff.added_units)} added, {len(diff.removed_units)} removed, {len(diff.changed_units)} changed"
    )
    click.echo(
        f"owners: {len(diff.added_owners)} added, {len(diff.removed_owners)} removed, "
        f"{len(diff.changed_owners)} changed"
    )
    for unit in diff.added_units:
        click.echo(f"+ unit {unit.label}: {unit.area_m2} m² {unit.area_source}, owners {_names(unit.owners)}")
    for unit in diff.removed_units:
        click.echo(f"- unit {unit.label}: {unit.area_m2} m², owners {_names(unit.owners)}")
    for unit in diff.changed_units:
        click.echo(f"~ unit {unit.label}: {_changes(unit.changes)}")
    for owner in diff.added_owners:
        developer = ", developer" if owner.is_developer else ""
        click.echo(f"+ owner {owner.key} {owner.name}{developer}")
    for owner in diff.removed_owners:
        click.echo(f"- owner {owner.key or '(not from a register)'} {owner.name}")
    for owner in diff.changed_owners:
        click.echo(f"~ owner {owner.key} {owner.label}: {_changes(owner.changes)}")
    if diff.roles_granted:
        click.echo(f"owner role given to: {_names(diff.roles_granted)}")
    if diff.roles_revoked:
        click.echo(f"owner role taken from (own no unit here): {_names(diff.roles_revoked)}")


def _names(names) -> str:
    """Names joined by commas, or a dash for none."""
    return ", ".join(names) or "-"


def _changes(changes) -> str:
    """`area_m2 88.50 → 90.00; owners 张三 → 张三, 李四`."""
    parts = []
    for change in changes:
        old, new = change.old, change.new
        if change.field == "owners":
            old, new = _names(old), _names(new)
        parts.append(f"{change.field} {old if old not in (None, '') else '-'} → {new}")
    return "; ".join(parts)
