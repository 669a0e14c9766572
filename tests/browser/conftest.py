"""Browser tests: Debian's Chromium, driven by Playwright, against a live server on its own database.

The live app is the real configuration (CSRF on, rate limits on but high) and never shares the rollback-per-test
database of the other tests: on SQLite it gets a fresh file, on PostgreSQL the schema `browser` of the same
database. Every page a test visits goes through `Tab.check`: a screenshot, axe-core, the console and CSP, and the
phone layout (360 px wide, 16 px type, 44 px tap targets).
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.conftest import PASSWORD, make_app

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
SCHEMA = "browser"
WIDTH, HEIGHT = 360, 740  # a small Android phone
MIN_FONT_PX = 16
MIN_TAP_PX = 44
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# Findings collected over the run and printed in the terminal summary.
AXE_MINOR: list[str] = []
UNTRANSLATED: set[str] = set()

# Records CSP violations in the page itself (the console check below is the second net).
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${where})`);
});
"""

# Phone layout: horizontal overflow, type size, and the height of the buttons and links people tap.
LAYOUT_PROBE = """
({tap, font}) => {
  const px = (el) => parseFloat(getComputedStyle(el).fontSize);
  const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const label = (el) => (el.innerText || el.value || el.getAttribute("aria-label") || el.tagName).trim().slice(0, 40);
  // Links that start their line (back links, card and notice links, "no password yet?"), not links in a sentence.
  const ownLine = [...document.querySelectorAll("main a")].filter(
    (a) => a.innerText.trim() && a.parentElement.innerText.trim().startsWith(a.innerText.trim()));
  const taps = [...document.querySelectorAll(
    "main button[type=submit], main input[type=submit], main [role=button], .site-header a, .site-header button"),
    ...ownLine];
  const fields = document.querySelectorAll(
    "main input:not([type=hidden]):not([type=checkbox]), main select, main textarea");
  return {
    scrollWidth: document.documentElement.scrollWidth,
    rootFont: px(document.documentElement),
    bodyFont: px(document.body),
    smallTaps: taps.filter(shown).map((el) => [label(el), el.getBoundingClientRect().height])
      .filter(([, h]) => h < tap),
    smallFields: [...fields].filter(shown).map((el) => [el.id || el.name, px(el)]).filter(([, f]) => f < font),
  };
}
"""

AXE_RUN = """
axe.run(document, {resultTypes: ["violations"]}).then((r) => r.violations.map((v) => ({
  id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
})))
"""


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def unavailable(reason: str):
    """In CI a missing browser or axe is a failure; on a developer's machine the browser tests are skipped."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: browser tests must run)", pytrace=False)
    pytest.skip(reason)


# --- the live app --------------------------------------------------------------------------------------------------


def _browser_database() -> tuple[str, dict, Path | None]:
    """URL, engine options and temp dir of the browser tests' own database, emptied for a clean start."""
    from portal.config import normalise_database_url

    url = os.environ.get("PORTAL_TEST_DATABASE_URL")
    if not url:
        tmp = Path(tempfile.mkdtemp(prefix="linli-browser-"))
        return f"sqlite:///{tmp / 'browser.sqlite3'}", {}, tmp
    url = normalise_database_url(url)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    engine.dispose()
    return url, {"pool_pre_ping": True, "connect_args": {"options": f"-csearch_path={SCHEMA}"}}, None


@pytest.fixture(scope="package")
def live_app() -> Iterator[Flask]:
    """A separate app on its own database, built by the migrations; CSRF on, rate limits on but high."""
    from flask_migrate import upgrade

    from portal.extensions import db

    url, engine_options, tmp = _browser_database()
    app = make_app(
        TESTING=False,
        SQLALCHEMY_DATABASE_URI=url,
        SQLALCHEMY_ENGINE_OPTIONS=engine_options,
        WTF_CSRF_ENABLED=True,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="memory://",
        PORTAL_LOGIN_LIMIT="1000 per minute",
        PORTAL_ACTIVATION_LIMIT="1000 per minute",
    )
    with app.app_context():
        upgrade()
    try:
        yield app
    finally:
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose()
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code="-", size="-") -> None:  # one line per request only drowns a failure's output
        if str(code).startswith("5"):
            super().log_request(code, size)


