"""The portal home and the language switch."""

from __future__ import annotations

from flask import current_app, redirect, request, url_for
from flask_login import current_user

from portal import i18n, permissions
from portal.accounts.services import set_locale
from portal.htmx import render
from portal.public import bp
from portal.security import safe_next


@bp.route("/")
def home():
    """门户首页: the compounds this person belongs to, or how to start."""
    return render("public/home.html", compounds=permissions.visible_compounds(current_user))


@bp.route("/lang", methods=["POST"])
def set_language():
    """Switch language; kept on the person when logged in, and in a cookie for everyone."""
    lang = request.form.get("lang", "")
    target = safe_next(request.form.get("next"), url_for("public.home"))
    response = redirect(target, 303)
    if lang in current_app.config["PORTAL_LOCALES"]:
        if current_user.is_authenticated:
            set_locale(current_user, lang)
        response.set_cookie(
            i18n.COOKIE,
            lang,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response
