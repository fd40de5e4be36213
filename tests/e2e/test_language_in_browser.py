"""The language picker in Chromium: a manager switches the back office to French from the
page header, and it stays French after signing out and in again; a German browser meets the
sign-in page in German."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.models import UserPreference
from tests.e2e.conftest import LAPTOP, sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_manager_switches_to_french_and_it_is_kept_for_the_next_sign_in(page, manager):
    sign_in(page, manager)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Dashboard")).to_be_visible()

    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change language").click()

    french_nav = page.get_by_role("navigation", name="Navigation principale")
    expect(french_nav.get_by_role("link", name="Tableau de bord")).to_be_visible()
    expect(french_nav.get_by_role("link", name="Factures")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Aujourd’hui")
    assert UserPreference.objects.get(user=manager).language == "fr"

    page.get_by_role("button", name="Se déconnecter").click()
    # Signed out, the browser's language (en-GB) speaks again; signed in, the choice.
    sign_in(page, manager)
    expect(page.get_by_label("Langue")).to_have_value("fr")
    expect(page).to_have_title(re.compile("Tableau de bord"))


def test_a_german_browser_meets_the_sign_in_page_in_german(browser, live_server, manager):
    context = browser.new_context(base_url=live_server.url, locale="de-DE", viewport=LAPTOP)
    tab = context.new_page()
    try:
        tab.goto("/")
        tab.get_by_label("Benutzername").fill(manager.username)
        tab.get_by_label("Passwort").fill(PASSWORD)
        tab.get_by_role("button", name="Anmelden").click()

        expect(tab.get_by_role("link", name="Übersicht")).to_be_visible()
    finally:
        context.close()
