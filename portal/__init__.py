"""Linli (邻里): the portal for residential compounds."""

from __future__ import annotations

from flask import Flask


def create_app(config: dict | None = None) -> Flask:
    """Application factory: defaults → environment (PORTAL_*, DATABASE_URL, SECRET_KEY, REDIS_URL) → `config`."""
    from portal import config as configuration

    app = Flask(__name__, instance_relative_config=True, template_folder="../templates", static_folder="../static")
    app.config.update(configuration.load(app.instance_path, config))
    from portal import logs, ops

    logs.init_app(app)  # INFO (PORTAL_LOG_LEVEL), a request id on every line, JSON lines with PORTAL_LOG_JSON=1
    ops.trust_proxies(app)  # PORTAL_PROXY_HOPS

    _init_extensions(app)
    from portal import inputs

    inputs.init_app(app)  # before the routes: <int:…> bounded by INTEGER; NUL and invalid UTF-8 refused (400)
    _register_blueprints(app)

    from portal import ratelimits

    ratelimits.init_app(app)

    from portal import cli, errors, labels, static_urls, templating

    cli.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    labels.init_app(app)
    static_urls.init_app(app)

    from portal.voting import ballot_key

    ballot_key.check(app)  # an open secret vote that this key cannot decrypt stops start-up, not its seal
    return app


def _init_extensions(app: Flask) -> None:
    import portal.models  # noqa: F401  (every model registered before Alembic looks)
    from portal import db as database
    from portal import i18n, security
    from portal.extensions import babel, csrf, db, htmx, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"), render_as_batch=True)
    csrf.init_app(app)
    htmx.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, default_translation_directories="translations")
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"  # "strong" logs phones out whenever their IP changes
    database.init_transactions(app)
    security.init_headers(app)

    from portal.accounts.models import Person

    @login_manager.user_loader
    def _load(stored_id: str):
        # "id:version" only: a bare id (sessions from before versions) or an outdated version is a logged-out visitor.
        person_id, sep, version = stored_id.partition(":")
        if not sep or not person_id.isdigit() or not version.isdigit() or len(person_id) > 12:
            return None
        person = db.session.get(Person, int(person_id))
        if person is None or not person.is_active or person.session_version != int(version):
            return None
        return person

    @app.context_processor
    def _template_globals():
        from flask_babel import get_locale
        from flask_login import current_user

        from portal import permissions
        from portal.inbox.services import unread_count

        def unread_notifications() -> int:
            return unread_count(current_user) if current_user.is_authenticated else 0

        return {
            "html_lang": i18n.html_lang(get_locale()),
            "large_text": i18n.large_text(),
            "permissions": permissions,
            "unread_notifications": unread_notifications,
        }


# The feature packages with pages, each a blueprint (`bp`) whose route modules are listed in its `ROUTES`; the import
# contracts in .importlinter keep the core modules from importing them and each from importing another's views.
FEATURES = ("public", "accounts", "compounds", "staff", "register", "voting", "meetings", "inbox")
FEATURES += ("boards", "needs", "lists", "admin", "ops", "coowners", "drive")


def _register_blueprints(app: Flask) -> None:
    """Import each feature's route modules (they attach routes to its blueprint: `ROUTES` in the package, else its
    views), then register the blueprints."""
    import importlib

    for feature in FEATURES:
        package = importlib.import_module(f"portal.{feature}")
        for module in getattr(package, "ROUTES", ("views",)):
            importlib.import_module(f"portal.{feature}.{module}")
        app.register_blueprint(package.bp)
