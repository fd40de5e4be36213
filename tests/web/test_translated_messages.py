"""What Python writes on a page speaks the user's language too: status names, form labels,
validation errors, success messages, billing-rule refusals and month names, the change-log
invoice page, and our words in Django admin. English stays as it was for a user without
a choice."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.services import user_language_set
from tests.factories import AdminFactory
from tests.web.helpers import invoice_cycle, messages_of

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "fr", "de"]


def _speak(user, language: str) -> None:
    if language != "en":
        user_language_set(user=user, language=language)


def _page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status
    return response.content.decode()


STATUS_WORDS = {
    "en": (
        '<span class="badge active">Active</span>',
        "Monthly",
        '<span class="badge issued">Issued</span>',
    ),
    "fr": (
        '<span class="badge active">Actif</span>',
        "Mensuelle",
        '<span class="badge issued">Émise</span>',
    ),
    "de": (
        '<span class="badge active">Aktiv</span>',
        "Monatlich",
        '<span class="badge issued">Ausgestellt</span>',
    ),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_status_and_frequency_names_follow_the_users_language(
    manager_client, manager, contract, today, language
):
    invoice = invoice_cycle(contract, 2)
    _speak(manager, language)

    detail = _page(manager_client, reverse("contracts:detail", args=[contract.pk]))
    listing = _page(manager_client, reverse("contracts:list"))
    invoice_page = _page(manager_client, reverse("invoicing:invoice_detail", args=[invoice.pk]))

    active, monthly, issued = STATUS_WORDS[language]
    assert active in detail and active in listing
    assert monthly in listing
    assert issued in invoice_page


FILTER_LABELS = {
    "en": (
        '<label for="id_status">Status</label>',
        '<label for="id_next_from">Next invoice from</label>',
        ">Any</option>",
    ),
    "fr": (
        '<label for="id_status">Statut</label>',
        '<label for="id_next_from">Prochaine facture à partir du</label>',
        ">Tous</option>",
    ),
    "de": (
        '<label for="id_status">Status</label>',
        '<label for="id_next_from">Nächste Rechnung ab</label>',
        ">Alle</option>",
    ),
}
RANGE_REVERSED = {
    "en": "The end of the range is before its start.",
    "fr": "La fin de la plage précède son début.",
    "de": "Das Ende des Bereichs liegt vor seinem Anfang.",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_form_labels_choices_and_validation_errors_follow_the_users_language(
    manager_client, manager, contract, today, language
):
    _speak(manager, language)

    page = _page(
        manager_client, reverse("contracts:list") + "?next_from=2026-04-01&next_to=2026-03-01"
    )

    for label in FILTER_LABELS[language]:
        assert label in page, label
    assert RANGE_REVERSED[language] in page
    if language != "en":
        assert RANGE_REVERSED["en"] not in page


QUANTITY_CHANGED = {
    "en": "“Seats”: quantity 10 → 12 from 1 Apr 2026.",
    "fr": "« Seats » : quantité 10 → 12 à partir du 1 avril 2026.",
    "de": "„Seats“: Menge 10 → 12 ab 1. April 2026.",
}
QUANTITY_NEGATIVE = {
    "en": "A quantity cannot be below zero.",
    "fr": "Une quantité ne peut pas être inférieure à zéro.",
    "de": "Eine Menge kann nicht unter null liegen.",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_success_message_and_a_billing_rule_refusal_follow_the_users_language(
    manager_client, manager, contract, today, language
):
    line = contract.lines.get()
    line.description = "Seats"
    line.save(update_fields=["description"])
    _speak(manager, language)
    url = reverse("contracts:line_quantity", args=[line.pk])

    refused = manager_client.post(
        url, {"quantity": "-1", "effective_date": "2026-04-01"}, follow=True
    )
    changed = manager_client.post(
        url, {"quantity": "12", "effective_date": "2026-04-01"}, follow=True
    )

    # The refusal comes from a pure errors module (a Message), shown in the reader's language.
    assert messages_of(refused) == [QUANTITY_NEGATIVE[language]]
    assert messages_of(changed) == [QUANTITY_CHANGED[language]]
    line.refresh_from_db()
    assert line.quantity == 12


MONTH_CLOSED = {
    "en": "February 2026 closed: no invoice is dated inside it from now on.",
    "fr": "février 2026 clôturé : désormais, aucune facture n’y est datée.",
    "de": "Februar 2026 abgeschlossen: Ab jetzt wird keine Rechnung mehr darin datiert.",
}
MONTH_LISTED = {"en": "March 2026", "fr": "mars 2026", "de": "März 2026"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_month_names_follow_the_users_language(manager_client, manager, today, language):
    _speak(manager, language)

    response = manager_client.post(
        reverse("posting_periods:close"), {"month": "2026-02-01", "confirm": "on"}, follow=True
    )

    assert messages_of(response) == [MONTH_CLOSED[language]]
    assert f'<td class="nowrap">{MONTH_LISTED[language]}</td>' in response.content.decode()


CHANGE_LOG_WORDS = {
    "en": (
        "<h1>Generate change-log invoice</h1>",
        ">Show preview</button>",
        ">Changes from</label>",
        "<strong>Nothing to bill.</strong>",
    ),
    "fr": (
        "<h1>Générer la facture des modifications</h1>",
        ">Afficher l’aperçu</button>",
        ">Modifications du</label>",
        "<strong>Rien à facturer.</strong>",
    ),
    "de": (
        "<h1>Rechnung der Änderungen erstellen</h1>",
        ">Vorschau anzeigen</button>",
        ">Änderungen vom</label>",
        "<strong>Nichts abzurechnen.</strong>",
    ),
}
CHANGE_LOG_WRITES = {
    "en": "Generating writes a change-log invoice.",
    "fr": "La génération écrit une facture des modifications.",
    "de": "Das Erstellen schreibt eine Rechnung der Änderungen.",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_change_log_invoice_page_follows_the_users_language(
    manager_client, manager, contract, today, language
):
    invoice_cycle(contract, 2)
    _speak(manager, language)
    url = reverse("invoicing:change_log_invoice", args=[contract.pk])

    empty = _page(manager_client, url)
    manager_client.post(
        reverse("contracts:line_quantity", args=[contract.lines.get().pk]),
        {"quantity": "12", "effective_date": "2026-03-20"},
    )
    with_change = _page(manager_client, url + "?period_start=2026-03-01&period_end=2026-03-31")

    for word in CHANGE_LOG_WORDS[language]:
        assert word in empty, word
    assert CHANGE_LOG_WRITES[language] in with_change


ADMIN_WORDS = {
    "en": (
        ">Generate invoices (bulk)…</option>",
        ">Active</a>",
        ">Invoice generation offset (days)</a>",
        ">Contracts</a>",
    ),
    "fr": (
        ">Générer les factures (en masse)…</option>",
        ">Actif</a>",
        ">Décalage de génération des factures (jours)</a>",
        ">Contrats</a>",
    ),
    "de": (
        ">Rechnungen erstellen (Sammelerstellung)…</option>",
        ">Aktiv</a>",
        ">Versatz der Rechnungserstellung (Tage)</a>",
        ">Verträge</a>",
    ),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_admin_shows_our_actions_and_status_names_in_the_users_language(
    client, contract, today, language
):
    admin = AdminFactory()
    _speak(admin, language)
    client.force_login(admin)

    page = _page(client, reverse("admin:contracts_billingcontract_changelist"))

    for word in ADMIN_WORDS[language]:
        assert word in page, word
