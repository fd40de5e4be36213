"""Credit notes on the pages: the chain invoice → credit note → replacement, told on the
invoice, the credit note, the contract and the invoice list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from invoicing import errors
from invoicing.models import Invoice
from invoicing.services import invoice_generate
from tests.web.helpers import invoice_cycle, messages_of

pytestmark = pytest.mark.django_db
LIST = reverse("invoicing:invoice_list")


def page_of(client, document) -> str:
    return client.get(reverse("invoicing:invoice_detail", args=[document.pk])).content.decode()


@pytest.fixture
def voided(manager_client, contract):
    invoice = invoice_cycle(contract, 2)
    response = manager_client.post(
        reverse("invoicing:invoice_void", args=[invoice.pk]),
        {"reason": "Wrong customer"},
        follow=True,
    )
    invoice.refresh_from_db()
    return invoice, invoice.credit_notes.get(), response


def test_voiding_from_the_page_names_the_credit_note_that_takes_the_invoice_back(voided):
    invoice, note, response = voided

    assert f"Invoice {invoice.number} voided. Credit note {note.number} takes it back." in (
        messages_of(response)
    )


def test_the_invoice_lists_its_credit_notes_and_the_credit_note_names_its_invoice(
    manager_client, voided
):
    invoice, note, _ = voided

    invoice_page, note_page = page_of(manager_client, invoice), page_of(manager_client, note)

    assert note.number in invoice_page and "credited" in invoice_page
    assert f"Credit note {note.number}" in note_page
    assert f"Credits {invoice.number}" in note_page and "Wrong customer" in note_page
    assert "Due date" not in note_page and "Not paid" not in note_page
    # A credit note is never voided or invoiced again from its page.
    assert "Void…" not in note_page and "Generate this cycle again" not in note_page


def test_a_credit_note_cannot_be_voided_even_by_a_tampered_post(manager_client, voided):
    _, note, _ = voided

    response = manager_client.post(
        reverse("invoicing:invoice_void", args=[note.pk]), {"reason": "x"}, follow=True
    )

    assert errors.CREDIT_NOTE_NOT_CORRECTABLE.format(number=note.number) in messages_of(response)
    note.refresh_from_db()
    assert note.status == Invoice.Status.ISSUED


def test_a_replaced_invoice_shows_its_credit_note_and_its_replacement(manager_client, contract):
    old = invoice_cycle(contract, 2)
    new = invoice_generate(schedule=old.schedule, replace=True)
    note = old.credit_notes.get()

    page = page_of(manager_client, old)

    assert note.number in page and new.number in page
    assert f"Credits {old.number}" in page_of(manager_client, note)


def test_the_contract_page_lists_the_credit_note_as_one(manager_client, contract, voided):
    invoice, note, _ = voided

    page = manager_client.get(reverse("contracts:detail", args=[contract.pk])).content.decode()

    assert note.number in page and f"Credit note · credits {invoice.number}" in page


def test_the_invoice_list_filters_credit_notes_and_never_counts_them_unpaid(
    manager_client, contract, voided
):
    _, note, _ = voided
    live = invoice_cycle(contract, 3)

    notes = manager_client.get(LIST, {"document": "credit_note"}).context["page"]
    unpaid = manager_client.get(LIST, {"payment": "unpaid"}).context
    bad = manager_client.get(LIST, {"document": "refund"})

    assert [document.pk for document in notes] == [note.pk]
    assert [document.pk for document in unpaid["page"]] == [live.pk]
    assert [(total.currency, total.unpaid) for total in unpaid["totals"]] == [
        (live.currency, live.total)
    ]
    assert bad.status_code == 200 and "refund" in bad.content.decode()
