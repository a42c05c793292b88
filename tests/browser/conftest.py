"""Browser tests: Debian's Chromium driven by Playwright's sync API against pytest-django's live server.

One browser per session, a fresh context (cookies, viewport) per test. Each test saves a screenshot
of where it ended to test-results/ (git-ignored) so a human can look; nothing asserts on pixels.

Without /usr/bin/chromium every test here is skipped — unless QIANCUN_REQUIRE_BROWSER=1, then they fail.
"""

import os
import re
import warnings
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"
DEFAULT_TIMEOUT_MS = 10_000


def _browser_required() -> bool:
    return os.environ.get("QIANCUN_REQUIRE_BROWSER") == "1"


def _unavailable(reason: str):
    if _browser_required():
        pytest.fail(f"{reason} (QIANCUN_REQUIRE_BROWSER=1, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole session.

    While Playwright's sync API is running it keeps an event loop in this thread, and Django would refuse
    every ORM call made here (test database setup, make_user, audit checks, the tree reload) as "async
    unsafe". DJANGO_ALLOW_ASYNC_UNSAFE is set for exactly that lifetime, so tests that run before any
    browser starts keep Django's check."""
    if not CHROMIUM.exists():
        _unavailable(f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("browser tests need the Python package playwright")
    with pytest.MonkeyPatch.context() as mp, sync_playwright() as p:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _open_page(request, browser, live_server, viewport):
    context = browser.new_context(
        base_url=live_server.url, viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai",
        is_mobile=viewport["width"] < 600, has_touch=viewport["width"] < 600,
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    yield page
    RESULTS_DIR.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    try:
        page.screenshot(path=str(RESULTS_DIR / f"{name}.png"), full_page=True)
    except Exception as exc:  # a picture for humans must never turn a result into an error
        warnings.warn(f"no screenshot for {name}: {exc}", stacklevel=1)
    finally:
        context.close()


@pytest.fixture
def page(request, browser, live_server, jilin):
    """A desktop-sized tab (1280×800) in a fresh context, its relative URLs resolved on the live server."""
    yield from _open_page(request, browser, live_server, DESKTOP)


@pytest.fixture
def phone_page(request, browser, live_server, jilin):
    """A phone-sized tab (360×740, touch) in a fresh context."""
    yield from _open_page(request, browser, live_server, PHONE)


@pytest.fixture
def login():
    """Sign in through the login form like a person would: login(page, username[, password])."""
    from playwright.sync_api import expect

    from qiancun.core.testing import PASSWORD

    def sign_in(page, username: str, password: str = PASSWORD):
        page.goto("/accounts/login/")
        expect(page.get_by_role("heading", name="千村示范创建管理平台")).to_be_visible()
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(password)
        with page.expect_navigation():  # the form posts; every answer (home, error, lockout) is a new page
            page.get_by_role("button", name="登录").click()
        if "/accounts/2fa/verify/" in page.url:  # the account has a second factor: type its current code
            from django_otp.plugins.otp_totp.models import TOTPDevice

            from qiancun.core.testing import totp_code

            page.locator("#id_code").fill(totp_code(TOTPDevice.objects.get(user__username=username, confirmed=True)))
            with page.expect_navigation():
                page.get_by_role("button", name="验证").click()

    return sign_in
