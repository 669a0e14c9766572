"""The portal home and the language and text-size switches."""

from __future__ import annotations

from flask import current_app, redirect, url_for
from flask_login import current_user

from portal import i18n, permissions
from portal.accounts.services import set_large_text, set_locale
from portal.htmx import render
from portal.public import bp
from portal.public.forms import LanguageForm, TextSizeForm
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
        _remember(response, i18n.COOKIE, form.lang.data)
    return response


@bp.route("/text", methods=["POST"])
def set_text_size():
    """Switch between large (大字) and standard text; kept on the person when logged in, and in a cookie for everyone.

    A size the portal lacks changes nothing: the button offers only ours, so there is no form to show again.
    """
    form = TextSizeForm()
    response = redirect(safe_next(form.next.data, url_for("public.home")), 303)
    if form.validate_on_submit():
        if current_user.is_authenticated:
            set_large_text(current_user, form.text.data == "large")
        _remember(response, i18n.TEXT_COOKIE, form.text.data)
    return response


def _remember(response, cookie: str, value: str) -> None:
    """Keep a visitor's choice in this browser for a year (not readable by scripts, sent on same-site links)."""
    response.set_cookie(
        cookie,
        value,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
