"""What Python writes on a page speaks the user's language too: status names, form labels,
validation errors, success messages, billing-rule refusals and month names, the change-log
invoice page, and our words in Django admin: its column headers, filters, field labels and
model names too; cycles named in refusals, a run's parameters and posting notes. English
stays as it was for a user without a choice."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from accounts.services import user_language_set
from invoicing.models import AuditEvent
from invoicing.services.bulk import bulk_run_start
from schedules.models import BillingSchedule
from schedules.services.periods import posting_period_close
from tests.factories import AdminFactory
from tests.invoicing.helpers import active_contract, run_nightly
from tests.web.helpers import (
    form_as_shown,
    generate_url,
    invoice_cycle,
    messages_of,
    schedule_of,
)

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


ADMIN_NAMES = {
    "en": (
        "<h1>Select billing contract to change</h1>",
        '<a href="?o=5.1">Billing frequency</a>',
        "By billing frequency",
        '<label class="required" for="id_billing_frequency">Billing frequency:</label>',
        "<h1>Change billing contract</h1>",
        "<th>Changed by</th>",
    ),
    "fr": (
        "<h1>Sélectionnez l’objet contrat de facturation à changer</h1>",
        '<a href="?o=5.1">Fréquence de facturation</a>',
        "Par fréquence de facturation",
        '<label class="required" for="id_billing_frequency">Fréquence de facturation\u00a0:</label>',
        "<h1>Modification de contrat de facturation</h1>",
        "<th>Modifié par</th>",
    ),
    "de": (
        "<h1>Abrechnungsvertrag zur Änderung auswählen</h1>",
        '<a href="?o=5.1">Abrechnungsrhythmus</a>',
        "Nach Abrechnungsrhythmus",
        '<label class="required" for="id_billing_frequency">Abrechnungsrhythmus:</label>',
        "<h1>Abrechnungsvertrag ändern</h1>",
        "<th>Geändert von</th>",
    ),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_admin_names_columns_filters_fields_and_models_in_the_users_language(
    client, contract, today, language
):
    admin = AdminFactory()
    _speak(admin, language)
    client.force_login(admin)
    client.post(
        reverse("contracts:line_quantity", args=[contract.lines.get().pk]),
        {"quantity": "12", "effective_date": "2026-04-01"},
    )

    listing = _page(client, reverse("admin:contracts_billingcontract_changelist"))
    change = _page(client, reverse("admin:contracts_billingcontract_change", args=[contract.pk]))

    title, column, filter_title, label, change_title, change_log = ADMIN_NAMES[language]
    for word in (title, column, filter_title):
        assert word in listing, word
    for word in (label, change_title, change_log):
        assert word in change, word


CYCLE_CANCELLED = {
    "en": "Cycle 1 Apr 2026 – 30 Apr 2026 was cancelled: it cannot be invoiced.",
    "fr": "Le cycle 1 avril 2026 – 30 avril 2026 a été annulé : il ne peut pas être facturé.",
    "de": "Zeitraum 1. April 2026 – 30. April 2026 wurde storniert: Er kann nicht abgerechnet werden.",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_refusal_names_its_cycle_in_the_users_language(
    manager_client, manager, contract, today, language
):
    BillingSchedule.objects.filter(pk=schedule_of(contract, 3).pk).update(
        status=BillingSchedule.Status.CANCELLED
    )
    _speak(manager, language)

    page = _page(manager_client, reverse("invoicing:generate", args=[contract.pk]) + "?cycle=3")

    assert CYCLE_CANCELLED[language] in page


RUN_PARAMETERS = {
    "en": "cycle containing 15 Mar 2026; 2 contracts; Auto-Send",
    "fr": "cycle contenant le 15 mars 2026; 2 contrats; Envoi automatique",
    "de": "Zeitraum mit dem 15. März 2026; 2 Verträge; Automatischer Versand",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_runs_parameters_read_in_the_users_language(manager_client, manager, today, language):
    contracts = [active_contract(as_of=today) for _ in range(2)]
    run = bulk_run_start(
        contract_ids=[c.pk for c in contracts],
        cycle_date=datetime.date(2026, 3, 15),
        post_tasks={"auto_send": True},
        user=manager,
        enqueue=False,
    )
    _speak(manager, language)

    page = _page(manager_client, reverse("invoicing:run_detail", args=[run.pk]))

    assert RUN_PARAMETERS[language] in page


POSTING_NOTES = {
    "en": (
        "Invoice dated 1 Mar 2026: February 2026 is closed",
        "Dated 1 Mar 2026: February 2026 is closed",
    ),
    "fr": (
        "Facture datée du 1 mars 2026 : février 2026 est clôturé",
        "Datée du 1 mars 2026 : février 2026 est clôturé",
    ),
    "de": (
        "Rechnung datiert auf den 1. März 2026: Februar 2026 ist abgeschlossen",
        "Datiert auf den 1. März 2026: Februar 2026 ist abgeschlossen",
    ),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_posting_note_is_stored_in_english_and_shown_in_the_users_language(
    manager_client, manager, contract, today, language
):
    posting_period_close(month=datetime.date(2026, 2, 1), user=manager)
    _speak(manager, language)
    preview = _page(manager_client, reverse("invoicing:generate", args=[contract.pk]) + "?cycle=1")
    run = run_nightly(today)
    job = run.jobs.get(contract=contract)

    job_page = _page(manager_client, reverse("invoicing:job_detail", args=[job.pk]))
    contract_page = _page(manager_client, reverse("contracts:detail", args=[contract.pk]))

    in_preview, on_record = POSTING_NOTES[language]
    assert in_preview in preview
    assert on_record in job_page and on_record in contract_page
    stored = AuditEvent.objects.filter(contract=contract, detail__endswith="is closed")
    assert list(stored.values_list("detail", flat=True)) == [POSTING_NOTES["en"][1]]


@pytest.mark.parametrize("language", ["fr", "de"])
def test_the_post_invoicing_a_manager_asks_for_is_recorded_in_english_whatever_their_language(
    manager_client, manager, contract, today, language
):
    _speak(manager, language)
    data = form_as_shown(manager_client, contract, cycle=2, auto_send=True, auto_sync=True)

    manager_client.post(generate_url(contract), data)

    event = AuditEvent.objects.get(contract=contract, door="manual")
    assert event.detail.endswith("; post-invoicing requested: Auto-Send, Auto-Sync")
