"""Static URLs carry a version of the file's content, so a browser's 30-day copy never outlives an upgrade."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from flask import url_for

from tests.conftest import make_app

ROOT = Path(__file__).resolve().parents[1]


def test_every_static_url_on_a_page_names_the_content_it_serves(client):
    page = client.get("/login").get_data(as_text=True)
    urls = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
    assert urls, page[:500]
    for url in urls:
        path, version = re.fullmatch(r"/static/([^?]+)\?v=([0-9a-f]{12})", url.replace("&amp;", "&")).groups()
        assert hashlib.sha256((ROOT / "static" / path).read_bytes()).hexdigest()[:12] == version
        assert client.get(url).status_code == 200  # the version is only a cache key: the same file is served


def test_a_changed_file_gets_a_new_url_and_a_missing_one_none(tmp_path):
    def url_after_start(content: str) -> str:
        (tmp_path / "app.js").write_text(content)
        app = make_app()  # a new process after the upgrade
        app.static_folder = str(tmp_path)
        with app.test_request_context():
            assert url_for("static", filename="missing.js") == "/static/missing.js"
            assert url_for("static", filename="../app.py") == "/static/../app.py"  # nothing outside is hashed
            return url_for("static", filename="app.js")

    before, after, again = url_after_start("one"), url_after_start("two"), url_after_start("two")
    assert before != after == again and "?v=" in before
