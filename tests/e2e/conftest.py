"""Browser tests: Playwright for Python driving Debian's Chromium against pytest-django's live server.

- One headless Chromium per test session; a fresh browser context (cookies, storage) and page per test.
- The pages run under the application's real Content-Security-Policy; a CSP violation or an uncaught
  script error fails the test, and so does any request to a host other than the live server.
- Every test in this directory carries the ``browser`` marker (``make test`` runs them separately with
  ``-m browser``; the unit run uses ``-m "not browser"``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from allauth.mfa.utils import decrypt
from django.core.cache import cache
from django.urls import reverse
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Playwright, sync_playwright

from tests.factories.accounts import PASSWORD

E2E_DIR = Path(__file__).resolve().parent

#: The real Chromium binary of Debian's ``chromium`` package (/usr/bin/chromium is a shell wrapper).
CHROMIUM = Path(os.environ.get("OGLABS_CHROMIUM", "/usr/lib/chromium/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",  # containers and CI runners have no user namespaces for the sandbox
    "--disable-gpu",
    "--disable-dev-shm-usage",  # small /dev/shm in containers
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    # Belt and braces for the host check below: nothing but the local server can be resolved.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
]
VIEWPORT = {"width": 1280, "height": 900}
#: Set to a directory to get a full-page screenshot of every test's last page (for a human look).
SCREENSHOT_DIR = os.environ.get("OGLABS_E2E_SCREENSHOTS", "")
TIMEOUT_MS = 10_000

# Playwright's sync API keeps an asyncio event loop in the test thread, so Django's guard against
# ORM calls from async code would trip on the test's own (synchronous) set-up code. The test
# process never runs Django in an event loop, so the guard is switched off here, for tests only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_itemcollected(item: pytest.Item) -> None:
    """Every test under tests/e2e/ is a browser test, even if someone forgets the marker."""
    if E2E_DIR in Path(str(item.path)).resolve().parents:
        item.add_marker(pytest.mark.browser)


# --- the browser -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    if not CHROMIUM.is_file():
        pytest.skip(f"*** BROWSER TESTS SKIPPED: {CHROMIUM} not found (apt-get install chromium) ***")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    browser = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@dataclass
class PageRecord:
    """What a page did: every request URL, CSP violations and uncaught script errors."""

    origin: str
    requests: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def foreign_requests(self) -> list[str]:
        server = urlsplit(self.origin)
        foreign = []
        for url in self.requests:
            parts = urlsplit(url)
            if parts.scheme in {"data", "blob", "about"}:
                continue
            if (parts.scheme, parts.netloc) != (server.scheme, server.netloc):
                foreign.append(url)
        return foreign

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.csp_violations.append(message.text)

    def problems(self) -> list[str]:
        problems = [f"request to another host: {url}" for url in self.foreign_requests()]
        problems += [f"CSP violation: {text}" for text in self.csp_violations]
        problems += [f"uncaught script error: {text}" for text in self.page_errors]
        return problems


@pytest.fixture
def browser_context(browser: Browser, live_server: Any) -> Iterator[BrowserContext]:
    context = browser.new_context(
        base_url=live_server.url,
        locale="de-DE",  # Accept-Language: de — the site's default language
        timezone_id="Europe/Berlin",
        viewport=VIEWPORT,  # type: ignore[arg-type]  # a plain dict is what Playwright accepts at run time
    )
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page_record(live_server: Any) -> PageRecord:
    return PageRecord(origin=live_server.url)


@pytest.fixture
def page(
    browser_context: BrowserContext, page_record: PageRecord, request: pytest.FixtureRequest
) -> Iterator[Page]:
    """A fresh page on the live server; fails the test if the page left the server or broke its CSP."""
    browser_context.on("request", lambda request: page_record.requests.append(request.url))
    page = browser_context.new_page()
    page.on("console", page_record.on_console)
    page.on("pageerror", lambda error: page_record.page_errors.append(str(error)))
    yield page
    if SCREENSHOT_DIR and page.url.startswith("http"):
        name = "".join(c if c.isalnum() or c in "-_" else "_" for c in request.node.name)
        page.screenshot(path=str(Path(SCREENSHOT_DIR) / f"{name}.png"), full_page=True)
    problems = page_record.problems()
    if problems:
        pytest.fail("The page misbehaved:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture(autouse=True)
def _fresh_cache(transactional_db: None) -> None:
    """Rate limits and used TOTP codes live in the (database) cache, which a flush does not empty."""
    cache.clear()


# --- logging in --------------------------------------------------------------------------------


def current_totp_code(secret: str, *, period: int = 30) -> str:
    """The code an authenticator app would show now; waits out the last second of a period."""
    now = time.time()
    if period - now % period < 1.5:
        time.sleep(period - now % period + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def totp_secret_for(user: Any) -> str:
    """The user's TOTP secret, activating an authenticator first if the user has none."""
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
        return secret
    return str(decrypt(authenticator.data["secret"]))


def submit_form_of(page: Page, field_name: str) -> None:
    """Click the submit button of the form that holds the named field and wait for the next page."""
    form = page.locator(f"form:has([name='{field_name}'])")
    with page.expect_navigation():
        form.locator("button[type='submit'], input[type='submit']").first.click()


LoginHelper = Callable[..., Page]


@pytest.fixture
def logged_in_page(page: Page) -> LoginHelper:
    """``logged_in_page(user, second_factor=True)`` logs in through the real login form.

    Privileged users (staff, jurors, admins) also pass the TOTP step when ``second_factor`` is true;
    they get an authenticator first if they have none. Returns the page, on wherever the login led.
    """

    def login(user: Any, *, password: str = PASSWORD, second_factor: bool = True) -> Page:
        use_totp = bool(user.is_privileged and second_factor)
        secret = totp_secret_for(user) if use_totp else None
        page.goto(reverse("account_login"))
        page.locator("input[name='login']").fill(user.email)
        page.locator("input[name='password']").fill(password)
        submit_form_of(page, "password")
        assert urlsplit(page.url).path != reverse("account_login"), "login failed: still on the login page"
        if secret is not None:
            assert urlsplit(page.url).path == reverse("mfa_authenticate"), page.url
            page.locator("input[name='code']").fill(current_totp_code(secret))
            submit_form_of(page, "code")
            assert urlsplit(page.url).path != reverse("mfa_authenticate"), "TOTP code was refused"
        return page

    return login
