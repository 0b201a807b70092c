"""Every page type in a real browser: no WCAG 2.1 A/AA violations (axe-core), keyboard access,
and the required second factor for staff."""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Page, Request, expect

from oglabs.calls.models import Call
from tests.e2e.axe import assert_no_axe_violations
from tests.e2e.conftest import LoginHelper, current_totp_code, submit_form_of
from tests.factories.accounts import PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.browser


def path_of(page: Page) -> str:
    return urlsplit(page.url).path


def open_page(page: Page, path: str, *, status: int = 200) -> None:
    response = page.goto(path)
    assert response is not None
    assert response.status == status, f"{path}: HTTP {response.status}"
    assert path_of(page) == path


def load_demo_calls() -> list[Call]:
    """The demo data (``manage.py load_demo``: the 2019 call and an open copy); returns the calls."""
    call_command("load_demo", stdout=io.StringIO())
    calls = list(Call.objects.order_by("pk"))
    assert calls, "load_demo created no call"
    return calls


# --- public pages ----------------------------------------------------------------------------------


def test_home_with_demo_calls_has_no_axe_violations(page: Page) -> None:
    load_demo_calls()
    open_page(page, reverse("public:home"))
    expect(page.locator("html")).to_have_attribute("lang", "de")
    assert_no_axe_violations(page)


def test_call_detail_of_every_demo_call_has_no_axe_violations(page: Page) -> None:
    for call in load_demo_calls():  # one open, one closed
        open_page(page, reverse("public:call_detail", kwargs={"slug": call.slug}))
        assert_no_axe_violations(page)


@pytest.mark.parametrize("path", ["/impressum/", "/datenschutz/", "/barrierefreiheit/", "/leichte-sprache/"])
def test_legal_page_has_no_axe_violations(page: Page, path: str) -> None:
    open_page(page, path)
    assert_no_axe_violations(page)


def test_home_in_english_via_language_switch_has_no_axe_violations(page: Page) -> None:
    load_demo_calls()
    open_page(page, reverse("public:home"))
    switch = page.get_by_role("button", name=re.compile(r"English")).or_(
        page.get_by_role("link", name=re.compile(r"English"))
    )
    with page.expect_navigation():
        switch.first.click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert path_of(page) == "/en/"
    assert_no_axe_violations(page)


def test_unknown_page_shows_404_without_axe_violations(page: Page) -> None:
    open_page(page, "/gibt-es-nicht/", status=404)
    assert_no_axe_violations(page)


# --- account pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url_name", ["account_login", "account_signup", "account_reset_password"])
def test_account_page_has_no_axe_violations(page: Page, url_name: str) -> None:
    open_page(page, reverse(url_name))
    assert_no_axe_violations(page)


def test_login_with_wrong_password_has_no_axe_violations(page: Page) -> None:
    user = UserFactory()
    open_page(page, reverse("account_login"))
    page.locator("input[name='login']").fill(str(user.email))
    page.locator("input[name='password']").fill("falsches-Passwort-123")
    submit_form_of(page, "password")
    assert path_of(page) == reverse("account_login")
    assert_no_axe_violations(page)


def test_signup_with_errors_has_no_axe_violations(page: Page) -> None:
    open_page(page, reverse("account_signup"))
    # The browser's own validation would stop an empty submission before the server sees it.
    page.locator("form:has([name='password1'])").evaluate("form => { form.noValidate = true; }")
    submit_form_of(page, "password1")
    assert path_of(page) == reverse("account_signup")
    expect(page.locator("[aria-invalid='true']").first).to_be_visible()
    assert_no_axe_violations(page)


# --- logged-in pages -------------------------------------------------------------------------------


def test_portal_home_for_applicant_has_no_axe_violations(logged_in_page: LoginHelper) -> None:
    page = logged_in_page(UserFactory())
    assert path_of(page) == reverse("portal:home")
    assert_no_axe_violations(page)


def confirm_password(page: Page) -> None:
    """allauth asks for the password again before an authenticator may be added."""
    assert path_of(page) == reverse("account_reauthenticate")
    page.locator("input[name='password']").fill(PASSWORD)
    submit_form_of(page, "password")


def test_totp_activation_for_staff_without_second_factor_has_no_axe_violations(
    logged_in_page: LoginHelper,
) -> None:
    page = logged_in_page(StaffFactory(), second_factor=False)
    page.goto(reverse("mfa_activate_totp"))
    assert_no_axe_violations(page)  # the password confirmation
    confirm_password(page)
    assert path_of(page) == reverse("mfa_activate_totp")
    assert_no_axe_violations(page)


def test_staff_without_second_factor_lands_on_totp_activation(logged_in_page: LoginHelper) -> None:
    staff = StaffFactory()
    page = logged_in_page(staff, second_factor=False)
    response = page.goto(reverse("backoffice:home"))
    assert response is not None
    chain: list[str] = []
    request: Request | None = response.request
    while request is not None:
        chain.insert(0, urlsplit(request.url).path)
        request = request.redirected_from
    assert chain == [
        reverse("backoffice:home"),
        reverse("mfa_activate_totp"),
        reverse("account_reauthenticate"),
    ]
    confirm_password(page)
    assert path_of(page) == reverse("mfa_activate_totp")
    secret = page.locator("#authenticator_secret").input_value()
    page.locator("input[name='code']").fill(current_totp_code(secret))
    submit_form_of(page, "code")
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).count() == 1

    open_page(page, reverse("backoffice:home"))  # admitted: the activation proved the second factor


def test_backoffice_home_for_staff_with_totp_has_no_axe_violations(logged_in_page: LoginHelper) -> None:
    page = logged_in_page(StaffFactory())
    open_page(page, reverse("backoffice:home"))
    assert_no_axe_violations(page)


# --- keyboard --------------------------------------------------------------------------------------


def test_first_tab_focuses_skip_link_which_moves_focus_to_main(page: Page) -> None:
    open_page(page, reverse("public:home"))
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_attribute("href", "#main")
    expect(focused).to_be_visible()  # a skip link may hide until focused, but must show then
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.closest('main') !== null") is True
    assert urlsplit(page.url).fragment == "main"
