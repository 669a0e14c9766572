"""A small browser-like HTTP client for the benchmark: cookies, the CSRF token from forms, keep-alive, latency.

Standard library only (http.client), and only ever to 127.0.0.1.
"""

from __future__ import annotations

import http.client
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

HOST = "127.0.0.1"
USER_AGENT = "Mozilla/5.0 (Linux; Android 13) linli-bench"
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')
CSRF_HEADER = re.compile(r'"X-CSRFToken":\s*"([^"]+)"')
RECEIPT = re.compile(r'class="code receipt-code">([0-9A-Z]{5}-[0-9A-Z]{5})<')
# A connection reused after the server closed it fails before any answer: browsers retry once, so do we.
STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, http.client.CannotSendRequest)


@dataclass
class Response:
    """What came back, and how long it took (seconds)."""

    status: int
    headers: dict[str, str]
    body: bytes
    elapsed: float

    @property
    def text(self) -> str:
        """The body as text."""
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        """The redirect target, if any."""
        return self.headers.get("location", "")


@dataclass
class Connection:
    """One keep-alive connection (a client thread owns one; sessions share it like a browser's socket pool)."""

    port: int
    timeout: float = 30.0
    _conn: http.client.HTTPConnection | None = None

    def send(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Response:
        """One request; reconnects once when a kept-alive connection turns out to be closed."""
        for attempt in (1, 2):
            fresh = self._conn is None
            if fresh:
                self._conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
            started = time.perf_counter()
            try:
                self._conn.request(method, path, body=body, headers=headers)
                raw = self._conn.getresponse()
                data = raw.read()
            except STALE:
                self.close()
                if fresh or attempt == 2:
                    raise
                continue
            except Exception:
                self.close()
                raise
            elapsed = time.perf_counter() - started
            response_headers: dict[str, str] = {}
            for name, value in raw.getheaders():
                key = name.lower()
                response_headers[key] = f"{response_headers[key]}\n{value}" if key in response_headers else value
            if raw.will_close:
                self.close()
            return Response(raw.status, response_headers, data, elapsed)
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Drop the socket."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None


@dataclass
class Session:
    """One person's browser: a cookie jar and the CSRF token of their session."""

    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str | None = None
    etags: dict[str, str] = field(default_factory=dict)

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """Request headers a browser would send."""
        headers = {"User-Agent": USER_AGENT, "Accept-Language": "zh-CN,zh;q=0.9", "Accept": "text/html"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers.update(extra or {})
        return headers

    def remember(self, response: Response) -> Response:
        """Keep cookies and any CSRF token the page carries."""
        for line in response.headers.get("set-cookie", "").split("\n"):
            if line:
                self._set_cookie(line)
        if response.headers.get("content-type", "").startswith("text/html"):
            found = CSRF_FIELD.search(response.text) or CSRF_HEADER.search(response.text)
            if found:
                self.csrf = found.group(1)
        return response

    def _set_cookie(self, line: str) -> None:
        """Apply one Set-Cookie line (the portal's own cookies only: name=value, removed by Max-Age=0).

        Parsed by hand rather than with http.cookies: the client shares the server's two cores, and SimpleCookie's
        cost per response would be counted against the server's rate."""
        pair, _sep, attributes = line.partition(";")
        name, _eq, value = pair.strip().partition("=")
        removed = value in ("", '""') or "max-age=0" in attributes.lower().replace(" ", "")
        if removed:
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = value

    def get(self, conn: Connection, path: str, headers: dict[str, str] | None = None) -> Response:
        """GET a page."""
        return self.remember(conn.send("GET", path, None, self.headers(headers)))

    def post(self, conn: Connection, path: str, form: dict[str, str] | None = None) -> Response:
        """POST a form with this session's CSRF token, as the browser submits it."""
        body = urlencode({"csrf_token": self.csrf or "", **(form or {})}).encode()
        headers = self.headers({"Content-Type": "application/x-www-form-urlencoded"})
        return self.remember(conn.send("POST", path, body, headers))

    def login(self, conn: Connection, account_no: str, password: str) -> None:
        """Log in through the real form (fetch it for the CSRF token, post it back, fetch a page for the new token);
        raises unless the login answers 303."""
        self.get(conn, "/login")
        response = self.post(conn, "/login", {"login": account_no, "password": password})
        if response.status != 303:
            raise RuntimeError(f"login of {account_no} answered {response.status}: {response.text[:200]}")
        # Login renews the CSRF token (the session starts afresh): follow the redirect, as a browser does, for it.
        self.get(conn, "/account")
