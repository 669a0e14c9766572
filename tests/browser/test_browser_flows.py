"""The owner's first visit and the staff people page, in a phone-sized Chromium (see conftest.py for the checks)."""

from __future__ import annotations

import re
from functools import partial

import pytest
from playwright.sync_api import expect

from tests.browser.steps import field as _field
from tests.browser.steps import submit as _submit
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

HTML_LANG = {"zh_Hans": "zh-Hans", "en": "en"}


def _header(page):
    return page.locator(".site-header")


@pytest.mark.parametrize("lang", ["zh_Hans", "en"])
def test_owner_activates_from_the_letter_then_logs_out_and_in(lang, live_server, open_tab, seed, texts):
    """QR code → activation → portal home → compound home → log out → log in → compound home, in one language."""
    t = partial(texts, lang)
    place = seed.compound_with_owners([("王芳", "1201")])
    owner = place.people[0]
    phone = seed.phone() if lang == "zh_Hans" else None  # one variant also gives a phone and logs in with it
    tab = open_tab("zh" if lang == "zh_Hans" else "en")
    page = tab.page
    html = page.locator("html")

    # The letter's QR code: the code after "#" never reaches the server; activate.js fills it in and removes it.
    page.goto(f"{live_server}/activate#code={owner.code}")
    expect(html).to_have_attribute("lang", "zh-Hans")  # Chinese first, for everyone
    expect(_field(page, texts("zh_Hans", "Activation code"))).to_have_value(owner.code)
    expect(page).to_have_url(f"{live_server}/activate")  # the code has left the address bar and the history
    if lang == "en":
        _header(page).get_by_role("button", name="English").click()
        expect(page).to_have_url(f"{live_server}/activate")  # back on the same page; the owner scans again
        page.goto(f"{live_server}/activate#code={owner.code}")
    expect(html).to_have_attribute("lang", HTML_LANG[lang])
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Activate my account"))
    expect(page.get_by_role("heading", level=1)).to_contain_text({"zh_Hans": "激活", "en": "Activate"}[lang])
    expect(_field(page, t("Activation code"))).to_have_value(owner.code)
    tab.check("activate")

    _submit(page, t("Continue"))  # the code first; only a usable one leads on to the password and phone
    expect(
        page.get_by_text(
            t("The code is right. Your account number is %(no)s. Now choose a password.", no=owner.account_no)
        )
    ).to_be_visible()
    tab.check("activate-password")
    if phone:
        _field(page, t("Mobile phone (optional)")).fill(phone)
    _field(page, t("New password")).fill(PASSWORD)
    _field(page, t("Repeat the password")).fill(PASSWORD)
    _submit(page, t("Activate"))

    expect(page).to_have_url(f"{live_server}/")
    expect(html).to_have_attribute("lang", HTML_LANG[lang])
    expect(page.locator(".flashes")).to_have_text(
        t("Your account is active. Your account number is %(no)s.", no=owner.account_no)
    )
    expect(page.get_by_text(t("Hello, %(name)s.", name=owner.name))).to_be_visible()
    expect(page.get_by_role("heading", name=t("My compounds"))).to_be_visible()
    expect(_header(page).get_by_role("button", name=t("Log out"))).to_be_visible()
    tab.check("home")

    page.get_by_role("link", name=place.name, exact=True).click()
    _expect_compound_home(page, live_server, place, t)
    tab.check("compound")

    _header(page).get_by_role("button", name=t("Log out")).click()
    expect(page).to_have_url(f"{live_server}/")
    expect(page.locator(".flashes")).to_have_text(t("You have logged out."))
    expect(html).to_have_attribute("lang", HTML_LANG[lang])  # the language outlives the session
    tab.check("logged-out")

    _header(page).get_by_role("link", name=t("Log in")).click()
    expect(page).to_have_url(f"{live_server}/login")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Log in"))
    expect(page.get_by_role("heading", level=1)).to_contain_text({"zh_Hans": "登录", "en": "Log in"}[lang])
    tab.check("login")

    login = _field(page, t("Account number or phone"))
    password = _field(page, t("Password"))
    login.fill(phone or owner.account_no)
    password.fill("not the password")
    _submit(page, t("Log in"))
    expect(page.locator("#password-error")).to_have_text(t("The account or the password is not right."))
    expect(password).to_have_attribute("aria-invalid", "true")
    tab.check("login-error", status=400)

    login.fill(phone or owner.account_no)
    password.fill(PASSWORD)
    _submit(page, t("Log in"))
    expect(page).to_have_url(f"{live_server}/")
    expect(html).to_have_attribute("lang", HTML_LANG[lang])  # still the chosen language once logged in
    page.get_by_role("link", name=place.name, exact=True).click()
    _expect_compound_home(page, live_server, place, t)
    tab.check("compound-again")


