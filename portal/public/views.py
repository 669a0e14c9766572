"""The portal home and the language switch."""

from __future__ import annotations

from flask import current_app, redirect, url_for
from flask_login import current_user

from portal import i18n, permissions
from portal.accounts.services import set_locale
from portal.htmx import render
from portal.public import bp
from portal.public.forms import LanguageForm
from portal.security import safe_next


@bp.route("/")
def home():
    """门户首页: the compounds this person belongs to, or how to start."""
    return render("public/home.html", compounds=permissions.visible_compounds(current_user))


@bp.route("/lang", methods=["POST"])
def set_language():
    """Switch language; kept on the person when logged in, and in a cookie for everyone.

    A language the portal lacks changes nothing: the buttons offer only ours, so there is no form to show again.
    """
    form = LanguageForm(locales=current_app.config["PORTAL_LOCALES"])
    response = redirect(safe_next(form.next.data, url_for("public.home")), 303)
    if form.validate_on_submit():
        if current_user.is_authenticated:
            set_locale(current_user, form.lang.data)
        response.set_cookie(
            i18n.COOKIE,
            form.lang.data,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response