@pytest.fixture(scope="package")
def live_server(live_app) -> Iterator[str]:
    """The live app served on 127.0.0.1 (a free port) from a background thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


# --- the browser ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="package")
def axe_source() -> str:
    """axe-core from the npm registry (`make vendor` installs it)."""
    if not AXE.is_file():
        unavailable(f"{AXE.relative_to(ROOT)} is missing: run `make vendor` (npm install)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless (never a downloaded browser)."""
    if not os.access(CHROMIUM, os.X_OK):
        unavailable(f"{CHROMIUM} is missing: `make browser-deps` installs Debian's chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Tab:
    """One phone-sized page plus everything it reported: console errors, uncaught errors, CSP violations."""

    page: Page
    prefix: str  # screenshots are named <prefix>-<step>.png
    axe_source: str | None
    javascript: bool
    errors: list[tuple[str, str]] = field(default_factory=list)  # (url, message)

    def __post_init__(self) -> None:
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(("", f"uncaught: {exc}")))

    def _console(self, message) -> None:
        if message.type != "error":
            return
        self.errors.append((message.location.get("url", ""), f"console: {message.text}"))

    def csp_violations(self) -> list[str]:
        """Violations the page recorded itself (needs JavaScript; the console catches them without it)."""
        if not self.javascript:
            return []
        return self.page.evaluate("window.__cspViolations || []")

    def check(self, step: str, *, axe: bool = True, status: int | None = None) -> None:
        """Screenshot, then assert: no console error or CSP violation, no serious axe finding, a phone layout.

        `status`: the page itself, or an htmx request of it, was meant to come with this error status (a form shown
        again with its errors is a 400); Chromium logs that as a console error, which is then expected.
        """
        page = self.page
        page.wait_for_load_state("load")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        # caret="initial": Playwright's default caret hiding leaves style="" on inputs, which htmx then copies
        # when it snapshots the page for history: a CSP violation the test itself would have caused.
        page.screenshot(path=str(ARTIFACTS / f"{self.prefix}-{step}.png"), full_page=True, caret="initial")

        expected = f"status of {status} " if status else None
        # The page itself, or an htmx request it made (a form fragment shown again with its errors).
        origin = page.url.split("/", 3)[:3]
        problems = [
            text for url, text in self.errors if not (expected and url.split("/", 3)[:3] == origin and expected in text)
        ]
        problems += [f"CSP: {v}" for v in self.csp_violations()]
        self.errors.clear()
        assert not problems, f"{step} ({page.url}): {problems}"

        layout = page.evaluate(LAYOUT_PROBE, {"tap": MIN_TAP_PX, "font": MIN_FONT_PX})
        assert layout["scrollWidth"] <= WIDTH, f"{step}: page is {layout['scrollWidth']} px wide, more than {WIDTH}"
        assert layout["rootFont"] >= MIN_FONT_PX and layout["bodyFont"] >= MIN_FONT_PX, f"{step}: {layout}"
        assert not layout["smallTaps"], f"{step}: tap targets under {MIN_TAP_PX} px: {layout['smallTaps']}"
        assert not layout["smallFields"], f"{step}: fields under {MIN_FONT_PX} px: {layout['smallFields']}"

        if axe and self.javascript and self.axe_source:
            self.check_axe(step)

    def check_axe(self, step: str) -> None:
        """axe-core evaluated in the page (Playwright's evaluate is not subject to the page CSP, no bypass needed)."""
        page = self.page
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.evaluate(self.axe_source + "\n;0")
        violations = page.evaluate(AXE_RUN)
        for v in violations:
            if v["impact"] not in ("serious", "critical"):
                line = f"{self.prefix}-{step}: {v['id']} ({v['impact']}) {v['help']} — {v['targets']}"
                AXE_MINOR.append(line)
                print("axe", line)
        serious = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert not serious, f"{step} ({page.url}): axe found {serious}"


@pytest.fixture
def open_tab(browser, axe_source) -> Iterator:
    """Open a phone-sized tab: open_tab(prefix, javascript=True, text=100); CSP and console are watched from the
    start; `text`: the phone's text size in percent (steps.text_size)."""
    from tests.browser.steps import text_size

    contexts, larger = [], []

    def _open(prefix: str, javascript: bool = True, text: int = 100) -> Tab:
        context = browser.new_context(
            viewport={"width": WIDTH, "height": HEIGHT},
            device_scale_factor=1,
            is_mobile=True,
            has_touch=True,
            java_script_enabled=javascript,
        )
        contexts.append(context)
        context.set_default_timeout(10_000)
        context.add_init_script(CSP_LISTENER)
        tab = Tab(context.new_page(), prefix, axe_source, javascript)
        if text != 100:
            text_size(tab, text)
            larger.append(tab.page)
        return tab

    yield _open
    for page in larger:  # no stylesheet fetch left running when the tab closes
        page.unroute_all(behavior="ignoreErrors")
    for context in contexts:
        context.close()


