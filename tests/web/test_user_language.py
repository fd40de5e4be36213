"""The web UI in the user's language: the header's picker keeps a preference per user, the
pages (and Django admin) follow it, and a bad value changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import UserPreference
from accounts.services import user_language_set
from tests.factories import AdminFactory
from tests.web.helpers import messages_of

pytestmark = pytest.mark.django_db

LANGUAGE = reverse("language")
DASHBOARD = reverse("invoicing:dashboard")

NAV = {
    "en": ("Dashboard", "Contracts", "Customers", "Invoices", "Billing schedules", "Sign out"),
    "fr": ("Tableau de bord", "Contrats", "Clients", "Factures", "Échéanciers", "Se déconnecter"),
    "de": ("Übersicht", "Verträge", "Kunden", "Rechnungen", "Abrechnungspläne", "Abmelden"),
}
# Sunday 15 March 2026 on the dashboard; the contract's start in the pages' date format.
DAY = {"en": "Sunday 15 March 2026", "fr": "dimanche 15 mars 2026", "de": "Sonntag 15 März 2026"}
START = {"en": "1 Jan 2026", "fr": "1 janvier 2026", "de": "1. Januar 2026"}
NBSP = "\u00a0"
UNIT_PRICE = {"en": f"EUR{NBSP}12.50", "fr": f"12,50{NBSP}EUR", "de": f"12,50{NBSP}EUR"}


def _nav_of(html: str, language: str) -> None:
    for word in NAV[language]:
        assert f">{word}<" in html, word


@pytest.mark.parametrize("language", ["fr", "de"])
def test_switching_the_language_changes_the_navigation_the_dates_and_the_amounts(
    manager_client, manager, today, contract, language
):
    detail = reverse("contracts:detail", args=[contract.pk])
    before = manager_client.get(detail).content.decode()
    _nav_of(before, "en")
    assert f"<dd>{START['en']}</dd>" in before and UNIT_PRICE["en"] in before

    response = manager_client.post(LANGUAGE, {"language": language, "next": detail})

    assert response.status_code == 302 and response.url == detail
    assert UserPreference.objects.get(user=manager).language == language
    page = manager_client.get(detail).content.decode()
    _nav_of(page, language)
    assert f'<html lang="{language}"' in page
    assert f"<dd>{START[language]}</dd>" in page
    assert UNIT_PRICE[language] in page and UNIT_PRICE["en"] not in page
    dashboard = manager_client.get(DASHBOARD).content.decode()
    assert DAY[language] in dashboard


def test_english_is_the_sites_own_english(manager_client, manager, today):
    user_language_set(user=manager, language="fr")
    manager_client.post(LANGUAGE, {"language": "en", "next": DASHBOARD})

    page = manager_client.get(DASHBOARD).content.decode()

    _nav_of(page, "en")
    assert '<html lang="en-gb"' in page  # LANGUAGE_CODE: British dates, not US ones
    assert DAY["en"] in page


def test_the_choice_is_the_users_own(manager, viewer_client, manager_client, today):
    manager_client.post(LANGUAGE, {"language": "de"})

    _nav_of(viewer_client.get(DASHBOARD).content.decode(), "en")
    _nav_of(manager_client.get(DASHBOARD).content.decode(), "de")


def test_the_users_choice_comes_before_the_browsers(manager, today):
    client = Client(headers={"accept-language": "fr"})
    client.force_login(manager)

    _nav_of(client.get(DASHBOARD).content.decode(), "fr")  # no choice yet: the browser's
    user_language_set(user=manager, language="de")
    _nav_of(client.get(DASHBOARD).content.decode(), "de")


@pytest.mark.parametrize("bad", ["xx", "", "fr-fr", "<script>"])
def test_a_language_not_offered_is_refused_with_a_message_and_nothing_saved(
    manager_client, manager, today, bad
):
    user_language_set(user=manager, language="de")

    response = manager_client.post(LANGUAGE, {"language": bad, "next": DASHBOARD}, follow=True)

    assert response.status_code == 200
    assert UserPreference.objects.get(user=manager).language == "de"
    # The message comes in the language still in force.
    assert messages_of(response) == [
        "Wählen Sie eine der angebotenen Sprachen: Die Sprache wurde nicht geändert."
    ]


def test_a_missing_language_saves_nothing(manager_client, manager, today):
    response = manager_client.post(LANGUAGE, {}, follow=True)

    assert response.status_code == 200
    assert not UserPreference.objects.exists()
    assert messages_of(response) == [
        "Choose one of the languages offered: the language was not changed."
    ]


def test_next_elsewhere_lands_on_the_dashboard(manager_client, today):
    response = manager_client.post(
        LANGUAGE, {"language": "fr", "next": "https://elsewhere.example/"}
    )

    assert response.url == DASHBOARD


def test_changing_the_language_is_a_post_with_csrf_by_a_signed_in_user(manager, today):
    assert Client().post(LANGUAGE, {"language": "fr"}).url.startswith(reverse("login"))
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)

    assert client.get(LANGUAGE).status_code == 405
    assert client.post(LANGUAGE, {"language": "fr"}).status_code == 403  # no CSRF token
    assert not UserPreference.objects.exists()


def test_the_picker_offers_each_language_with_the_current_one_selected(
    manager_client, manager, today
):
    user_language_set(user=manager, language="fr")

    page = manager_client.get(DASHBOARD).content.decode()

    assert f'action="{LANGUAGE}"' in page and "csrfmiddlewaretoken" in page
    assert '<option value="fr" lang="fr" selected>Français</option>' in page
    assert '<option value="de" lang="de" >Deutsch</option>' in page


def test_admin_follows_the_language_and_sets_it_for_a_user(manager, today):
    admin = AdminFactory(is_superuser=True)
    client = Client()
    client.force_login(admin)
    user_language_set(user=admin, language="fr")

    assert "Déconnexion" in client.get(reverse("admin:index")).content.decode()

    url = reverse("admin:auth_user_change", args=[manager.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name in ("username", "first_name", "last_name", "email", "date_joined")
    }
    data |= {
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-03-15",
        "date_joined_1": "12:00:00",
        "preference-TOTAL_FORMS": "1",
        "preference-INITIAL_FORMS": "0",
        "preference-MIN_NUM_FORMS": "0",
        "preference-MAX_NUM_FORMS": "1",
        "preference-0-language": "de",
        "preference-0-user": str(manager.pk),
    }
    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert UserPreference.objects.get(user=manager).language == "de"
