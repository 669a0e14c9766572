"""Steps every browser test takes the same way: find a field by its label, press a button, read a flash, log in; and
the property company most seeds need."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD


def submit(scope, name: str) -> None:
    """Press the button named `name` in `scope` (for a whole page, in its main part: never a header button)."""
    if isinstance(scope, Page):
        scope = scope.locator("main")
    scope.get_by_role("button", name=name, exact=True).click()


def field(scope, label: str):
    """A form field by its label's exact text (a required field's label ends with an aria-hidden "*")."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}\s*\*?$"))


def colon(t) -> str:
    """The colon after a label, as portal.templating writes it in the language of `t`: "：" in Chinese, ": " in
    English."""
    return "：" if re.search(r"[\u4e00-\u9fff]", t("Area")) else ": "


def flash(page, text: str) -> None:
    """The page shows this message at the top."""
    expect(page.locator(".flashes")).to_contain_text(text)


def login(tab, live_server: str, who, t, lang: str = "zh_Hans") -> None:
    """Log in with the account number; in English, switch the language first (it outlives the login)."""
    page = tab.page
    page.goto(f"{live_server}/login")
    if lang == "en":
        page.locator(".site-header").get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
    field(page, t("Account number or phone")).fill(who.account_no)
    field(page, t("Password")).fill(PASSWORD)
    submit(page, t("Log in"))
    expect(page).to_have_url(f"{live_server}/")


TEXT_LARGE = 1.25  # html.text-large in portal.css


def text_size(tab, percent: int) -> None:
    """The phone's text size at `percent` (WeChat's large font): the root font size, on top of 大字 when that is on.

    The portal sizes everything from the root, so a root at 200 % is the page in 200 % text. The rule is appended to
    the portal's own stylesheet on its way to the browser: an inline <style> would break the CSP the tests watch, and
    Chromium's default font size, set over CDP, is reset by every full-page screenshot. Call `tab.page.unroute_all`
    before the tab closes."""
    if percent == 100:
        return
    rule = f"html {{ font-size: {percent}% !important; }}"
    rule += f" html.text-large {{ font-size: {percent * TEXT_LARGE}% !important; }}"

    def larger(route) -> None:
        response = route.fetch()
        route.fulfill(response=response, body=response.text() + "\n" + rule)

    tab.page.route("**/css/portal.css*", larger)


def property_company(compound, staff, manager_name: str):
    """Seed (inside an app context): a property manager who can log in and the compound's property company, with
    the manager acting for it in the portal; returns (manager, company)."""
    from portal.accounts.models import Person
    from portal.accounts.services import new_account_no
    from portal.boards import services as boards
    from portal.boards.models import OrgKind
    from portal.extensions import db
    from portal.roles import services as roles
    from portal.roles.models import Role
    from portal.security import hash_password

    manager = Person(name=manager_name, account_no=new_account_no(), password_hash=hash_password(PASSWORD))
    db.session.add(manager)
    db.session.flush()
    roles.grant(manager, compound, Role.property_manager)
    company = boards.create_organisation(
        compound.community, staff, kind=OrgKind.property_company, name=f"{compound.name}物业服务有限公司",
        duty="保洁、绿化、秩序维护和设施维修。", compound=compound,
    )  # fmt: skip
    boards.add_member(company, staff, manager, "项目经理", True)
    return manager, company