# --- test data, made through the app's own services ----------------------------------------------------------------


@pytest.fixture(scope="package")
def texts(live_app):
    """text(lang, msgid, **vars): the string as the app shows it in that language (records untranslated zh)."""
    from flask_babel import force_locale, gettext

    def text(lang: str, msgid: str, **variables) -> str:
        with live_app.test_request_context():
            with force_locale(lang):
                shown = gettext(msgid, **variables)
            if lang.startswith("zh"):
                with force_locale("en"):
                    if shown == gettext(msgid, **variables):
                        UNTRANSLATED.add(msgid)
        return shown

    return text


_numbers = itertools.count(1)


@pytest.fixture(scope="package")
def seed(live_app):
    """Builders that write committed test data into the live app's database through the services."""
    from portal.accounts.models import Person
    from portal.accounts.services import issue_code, new_account_no
    from portal.compounds import services as compounds
    from portal.extensions import db
    from portal.register import importer
    from portal.register import services as register
    from portal.roles import services as roles
    from portal.security import hash_password

    def compound_with_owners(owners: list[tuple[str, str]], staff: bool = False) -> SimpleNamespace:
        """A compound whose register lists (owner name, room) pairs, each owner with a fresh activation code."""
        n = next(_numbers)
        with live_app.app_context():
            community = compounds.get_or_create_community(f"阳光社区{n}")
            compound = compounds.create_compound(f"garden-{n}", f"绿园小区{n}", community)
            rows = [",".join(importer.COLUMNS)]
            rows += [f"1栋,1单元,{room},88.50,registered,{name},K{n}-{i},,0," for i, (name, room) in enumerate(owners)]
            parsed = importer.parse(("\n".join(rows) + "\n").encode())
            assert not parsed.errors, parsed.errors
            register.apply(compound, parsed, actor=None)
            people = []
            for i, (name, room) in enumerate(owners):
                person = db.session.scalar(
                    db.select(Person).filter_by(key_compound_id=compound.id, owner_key=f"K{n}-{i}")
                )
                issued = issue_code(person, compound, actor=None)
                people.append(
                    SimpleNamespace(id=person.id, name=name, room=room, account_no=person.account_no, code=issued.code)
                )
            staff_member = None
            if staff:
                person = Person(
                    name=f"社区工作人员{n}", account_no=new_account_no(), password_hash=hash_password(PASSWORD)
                )
                db.session.add(person)
                db.session.flush()
                roles.add_staff(person, community)
                staff_member = SimpleNamespace(id=person.id, name=person.name, account_no=person.account_no)
            result = SimpleNamespace(
                slug=compound.slug, name=compound.name, community=community.name, people=people, staff=staff_member
            )
            db.session.commit()
        return result

    return SimpleNamespace(compound_with_owners=compound_with_owners, phone=lambda: f"139{next(_numbers):08d}")


