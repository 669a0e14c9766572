"""Running Linli: health endpoints for the proxy and the monitor, the configuration check, trusting the proxy, and
backup and restore (`backup.py`)."""

from flask import Blueprint, Flask

bp = Blueprint("ops", __name__)


def trust_proxies(app: Flask) -> None:
    """Behind PORTAL_PROXY_HOPS proxies, take the client's address, scheme, host and port from their X-Forwarded-*
    headers (Werkzeug's ProxyFix): rate limits and log lines then see the owner, not nginx. With 0, which is right
    when gunicorn faces the internet, the headers are ignored, since any client could forge them."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    from portal.config import ConfigError

    hops = int(app.config.get("PORTAL_PROXY_HOPS") or 0)
    if hops < 0:
        raise ConfigError(f"PORTAL_PROXY_HOPS must be 0 or more, not {hops}.")
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)
