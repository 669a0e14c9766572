"""Static file URLs that change when the file does: `url_for('static', filename=…)` gets `?v=` and the first 12 hex
digits of the file's SHA-256, so the 30-day browser cache nginx allows (deploy/nginx/linli.conf) never keeps an old
ballot.js or stylesheet after an upgrade: the new file has a new URL. Hashed once per process and file."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask

EXTENSION = "linli.static_versions"


def _version(app: Flask, filename: str) -> str | None:
    versions = app.extensions.setdefault(EXTENSION, {})
    if filename not in versions:
        folder = Path(app.static_folder or "")
        path = (folder / filename).resolve()
        versions[filename] = None
        if path.is_file() and path.is_relative_to(folder.resolve()):
            versions[filename] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return versions[filename]


def init_app(app: Flask) -> None:
    """Add the version to every URL of the static endpoint (a file that is missing gets none)."""

    @app.url_defaults
    def versioned(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = _version(app, values["filename"])
            if version:
                values["v"] = version
