"""Account pages: activate, log in, log out, my account."""

from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from portal import audit, i18n
from portal.accounts import bp, services
from portal.accounts.forms import ActivationForm, CodeForm, LoginForm, LogoutForm, PasswordChangeForm
from portal.compounds.models import Compound
from portal.coowners import services as coowners
from portal.db import reads_first, will_write
from portal.extensions import db
from portal.htmx import form_page, render
from portal.roles.models import CommunityStaff, Membership
from portal.security import password_matches, safe_next


def start_session(person, remember: bool) -> None:
    """Log in on a fresh session: nothing from before (the CSRF token above all) carries over into the account."""
    # The language choice lives in its own cookie, so the whole session can go; a CSRF token someone planted or
    # read before the login is worthless after it, and Flask-WTF makes a new one on the next form.
    session.clear()
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)  # Flask-WTF's per-request copy
    login_user(person, remember=remember)


@bp.route("/login", methods=["GET", "POST"])
@reads_first
def login():
    """登录 with account number or phone; the error never says whether the account exists."""
    if current_user.is_authenticated:
        return redirect(url_for("public.home"))
    form = LoginForm()
    if form.validate_on_submit():
        person = services.find_login(form.login.data)
        stored = person.password_hash if person is not None and person.is_active else None
        if password_matches(stored, form.password.data):
            start_session(person, remember=form.remember.data)
            audit.note("login.succeeded", person, ip=request.remote_addr)
            return redirect(safe_next(request.args.get("next"), url_for("public.home")), 303)
        # No actor: the line says no more than the page does about whether the account exists.
        audit.note("login.failed", None, login=audit.login_hint(form.login.data), ip=request.remote_addr)
        form.password.errors = [_("The account or the password is not right.")]
    return form_page("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    """退出登录."""
    if not LogoutForm().validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        audit.note("logout", current_user, ip=request.remote_addr)
        # Logging out here logs out everywhere: a copied cookie or another phone's remember cookie ends too.
        services.end_sessions(current_user)
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("public.home"), 303)


def _usable_code(code: str | None):
    """The valid code row for the typed text, or None (unknown, used, revoked or expired: never said which)."""
    try:
        return services.find_usable_code(code or "")
    except services.ActivationError:
        return None


def _code_step(status: int = 200, refused: bool = False):
    """The first step, the code alone. A refused code gets one answer, whatever else was sent (a phone above all)."""
    if request.method == "GET" and request.query_string:
        # An old link's ?code=: never used, and sent on to the bare page so that it leaves the address bar, the
        # history and the language switch's return address.
        return redirect(url_for("accounts.activate"), 303)
    # Never filled from the request: a GET's ?code= is never used, and a refused code is not shown back.
    form = CodeForm(formdata=None)
    if refused:
        audit.note("activation.failed", None, ip=request.remote_addr)  # never the code
        form.code.errors = [_("This code cannot be used. Check it, or ask community staff for a new one.")]
    return render("accounts/activate.html", form=form, status=status)


def _password_step(form: ActivationForm, person, status: int = 200):
    """The second step, reached only with a usable code: a password and the phone to log in with."""
    return render("accounts/activate_password.html", form=form, person=person, status=status)


@bp.route("/activate", methods=["GET", "POST"])
@reads_first
def activate():
    """激活账号: the code first, then a password (and phone); logs the person in. Codes travel only by POST."""
    if request.method == "GET":
        return _code_step()
    form = ActivationForm()
    # The code is checked before anything else, so nothing below (the phone above all) is looked at for a guess.
    row = _usable_code(form.code.data)
    if row is None:
        return _code_step(400, refused=True)
    person = row.person
    form.own = (person.account_no, person.phone)
    if not form.validate_on_submit():
        return _password_step(form, person, 400)
    if form.phone.data and services.phone_taken(form.phone.data, person):
        form.phone.errors = [_("This phone number is already used by another account.")]
        return _password_step(form, person, 400)
    will_write()  # a read until here (`reads_first`); services.activate checks the code again under the lock
    try:
        person = services.activate(form.code.data, form.password.data, form.phone.data or None)
    except services.ActivationError:  # used by a simultaneous request since the check above
        return _code_step(400, refused=True)
    start_session(person, remember=False)
    flash(_("Your account is active. Your account number is %(no)s.", no=person.account_no), "info")
    return redirect(url_for("public.home"), 303)


@bp.route("/activate/check", methods=["GET", "POST"])
@reads_first
def check_code():
    """The code step's POST: a usable code leads to the password step. A GET (old links with ?code=) gets the empty
    code step: a code in a URL is never used, nor shown back."""
    if request.method == "GET":
        return _code_step()
    form = CodeForm()
    row = _usable_code(form.code.data) if form.validate_on_submit() else None
    if row is None:
        return _code_step(400, refused=True)
    return _password_step(ActivationForm(formdata=None, code=form.code.data), row.person)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """我的账号: rooms (with who votes for each), roles, language and password."""
    form = PasswordChangeForm()
    form.own = (current_user.account_no, current_user.phone, current_user.login_phone)
    status = 200
    if form.validate_on_submit():
        if password_matches(current_user.password_hash, form.current.data):
            services.change_password(current_user, form.password.data)
            # Every other session has ended; this one goes on with the new version (and a new remember cookie if
            # it had one).
            had_remember = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
            login_user(current_user._get_current_object(), remember=had_remember)
            flash(_("Your password has been changed."), "info")
            return redirect(url_for("accounts.account"), 303)
        form.current.errors = [_("The current password is not right.")]
    if request.method == "POST":
        status = 400
    memberships = db.session.execute(
        db.select(Membership, Compound)
        .join(Compound, Compound.id == Membership.compound_id)
        .where(Membership.person_id == current_user.id)
        .order_by(Compound.name, Membership.role)
    ).all()
    staff_of = db.session.scalars(db.select(CommunityStaff).where(CommunityStaff.person_id == current_user.id)).all()
    return render(
        "accounts/account.html",
        form=form,
        memberships=memberships,
        staff_of=staff_of,
        units=coowners.units_of(current_user),
        locales=current_app.config["PORTAL_LOCALES"],
        current_locale=i18n.select_locale(),
        status=status,
    )
