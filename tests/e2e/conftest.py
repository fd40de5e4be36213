"""Browser tests: Debian's Chromium, driven by Playwright, against pytest-django's live server.

Without /usr/bin/chromium they skip, except under CI=true, where they fail.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import _require
from tests.factories import BILLING_MANAGERS, PASSWORD, user_in

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
]
LAPTOP = {"width": 1366, "height": 900}
TABLET = {"width": 800, "height": 1100}


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module."""
    _require(CHROMIUM.exists(), f"Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop running in this thread while it is open,
    # and Django then refuses ORM calls from this thread. The tests' ORM calls (fixtures,
    # assertions) are plain synchronous code, so the check is lifted while the browser is
    # open, and the browser closes with its module so no other test ever runs beside it.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab (its own cookies) on the live server, at laptop size."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport=LAPTOP)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def manager(transactional_db):
    return user_in(BILLING_MANAGERS, username="manager", first_name="Maya", last_name="Keller")


def sign_in(page, user, *, then: str = "/") -> None:
    """Sign in through the login form, as a person would."""
    page.goto(then)
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