def _expect_compound_home(page, live_server, place, t) -> None:
    expect(page).to_have_url(f"{live_server}/c/{place.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(place.name)
    expect(page.get_by_role("heading", name=t("Notices"))).to_be_visible()
    expect(page.get_by_role("heading", name=t("Owners' voting"))).to_be_visible()  # members see their sections


def test_activation_and_login_work_without_javascript(live_server, open_tab, seed, texts):
    """Core flows need no JavaScript: activate → home → compound → log out → log in → compound."""
    t = partial(texts, "zh_Hans")
    place = seed.compound_with_owners([("李明", "302")])
    owner = place.people[0]
    tab = open_tab("nojs", javascript=False)
    page = tab.page

    page.goto(f"{live_server}/activate#code={owner.code}")
    assert page.evaluate("typeof window.htmx") == "undefined"  # htmx really did not run
    expect(_field(page, t("Activation code"))).to_have_value("")  # nothing reads the fragment: the owner types it
    _field(page, t("Activation code")).fill(owner.code)
    _submit(page, t("Continue"))
    _field(page, t("New password")).fill(PASSWORD)
    _field(page, t("Repeat the password")).fill(PASSWORD)
    _submit(page, t("Activate"))
    expect(page).to_have_url(f"{live_server}/")
    tab.check("home", axe=False)  # axe needs JavaScript; the same pages are checked in the flow test

    page.get_by_role("link", name=place.name, exact=True).click()
    _expect_compound_home(page, live_server, place, t)
    _header(page).get_by_role("button", name=t("Log out")).click()
    expect(page.locator(".flashes")).to_have_text(t("You have logged out."))

    _header(page).get_by_role("link", name=t("Log in")).click()
    _field(page, t("Account number or phone")).fill(owner.account_no)
    _field(page, t("Password")).fill(PASSWORD)
    _submit(page, t("Log in"))
    expect(page).to_have_url(f"{live_server}/")
    page.get_by_role("link", name=place.name, exact=True).click()
    _expect_compound_home(page, live_server, place, t)
    tab.check("compound", axe=False)


def test_staff_filter_people_and_toggle_a_role_with_htmx(live_server, open_tab, seed, texts):
    """The people table filters as staff type and a role toggles in place; the CSRF token rides in hx-headers."""
    t = partial(texts, "zh_Hans")
    place = seed.compound_with_owners([("王芳", "101"), ("李明", "102"), ("张伟", "201")], staff=True)
    li = next(p for p in place.people if p.name == "李明")
    tab = open_tab("staff")
    page = tab.page

    page.goto(f"{live_server}/login")
    _field(page, t("Account number or phone")).fill(place.staff.account_no)
    _field(page, t("Password")).fill(PASSWORD)
    _submit(page, t("Log in"))
    expect(page).to_have_url(f"{live_server}/")

    page.goto(f"{live_server}/staff/c/{place.slug}/people")
    rows = page.locator("#people li.person")
    expect(rows).to_have_count(3)
    tab.check("people")
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads

    with page.expect_response(lambda r: "/people?" in r.url and r.request.method == "GET") as searched:
        _field(page, t("Search by name, room or account number")).fill("李明")
    assert searched.value.request.all_headers().get("hx-request") == "true"
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("李明")
    expect(page).to_have_url(re.compile(r"[?&]q="))  # hx-push-url keeps the filter in the address
    assert page.evaluate("window.__sameDocument") is True
    tab.check("people-filtered")

    row = page.locator(f"#person-{li.id}")
    # The list holds no role controls (issue 13: 50 rows, light): the row's link opens the chips in place.
    expect(row.locator(".chips")).to_have_count(0)
    with page.expect_response(lambda r: r.url.endswith(f"/people/{li.id}") and r.request.method == "GET") as opened:
        row.get_by_role("link").filter(has_text=t("Change roles")).click()
    assert opened.value.request.all_headers().get("hx-request") == "true"
    expect(row.locator(".chips")).to_be_visible()
    assert page.evaluate("window.__sameDocument") is True
    tab.check("people-roles-opened")
    resident = (
        row.locator(".chips form").filter(has=page.locator("input[name=role][value=resident]")).get_by_role("button")
    )
    expect(resident).to_have_attribute("aria-pressed", "false")
    # Only the hx-headers token is left: the toggle must work through it alone.
    page.evaluate(f"document.querySelectorAll('#person-{li.id} input[name=csrf_token]').forEach((i) => i.remove())")
    token = page.evaluate("JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken']")
    page.evaluate(f"document.getElementById('roles-{li.id}').dataset.before = 'swap'")
    # Giving a role is never one tap (issue 13): the chip brings the confirmation into the row, nothing given yet.
    with page.expect_response(lambda r: r.url.endswith(f"/people/{li.id}/roles")) as asked:
        resident.click()
    assert asked.value.status == 400
    expect(resident).to_have_attribute("aria-pressed", "false")
    expect(page.locator(f"#roles-{li.id}")).not_to_have_attribute("data-before", "swap")
    tab.check("people-role-confirm", status=400)
    page.evaluate(f"document.querySelectorAll('#person-{li.id} input[name=csrf_token]').forEach((i) => i.remove())")
    row.get_by_label(t("I have checked who this is, and I give them this role.")).check()
    with page.expect_response(lambda r: r.url.endswith(f"/people/{li.id}/roles")) as toggled:
        row.get_by_role("button", name=t("Give the role")).click()
    headers = toggled.value.request.all_headers()
    assert toggled.value.status == 200
    assert headers.get("hx-request") == "true"
    assert headers.get("x-csrftoken") == token
    expect(resident).to_have_attribute("aria-pressed", "true")
    expect(rows).to_have_count(1)
    assert page.evaluate("window.__sameDocument") is True
    tab.check("people-role-toggled")

    # A post the list does not offer (only a tampered form sends one) comes back as the row, 400, the error at the
    # select; the page stays whole and accessible.
    committee = (
        row.locator(".chips form").filter(has=page.locator("input[name=role][value=committee]")).get_by_role("button")
    )
    committee.click()
    row.get_by_label(t("I have checked who this is, and I give them this role.")).check()
    row.get_by_role("button", name=t("Give the role")).click()
    select = row.locator(f"#post-{li.id}")
    expect(select).to_be_visible()
    select.evaluate("(s) => { s.options[s.selectedIndex].value = 'emperor'; }")
    with page.expect_response(lambda r: r.url.endswith(f"/people/{li.id}/roles")) as refused_post:
        row.get_by_role("button", name=t("Save")).click()
    assert refused_post.value.status == 400
    expect(select).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#post-{li.id}-error")).to_have_text(t("Not a valid choice."))
    assert page.evaluate("window.__sameDocument") is True
    tab.check("people-post-refused", status=400)

    # And CSRF is really enforced in the live app: the same POST without a token is refused.
    refused = page.request.post(f"{live_server}/staff/c/{place.slug}/people/{li.id}/roles", form={"role": "volunteer"})
    assert refused.status == 400


def test_the_checks_catch_csp_violations_and_axe_failures(live_server, open_tab):
    """The page checks are not blind: an inline script, an inline style and an unlabelled field are caught."""
    tab = open_tab("guard")
    page = tab.page
    page.goto(f"{live_server}/")
    tab.check("home")

    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1'; "
        "document.head.append(s); }"
    )
    page.evaluate(
        "() => document.querySelector('main').insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')"
    )
    assert page.evaluate("window.__ran") is None  # the CSP blocked it (no bypass_csp in this context)
    with pytest.raises(AssertionError, match=r"script-src.*style-src"):
        tab.check("csp-violation", axe=False)

    page.evaluate("() => document.querySelector('main').insertAdjacentHTML('beforeend', '<input type=text>')")
    with pytest.raises(AssertionError, match="label"):
        tab.check_axe("unlabelled-field")