@pytest.fixture(scope="package")
def vote_seed(live_app, seed):
    """Builders for the voting browser tests: a compound whose owners can log in, with an open vote."""
    from datetime import timedelta

    from portal.accounts.models import Person
    from portal.accounts.services import activate, new_account_no
    from portal.compounds import services as compounds
    from portal.db import utcnow
    from portal.extensions import db
    from portal.roles import services as roles
    from portal.security import hash_password
    from portal.voting import lifecycle, proxies, services
    from portal.voting.models import Secrecy, Vote, VoteKind, VoteStatus

    def voting_compound(
        owners: list[tuple[str, str]],
        staff: int = 1,
        proxy: tuple[int, int] | None = None,
        letters: tuple[int, ...] = (),
        open_now: bool = True,
    ) -> SimpleNamespace:
        """A compound whose owners (name, room) have passwords, `staff` staff members of its community, and an
        open named resolution vote with an ordinary and a major item; proxy=(owner, proxy): the second owner holds
        a written authorisation to vote for the first (indexes into `owners`); `letters`: owners who still hold
        only their activation letter (no password yet); open_now=False: the vote is a draft, ready for staff to
        announce (its opening time passed: it opens as soon as it is announced)."""
        place = seed.compound_with_owners(owners, staff=True)
        with live_app.app_context():
            for i, owner in enumerate(place.people):
                if i not in letters:
                    activate(owner.code, PASSWORD, None)
            community = compounds.get_or_create_community(place.community)
            compound = compounds.get_compound(place.slug)
            staff_people = [db.session.get(Person, place.staff.id)]
            for i in range(1, staff):
                person = Person(
                    name=f"{place.staff.name}-{i + 1}",
                    account_no=new_account_no(),
                    password_hash=hash_password(PASSWORD),
                )
                db.session.add(person)
                db.session.flush()
                roles.add_staff(person, community)
                staff_people.append(person)
            actor = staff_people[0]

            now = utcnow()
            settings = services.Settings(
                kind=VoteKind.resolution,
                title=f"关于{place.name}电梯改造的表决",
                description="请业主在投票期内表决。",
                secrecy=Secrecy.named,
                opens_at=now - timedelta(minutes=5),  # already open: no waiting in the test
                closes_at=now + timedelta(days=7),
                objection_days=7,
            )
            vote = services.create_vote(compound, settings, actor)
            ordinary = services.add_item(vote, "选聘新的物业服务企业", "", "property_manager", actor)
            major = services.add_item(vote, "筹集维修资金改造电梯", "", "raise_fund", actor)
            if open_now:
                lifecycle.transition(vote, VoteStatus.announced, actor, reason="测试")  # short notice: a reason
                lifecycle.transition(vote, VoteStatus.open, actor)
            authorisation = None
            if proxy is not None:
                owner, holder = (place.people[i] for i in proxy)
                authorisation = proxies.authorise(
                    vote,
                    proxies.lookup(vote, f"1栋1单元{owner.room}"),  # the seeded building and entrance
                    db.session.get(Person, holder.id),
                    f"WT-{vote.id}-1",
                    actor,
                )
            place.vote = SimpleNamespace(
                id=vote.id,
                title=vote.title,
                path=f"/c/{place.slug}/votes/{vote.id}/",
                heads=vote.electorate_heads,
                items=[
                    SimpleNamespace(id=item.id, title=item.title, matter=item.matter.value)
                    for item in (ordinary, major)
                ],
                proxy_reference=authorisation.reference if authorisation else None,
            )
            place.staff_members = [SimpleNamespace(id=p.id, name=p.name, account_no=p.account_no) for p in staff_people]
            db.session.commit()
            expected = VoteStatus.open if open_now else VoteStatus.draft
            assert db.session.get(Vote, place.vote.id).status == expected
        return place

    return SimpleNamespace(voting_compound=voting_compound)


def pytest_terminal_summary(terminalreporter) -> None:
    """Show the moderate/minor axe findings and the strings still untranslated in zh-Hans."""
    if AXE_MINOR:
        terminalreporter.section("axe: moderate and minor findings")
        for line in dict.fromkeys(AXE_MINOR):
            terminalreporter.write_line(line)
    if UNTRANSLATED:
        terminalreporter.section("zh-Hans: strings seen untranslated by the browser tests")
        for msgid in sorted(UNTRANSLATED):
            terminalreporter.write_line(repr(msgid))


@pytest.fixture(scope="package")
def meeting_seed(live_app, seed):
    """Builders for the meeting browser tests: a compound whose owners' committee members can log in."""
    from portal.accounts.models import Person
    from portal.accounts.services import activate
    from portal.compounds import services as compounds
    from portal.extensions import db
    from portal.roles import services as roles
    from portal.roles.models import CommitteePost, Role

    def committee_compound(members: list[tuple[str, str, str]]) -> SimpleNamespace:
        """A compound whose register lists (name, room) owners, each with a password and on the owners' committee
        with the post given (chair, secretary, member...). Meetings are left to the test (they go through the UI)."""
        place = seed.compound_with_owners([(name, room) for name, room, _ in members])
        with live_app.app_context():
            compound = compounds.get_compound(place.slug)
            for person, (_, _, post) in zip(place.people, members, strict=True):
                activate(person.code, PASSWORD, None)
                roles.grant(db.session.get(Person, person.id), compound, Role.committee, post=CommitteePost(post))
            db.session.commit()
        return place

    return SimpleNamespace(committee_compound=committee_compound)
