"""`flask portal import-owners` (to be completed by the import work)."""

import click


@click.command("import-owners")
@click.argument("slug")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--apply", "apply_", is_flag=True, help="Apply a changed register after reviewing the difference.")
def import_owners(slug: str, path: str, apply_: bool) -> None:
    """Import an owner register CSV into a compound."""
    raise click.ClickException("not implemented yet")
