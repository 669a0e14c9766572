"""Account pages: activate, log in, log out, my account."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from portal import audit, i18n
from portal.accounts import bp, services
from portal.accounts.forms import ActivationForm, LoginForm, PasswordChangeForm
from portal.compounds.models import Compound
from portal.extensions import db
from portal.htmx import render
from portal.roles.models import CommunityStaff, Membership
from portal.security import password_matches


def safe_next(target: str | None, default: str) -> str:
    """Only same-site relative paths are followed after login."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return default


@bp.route("/login", methods=["GET", "POST"])
def login():
    """登录 with account number or phone; the error never says whether the account exists."""
    if current_user.is_authenticated:
        return redirect(url_for("public.home"))
    form = LoginForm()
    if form.validate_on_submit():
        person = services.find_login(form.login.data)
        stored = person.password_hash if person is not None and person.is_active else None
        if password_matches(stored, form.password.data):
            login_user(person)
            audit.note("login.succeeded", person, ip=request.remote_addr)
            return redirect(safe_next(request.args.get("next"), url_for("public.home")), 303)
        # No actor: the line says no more than the page does about whether the account exists.
        audit.note("login.failed", None, login=audit.login_hint(form.login.data), ip=request.remote_addr)
        form.password.errors = [_("The account or the password is not right.")]
    status = 400 if request.method == "POST" else 200
    return render("accounts/login.html", form=form, status=status)


@bp.route("/logout", methods=["POST"])
def logout():
    """退出登录."""
    if current_user.is_authenticated:
        audit.note("logout", current_user, ip=request.remote_addr)
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("public.home"), 303)


@bp.route("/activate", methods=["GET", "POST"])
def activate():
    """激活账号: the code from the letter, then a password; logs the person in."""
    if request.method == "GET" and request.args.get("code"):
        form = ActivationForm(formdata=None, code=request.args["code"])
    else:
        form = ActivationForm()
    if form.validate_on_submit():
        error = None
        if form.phone.data and services.phone_taken(form.phone.data):
            form.phone.errors = [_("This phone number is already used by another account.")]
            error = True
        if not error:
            try:
                person = services.activate(form.code.data, form.password.data, form.phone.data or None)
            except services.ActivationError:
                audit.note("activation.failed", None, ip=request.remote_addr)  # never the code
                form.code.errors = [_("This code cannot be used. Check it, or ask community staff for a new one.")]
            else:
                login_user(person)
                flash(_("Your account is active. Your account number is %(no)s.", no=person.account_no), "info")
                return redirect(url_for("public.home"), 303)
    status = 400 if request.method == "POST" else 200
    return render("accounts/activate.html", form=form, status=status)


@bp.route("/activate/check")
def check_code():
    """Inline check of a typed code (htmx): says only whether it can be used."""
    code = request.args.get("code", "")
    ok = True
    try:
        services.find_usable_code(code)
    except services.ActivationError:
        ok = False
    return render("accounts/_code_status.html", "accounts/_code_status.html", ok=ok, checked=bool(code))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """我的账号: rooms, roles, language and password."""
    form = PasswordChangeForm()
    status = 200
    if form.validate_on_submit():
        if password_matches(current_user.password_hash, form.current.data):
            services.change_password(current_user, form.password.data)
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
        ownerships=current_user.ownerships,
        locales=current_app.config["PORTAL_LOCALES"],
        current_locale=i18n.select_locale(),
        status=status,
    )
