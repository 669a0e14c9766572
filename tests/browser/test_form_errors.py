"""A refused form on a phone: the error summary at its top takes the focus, and its links lead to the fields, at
360 px in Chinese and English, at 100 % and 200 % text (tests/browser/test_large_text.py sets the size)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("lang", "percent"), [("zh_Hans", 100), ("en", 100), ("zh_Hans", 200), ("en", 200)])
def test_an_empty_form_shows_the_summary_focused_and_its_links_reach_the_fields(
    lang, percent, live_server, open_tab, texts
):
    t = lambda msgid, **kw: texts(lang, msgid, **kw)  # noqa: E731
    tab = open_tab(f"form-errors-{lang}-{percent}", text=percent)
    page = tab.page
    page.goto(f"{live_server}/login")
    if lang == "en":
        page.locator(".site-header").get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("main").get_by_role("button", name=t("Log in")).click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text(t("There is a problem"))
    expect(summary.get_by_role("link")).to_have_count(2)
    tab.check("summary", status=400)
    summary.get_by_role("link").nth(1).click()
    expect(page.locator("#password")).to_be_focused()
    summary.get_by_role("link").first.click()
    expect(page.locator("#login")).to_be_focused()


def test_without_javascript_the_summary_is_at_the_top_and_its_links_work(live_server, open_tab, texts):
    tab = open_tab("form-errors-nojs", javascript=False)
    page = tab.page
    page.goto(f"{live_server}/login")
    page.locator("main").get_by_role("button", name=texts("zh_Hans", "Log in")).click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text(texts("zh_Hans", "There is a problem"))
    tab.check("summary", status=400)
    summary.get_by_role("link").first.click()
    expect(page).to_have_url(f"{live_server}/login#login")
