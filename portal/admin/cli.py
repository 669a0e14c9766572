"""`flask --app app portal create-admin ACCOUNT`: the first way into a fresh database. Commits once, or not at all."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from flask_babel import force_locale

from portal.extensions import db


def _interactive() -> bool:
    """True when a person types at a terminal: then the password is asked twice, unseen."""
    return sys.stdin.isatty()


def password_problem(password: str, account: str | None = None) -> str | None:
    """Why the account pages would refuse this new password for ACCOUNT, or None: their own rules, outside a request."""
    from werkzeug.datastructures import MultiDict
    from wtforms import Form

    from portal.accounts.forms import PasswordFields

    if not password:
        return "the password is empty"

    class Check(PasswordFields, Form):
        """The activation and password-change pages' pair of fields, without CSRF (there is no session here)."""

    form = Check(MultiDict({"password": password, "confirm": password}))
    form.own = (account,)  # the account logged in with may not be the password either
    with force_locale("en"):
        if form.validate():
            return None
        return " ".join(str(error) for error in form.password.errors)


def _read_password() -> str:
    """The password: asked twice at a terminal, else the first line of stdin (for scripts and pipes)."""
    if _interactive():
        return click.prompt("Password", hide_input=True, confirmation_prompt="Repeat the password", show_default=False)
    return sys.stdin.readline().rstrip("\r\n")


@click.command("create-admin")
@click.argument("account")
@click.option("--name", help="The name shown on pages (default: ACCOUNT).")
@with_appcontext
def create_admin(account: str, name: str | None) -> None:
    """Create a platform administrator (平台管理员) who logs in as ACCOUNT.

    At a terminal the password is asked twice without being shown; otherwise the first line of standard input is
    the password, e.g. `printf '%s\\n' "$PASSWORD" | flask --app app portal create-admin root`. An account number or
    phone that someone logs in with already, or a password the account pages would refuse, stops the command with
    exit status 1 and nothing written.
    """
    from portal.accounts.services import find_login
    from portal.admin import services
    from portal.admin.forms import ACCOUNT_NO

    if not ACCOUNT_NO.match(account):
        raise click.ClickException(
            f"bad account {account!r}: use 3–40 letters, digits, dots, dashes or underscores, "
            "starting with a letter or digit"
        )
    if find_login(account) is not None:
        raise click.ClickException(f"an account {account!r} exists already (as an account number or a phone)")
    name = (name or account).strip()
    if not name or len(name) > 100:
        raise click.ClickException("the name must be 1–100 characters")
    password = _read_password()
    problem = password_problem(password, account)
    if problem:
        raise click.ClickException(problem)
    services.create_admin(account, name, password)
    db.session.commit()
    click.echo(f"created platform administrator {account!r}: log in at /login, then open /admin/")


COMMANDS = [create_admin]
