"""The contract and invoice pages speak the user's language: headings, column labels and
buttons in French or German, and the same page in English for a user without a choice."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.services import user_language_set
from invoicing.services import generation_run_execute
from invoicing.services.bulk import bulk_run_start
from tests.invoicing.helpers import active_contract
from tests.web.helpers import invoice_cycle

pytestmark = pytest.mark.django_db

CONTRACT_WORDS = {
    "en": (
        '<h2 id="terms-title">Terms</h2>',
        "<dt>Next Invoice Date</dt>",
        "<th>Billing cycle</th>",
        '<h2 id="changes-title">Change log</h2>',
        ">End contract…</a>",
        "30 days</dd>",
    ),
    "fr": (
        '<h2 id="terms-title">Conditions</h2>',
        "<dt>Prochaine date de facturation</dt>",
        "<th>Cycle de facturation</th>",
        '<h2 id="changes-title">Historique des modifications</h2>',
        ">Mettre fin au contrat…</a>",
        "30 jours</dd>",
    ),
    "de": (
        '<h2 id="terms-title">Konditionen</h2>',
        "<dt>Nächstes Rechnungsdatum</dt>",
        "<th>Abrechnungszeitraum</th>",
        '<h2 id="changes-title">Änderungsprotokoll</h2>',
        ">Vertrag beenden…</a>",
        "30 Tage</dd>",
    ),
}
CONTRACT_LIST_WORDS = {
    "en": ("<h1>Billing contracts</h1>", ">Last invoice</th>", ">Filter</button>"),
    "fr": ("<h1>Contrats de facturation</h1>", ">Dernière facture</th>", ">Filtrer</button>"),
    "de": ("<h1>Abrechnungsverträge</h1>", ">Letzte Rechnung</th>", ">Filtern</button>"),
}
INVOICE_WORDS = {
    "en": (
        "<dt>Billing period</dt>",
        "<dt>Due date</dt>",
        '<th class="num">Share of cycle</th>',
        ">Void invoice</button>",
    ),
    "fr": (
        "<dt>Période de facturation</dt>",
        "<dt>Date d’échéance</dt>",
        '<th class="num">Part du cycle</th>',
        ">Annuler la facture</button>",
    ),
    "de": (
        "<dt>Leistungszeitraum</dt>",
        "<dt>Fälligkeitsdatum</dt>",
        '<th class="num">Anteil am Zeitraum</th>',
        ">Rechnung stornieren</button>",
    ),
}
INVOICE_LIST_WORDS = {
    "en": ("Totals of the filtered invoices", ">Download CSV</a>", ">Unpaid</th>"),
    "fr": ("Totaux des factures filtrées", ">Télécharger le CSV</a>", ">Impayée</th>"),
    "de": ("Summen der gefilterten Rechnungen", ">CSV herunterladen</a>", ">Unbezahlt</th>"),
}
INVOICE_HEADING = {"en": "<h1>Invoice ", "fr": "<h1>Facture ", "de": "<h1>Rechnung "}


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _speaks(page: str, words: dict, language: str) -> None:
    for word in words[language]:
        assert word in page, word
    for other, others in words.items():
        if other != language:
            for word in set(others) - set(words[language]):
                assert word not in page, word


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_the_contract_pages_speak_the_users_language(
    manager_client, manager, contract, today, language
):
    if language != "en":
        user_language_set(user=manager, language=language)

    detail = _page(manager_client, reverse("contracts:detail", args=[contract.pk]))
    listing = _page(manager_client, reverse("contracts:list"))

    _speaks(detail, CONTRACT_WORDS, language)
    _speaks(listing, CONTRACT_LIST_WORDS, language)


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_the_invoice_pages_speak_the_users_language(
    manager_client, manager, contract, today, language
):
    invoice = invoice_cycle(contract, 2)
    if language != "en":
        user_language_set(user=manager, language=language)

    detail = _page(manager_client, reverse("invoicing:invoice_detail", args=[invoice.pk]))
    listing = _page(manager_client, reverse("invoicing:invoice_list"))

    _speaks(detail, INVOICE_WORDS, language)
    assert INVOICE_HEADING[language] + invoice.number in detail
    _speaks(listing, INVOICE_LIST_WORDS, language)


CREDIT_AND_END_WORDS = {
    "en": (
        "<h1>Issue credit note</h1>",
        ">Amounts to take back</h2>",
        "<h1>End contract</h1>",
        "> No end date</label>",
    ),
    "fr": (
        "<h1>Émettre l’avoir</h1>",
        ">Montants à reprendre</h2>",
        "<h1>Mettre fin au contrat</h1>",
        "> Sans date de fin</label>",
    ),
    "de": (
        "<h1>Gutschrift ausstellen</h1>",
        ">Zurückzunehmende Beträge</h2>",
        "<h1>Vertrag beenden</h1>",
        "> Kein Enddatum</label>",
    ),
}


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_the_credit_note_and_end_contract_pages_speak_the_users_language(
    manager_client, manager, contract, today, language
):
    invoice = invoice_cycle(contract, 2)
    if language != "en":
        user_language_set(user=manager, language=language)

    credit = _page(manager_client, reverse("invoicing:credit_note", args=[invoice.pk]))
    end = _page(manager_client, reverse("invoicing:contract_end", args=[contract.pk]))

    _speaks(credit + end, CREDIT_AND_END_WORDS, language)


GENERATE_WORDS = {
    "en": (
        "<h1>Generate invoice</h1>",
        '<label for="id_cycle">Billing cycle</label>',
        '<h2 id="preview-title">Preview</h2>',
        '<td colspan="5">Subtotal</td>',
        "<strong>This cycle already has invoice ",
        '<h2 id="comparison-title">Changes against ',
        ">Back to the contract</a>",
    ),
    "fr": (
        "<h1>Générer la facture</h1>",
        '<label for="id_cycle">Cycle de facturation</label>',
        '<h2 id="preview-title">Prévisualisation</h2>',
        '<td colspan="5">Total HT</td>',
        "<strong>Ce cycle a déjà la facture ",
        '<h2 id="comparison-title">Écarts par rapport à ',
        ">Retour au contrat</a>",
    ),
    "de": (
        "<h1>Rechnung erstellen</h1>",
        '<label for="id_cycle">Abrechnungszeitraum</label>',
        '<h2 id="preview-title">Vorschau</h2>',
        '<td colspan="5">Zwischensumme netto</td>',
        "<strong>Für diesen Abrechnungszeitraum gibt es bereits die Rechnung ",
        '<h2 id="comparison-title">Änderungen gegenüber ',
        ">Zurück zum Vertrag</a>",
    ),
}


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_the_generate_invoice_page_speaks_the_users_language(
    manager_client, manager, contract, today, language
):
    invoice_cycle(contract, 2)
    if language != "en":
        user_language_set(user=manager, language=language)

    url = reverse("invoicing:generate", args=[contract.pk]) + "?cycle=2&preview=1"
    _speaks(_page(manager_client, url), GENERATE_WORDS, language)


ERROR_WORDS = {
    "en": (
        "<h1>Page not found</h1>",
        "There is no page at this address.",
        ">Back to the dashboard</a>",
    ),
    "fr": (
        "<h1>Page introuvable</h1>",
        "Il n’y a aucune page à cette adresse.",
        ">Retour au tableau de bord</a>",
    ),
    "de": (
        "<h1>Seite nicht gefunden</h1>",
        "Unter dieser Adresse gibt es keine Seite.",
        ">Zurück zur Übersicht</a>",
    ),
}
FORBIDDEN_HEADING = {
    "en": "<h1>You may not do this</h1>",
    "fr": "<h1>Vous n’êtes pas autorisé à faire ceci</h1>",
    "de": "<h1>Das dürfen Sie nicht</h1>",
}


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_the_error_pages_speak_the_users_language(
    manager_client, manager, viewer_client, viewer, language
):
    if language != "en":
        user_language_set(user=manager, language=language)
        user_language_set(user=viewer, language=language)

    missing = manager_client.get("/no-such-page/")
    forbidden = viewer_client.get(reverse("contracts:create"))

    assert missing.status_code == 404 and forbidden.status_code == 403
    _speaks(missing.content.decode(), ERROR_WORDS, language)
    assert FORBIDDEN_HEADING[language] in forbidden.content.decode()


CUSTOMER_WORDS = {
    "en": ("<h1>Customers</h1>", "<th>Legal name</th>", '<h2 id="balance-title">Open balance</h2>'),
    "fr": ("<h1>Clients</h1>", "<th>Raison sociale</th>", '<h2 id="balance-title">Solde dû</h2>'),
    "de": ("<h1>Kunden</h1>", "<th>Firmenname</th>", '<h2 id="balance-title">Offener Saldo</h2>'),
}


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_the_customer_pages_speak_the_users_language(
    manager_client, manager, contract, today, language
):
    if language != "en":
        user_language_set(user=manager, language=language)

    customer = contract.customer
    listing = _page(manager_client, reverse("customers:list"))
    detail = _page(manager_client, reverse("customers:detail", args=[customer.pk]))

    _speaks(listing + detail, CUSTOMER_WORDS, language)


CONTRACT_EDITING_WORDS = {
    "en": (
        "<h1>Invoice Generation Offset</h1>",
        ">Show the effect</button>",
        ": 0 Pending schedules re-dated</h2>",
        '<h2 id="automation-title">After each invoice</h2>',
        "<th>New quantity from</th>",
    ),
    "fr": (
        "<h1>Décalage de génération des factures</h1>",
        ">Afficher l’effet</button>",
        " : 0 échéance en attente redatée</h2>",
        '<h2 id="automation-title">Après chaque facture</h2>',
        "<th>Nouvelle quantité à partir du</th>",
    ),
    "de": (
        "<h1>Versatz der Rechnungserstellung</h1>",
        ">Auswirkung zeigen</button>",
        ": 0 ausstehende Abrechnungstermine neu datiert</h2>",
        '<h2 id="automation-title">Nach jeder Rechnung</h2>',
        "<th>Neue Menge ab</th>",
    ),
}


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_the_offset_and_contract_editors_speak_the_users_language(
    manager_client, manager, contract, today, language
):
    if language != "en":
        user_language_set(user=manager, language=language)

    # The offset it has already: nothing to re-date, and the plural forms of zero differ
    # (French counts zero as one).
    offset = _page(
        manager_client,
        reverse("contracts:offset", args=[contract.pk])
        + f"?offset_days={contract.invoice_offset_days}",
    )
    editor = _page(manager_client, reverse("contracts:edit", args=[contract.pk]))

    _speaks(offset + editor, CONTRACT_EDITING_WORDS, language)


RUN_WORDS = {
    "en": (
        "<h1>Generation runs</h1>",
        "<th>Trigger</th>",
        "3 of 3 done</span>",
        "Finished: every job is done.",
        "<dt>Time left</dt>",
        "<dt>Attempts</dt>",
        "<dt>Billing cycle</dt>",
    ),
    "fr": (
        "<h1>Exécutions de génération</h1>",
        "<th>Déclencheur</th>",
        "3 sur 3 traités</span>",
        "Terminée : toutes les tâches sont faites.",
        "<dt>Temps restant</dt>",
        "<dt>Tentatives</dt>",
        "<dt>Cycle de facturation</dt>",
    ),
    "de": (
        "<h1>Erstellungsläufe</h1>",
        "<th>Auslöser</th>",
        "3 von 3 erledigt</span>",
        "Beendet: Alle Aufträge sind erledigt.",
        "<dt>Verbleibende Zeit</dt>",
        "<dt>Versuche</dt>",
        "<dt>Abrechnungszeitraum</dt>",
    ),
}


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_the_run_pages_speak_the_users_language(manager_client, manager, today, language):
    contracts = [active_contract(as_of=today) for _ in range(3)]
    run = generation_run_execute(
        bulk_run_start(
            contract_ids=[c.pk for c in contracts],
            cycle_date=today,
            post_tasks={},
            user=manager,
            enqueue=False,
        )
    )
    if language != "en":
        user_language_set(user=manager, language=language)

    listing = _page(manager_client, reverse("invoicing:run_list"))
    detail = _page(manager_client, reverse("invoicing:run_detail", args=[run.pk]))
    job = _page(manager_client, reverse("invoicing:job_detail", args=[run.jobs.first().pk]))

    _speaks(listing + detail + job, RUN_WORDS, language)


BULK_WORDS = {
    "en": (
        "<h1>Generate invoices in bulk</h1>",
        "<b>2</b> contracts selected</li>",
        "<b>2</b> invoices would be generated</li>",
        "> Replace existing invoices <span",
    ),
    "fr": (
        "<h1>Générer des factures en masse</h1>",
        "<b>2</b> contrats sélectionnés</li>",
        "<b>2</b> factures seraient générées</li>",
        "> Remplacer les factures existantes <span",
    ),
    "de": (
        "<h1>Rechnungen gesammelt erstellen</h1>",
        "<b>2</b> Verträge ausgewählt</li>",
        "<b>2</b> Rechnungen würden erstellt</li>",
        "> Vorhandene Rechnungen ersetzen <span",
    ),
}
CATCH_UP_AND_FORECAST_WORDS = {
    "en": (
        "<h1>Generate all due</h1>",
        "<b>6</b> due schedules of <b>2</b> contracts: one invoice per schedule</li>",
        '<h2 id="rule-title">How it is computed</h2>',
        '<h2 id="months-title">Per month</h2>',
    ),
    "fr": (
        "<h1>Générer tout ce qui est échu</h1>",
        "<b>6</b> échéances dues sur <b>2</b> contrats : une facture par échéance</li>",
        '<h2 id="rule-title">Mode de calcul</h2>',
        '<h2 id="months-title">Par mois</h2>',
    ),
    "de": (
        "<h1>Alles Fällige erstellen</h1>",
        "<b>6</b> fällige Abrechnungstermine aus <b>2</b> Verträgen: eine Rechnung je Termin</li>",
        '<h2 id="rule-title">Wie es berechnet wird</h2>',
        '<h2 id="months-title">Je Monat</h2>',
    ),
}
SCHEDULE_AND_PERIOD_WORDS = {
    "en": (
        "Active: Pending schedules, each waiting for its Invoice Date.",
        "<th>Resulting invoice</th>",
        '<h2 id="period-history-title">Closes and reopens</h2>',
        "<h1>Close ",
    ),
    "fr": (
        "Actives : les échéances en attente, chacune attendant sa date de facture.",
        "<th>Facture émise</th>",
        '<h2 id="period-history-title">Clôtures et réouvertures</h2>',
        "<h1>Clôturer ",
    ),
    "de": (
        "Aktiv: ausstehende Abrechnungstermine, jeder wartet auf sein Rechnungsdatum.",
        "<th>Erstellte Rechnung</th>",
        '<h2 id="period-history-title">Abschlüsse und Wiedereröffnungen</h2>',
        " abschließen</h1>",
    ),
}


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_the_bulk_window_speaks_the_users_language(manager_client, manager, today, language):
    contracts = [active_contract(as_of=today) for _ in range(2)]
    if language != "en":
        user_language_set(user=manager, language=language)

    url = reverse("invoicing:bulk") + "?" + "&".join(f"contracts={c.pk}" for c in contracts)
    _speaks(_page(manager_client, url), BULK_WORDS, language)


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_generate_all_due_and_the_forecast_speak_the_users_language(
    manager_client, manager, today, language
):
    for _ in range(2):  # from 1 Jan: Jan, Feb and Mar due
        active_contract(as_of=today)
    if language != "en":
        user_language_set(user=manager, language=language)

    catch_up = _page(manager_client, reverse("invoicing:catch_up"))
    forecast = _page(manager_client, reverse("invoicing:forecast"))

    _speaks(catch_up + forecast, CATCH_UP_AND_FORECAST_WORDS, language)


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_the_schedule_and_posting_period_pages_speak_the_users_language(
    manager_client, manager, contract, today, language
):
    if language != "en":
        user_language_set(user=manager, language=language)

    schedules = _page(manager_client, reverse("schedules:list") + "?state=active")
    periods = _page(manager_client, reverse("posting_periods:list"))
    close = _page(manager_client, reverse("posting_periods:close") + "?month=2026-02-01")

    # The month's name is written in Python, still in English: only the words around it.
    _speaks(schedules + periods + close, SCHEDULE_AND_PERIOD_WORDS, language)
