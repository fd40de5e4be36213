"""Issue 6's web doors: change a line's quantity, a contract's change-log invoice with its
preview, voiding and replacing from the invoice page, and the bulk window's Change Log tab."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from contracts import errors as contract_errors
from contracts.models import ContractChange
from invoicing import errors
from invoicing.models import GenerationRun, Invoice
from invoicing.services import generation_run_execute
from schedules.services import contract_line_change_quantity
from tests.web.helpers import invoice_cycle, messages_of

pytestmark = pytest.mark.django_db
D = datetime.date
BULK = reverse("invoicing:bulk")


def quantity_url(line) -> str:
    return reverse("contracts:line_quantity", args=[line.pk])


def change_log_url(contract) -> str:
    return reverse("invoicing:change_log_invoice", args=[contract.pk])


@pytest.fixture
def line(contract):
    return contract.lines.get()


@pytest.fixture
def changed_after_invoicing(contract, line, manager):
    """March invoiced, then 10 → 4 seats from 10 March: a credit for 22 of 31 days."""
    invoice_cycle(contract, 2)
    contract_line_change_quantity(
        line=line, quantity=Decimal("4"), effective_date=D(2026, 3, 10), user=manager
    )
    return contract


def test_a_manager_changes_a_quantity_and_the_change_log_records_it(
    manager_client, manager, contract, line
):
    response = manager_client.post(
        quantity_url(line), {"quantity": "12", "effective_date": "2026-03-10"}, follow=True
    )

    change = ContractChange.objects.get()
    assert (change.quantity_before, change.quantity_after) == (Decimal("10"), Decimal("12"))
    assert change.effective_date == D(2026, 3, 10) and change.changed_by == manager
    assert any("quantity 10 → 12 from 10 Mar 2026" in m for m in messages_of(response))


def test_the_contract_page_offers_the_change_with_today_as_default(manager_client, contract):
    page = manager_client.get(reverse("contracts:detail", args=[contract.pk])).content.decode()

    assert "Change quantity" in page and 'value="2026-03-15"' in page
    assert change_log_url(contract) in page


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"quantity": "-1"}, contract_errors.QUANTITY_NEGATIVE),
        (
            {"effective_date": "2025-12-31"},
            contract_errors.EFFECTIVE_DATE_OUTSIDE_CONTRACT.format(
                day=D(2025, 12, 31), start=D(2026, 1, 1), end="open-ended"
            ),
        ),
        ({"quantity": "many"}, "Enter a number."),
    ],
)
def test_a_refused_quantity_change_says_why_and_writes_nothing(
    manager_client, line, fields, message
):
    data = {"quantity": "5", "effective_date": "2026-03-10", **fields}

    response = manager_client.post(quantity_url(line), data, follow=True)

    assert any(message in m for m in messages_of(response))
    assert ContractChange.objects.count() == 0
    line.refresh_from_db()
    assert line.quantity == Decimal("10")


def test_viewers_cannot_change_quantities(viewer_client, line):
    response = viewer_client.post(
        quantity_url(line), {"quantity": "5", "effective_date": "2026-03-10"}
    )

    assert response.status_code == 403 and ContractChange.objects.count() == 0


def test_the_change_log_preview_shows_the_credit_and_confirming_generates_it(
    manager_client, changed_after_invoicing
):
    contract = changed_after_invoicing
    march = contract.invoices.get()
    shown = manager_client.get(change_log_url(contract))
    drafts = shown.context["drafts"]

    response = manager_client.post(
        change_log_url(contract),
        {
            "period_start": "2026-01-01",
            "period_end": "2026-03-15",
            "fingerprint": shown.context["fingerprint"],
        },
        follow=True,
    )

    assert shown.context["form"]["period_start"].value() == D(2026, 1, 1)
    assert drafts.invoice is None
    (preview,) = drafts.credit_notes
    (credit,) = preview.lines
    # 10 → 4 seats from 10 March: -6 × 12.50 × 22/31 = -53.23, tax -10.65.
    assert (credit.quantity, credit.amount, credit.tax_amount) == (
        Decimal("-6"),
        Decimal("-53.23"),
        Decimal("-10.65"),
    )
    page = shown.content.decode()
    assert f"Credit note for {march.number}" in page and "Generate credit note" in page
    assert "record a new quantity change" in page
    note = Invoice.objects.credit_notes().get()
    assert note.credits == march and note.total == preview.total == Decimal("-63.88")
    assert response.redirect_chain[-1][0] == reverse("invoicing:invoice_detail", args=[note.pk])
    note_url = reverse("invoicing:invoice_detail", args=[note.pk])
    assert (
        f'Generated credit note <a href="{note_url}">{note.number}</a> (credits {march.number}).'
        in messages_of(response)
    )
    assert not Invoice.objects.filter(kind=Invoice.Kind.CHANGE_LOG).exists()


def test_the_preview_of_a_contract_with_both_shows_the_invoice_and_the_credit_note(
    manager_client, changed_after_invoicing, manager
):
    contract = changed_after_invoicing
    contract_line_change_quantity(
        line=contract.lines.get(), quantity=Decimal("7"), effective_date=D(2026, 3, 12)
    )
    shown = manager_client.get(change_log_url(contract))

    response = manager_client.post(
        change_log_url(contract),
        {
            "period_start": "2026-01-01",
            "period_end": "2026-03-15",
            "fingerprint": shown.context["fingerprint"],
        },
        follow=True,
    )

    page = shown.content.decode()
    assert "Generating writes a change-log invoice and 1 credit note." in page
    assert "Generate invoice and credit note" in page
    invoice = Invoice.objects.get(kind=Invoice.Kind.CHANGE_LOG)
    note = Invoice.objects.credit_notes().get()
    assert invoice.total == shown.context["drafts"].invoice.total
    assert note.total == shown.context["drafts"].credit_notes[0].total
    assert response.redirect_chain[-1][0] == reverse("invoicing:invoice_detail", args=[invoice.pk])
    (message,) = messages_of(response)
    assert invoice.number in message and note.number in message


def test_a_change_after_the_preview_shows_the_new_preview_and_writes_nothing(
    manager_client, changed_after_invoicing, manager
):
    contract = changed_after_invoicing
    shown = manager_client.get(change_log_url(contract))
    contract_line_change_quantity(
        line=contract.lines.get(),
        quantity=Decimal("2"),
        effective_date=D(2026, 3, 12),
        user=manager,
    )

    response = manager_client.post(
        change_log_url(contract),
        {
            "period_start": "2026-01-01",
            "period_end": "2026-03-15",
            "fingerprint": shown.context["fingerprint"],
        },
    )

    assert response.status_code == 409
    assert errors.PREVIEW_OUTDATED in messages_of(response)
    assert len(response.context["drafts"].credit_notes[0].lines) == 2
    assert not Invoice.objects.credit_notes().exists()


def test_nothing_to_bill_is_said_and_a_reversed_period_refused(manager_client, contract):
    nothing = manager_client.get(change_log_url(contract)).content.decode()
    reversed_ = manager_client.post(
        change_log_url(contract), {"period_start": "2026-03-10", "period_end": "2026-03-01"}
    )

    assert "Nothing to bill." in nothing
    assert reversed_.status_code == 400
    assert errors.PERIOD_REVERSED.format(start=D(2026, 3, 10), end=D(2026, 3, 1)) in messages_of(
        reversed_
    )
    assert Invoice.objects.count() == 0


def test_void_with_a_reason_then_the_cycle_can_be_invoiced_again(manager_client, contract):
    invoice = invoice_cycle(contract, 2)
    url = reverse("invoicing:invoice_void", args=[invoice.pk])

    refused = manager_client.post(url, {"reason": ""}, follow=True)
    voided = manager_client.post(url, {"reason": "Wrong customer"}, follow=True)

    assert any("Give a reason" in m for m in messages_of(refused))
    note = invoice.credit_notes.get()
    assert f"Invoice {invoice.number} voided. Credit note {note.number} takes it back." in (
        messages_of(voided)
    )
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.VOID
    assert invoice.audit_events.filter(detail="Wrong customer").exists()


def test_a_paid_invoice_cannot_be_voided(manager_client, contract):
    invoice = invoice_cycle(contract, 2, paid_at=datetime.datetime(2026, 3, 5, tzinfo=datetime.UTC))

    response = manager_client.post(
        reverse("invoicing:invoice_void", args=[invoice.pk]), {"reason": "x"}, follow=True
    )

    assert errors.CANNOT_VOID_PAID.format(number=invoice.number) in messages_of(response)
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.ISSUED


def test_a_change_log_invoice_offers_replace_and_replacing_rebills_its_changes(
    manager_client, contract, line, manager
):
    invoice_cycle(contract, 2)
    contract_line_change_quantity(
        line=line, quantity=Decimal("12"), effective_date=D(2026, 3, 10), user=manager
    )
    shown = manager_client.get(change_log_url(contract))
    manager_client.post(
        change_log_url(contract),
        {
            "period_start": "2026-01-01",
            "period_end": "2026-03-15",
            "fingerprint": shown.context["fingerprint"],
        },
    )
    old = Invoice.objects.get(kind=Invoice.Kind.CHANGE_LOG)
    page = manager_client.get(reverse("invoicing:invoice_detail", args=[old.pk])).content.decode()

    response = manager_client.post(reverse("invoicing:change_log_replace", args=[old.pk]))

    new = Invoice.objects.get(replaces=old)
    assert reverse("invoicing:change_log_replace", args=[old.pk]) in page
    assert response.url == reverse("invoicing:invoice_detail", args=[new.pk])
    assert new.total == old.total and new.kind == Invoice.Kind.CHANGE_LOG


def test_a_decrease_credit_note_offers_no_void_or_replace_and_says_how_to_undo_it(
    manager_client, changed_after_invoicing
):
    contract = changed_after_invoicing
    shown = manager_client.get(change_log_url(contract))
    manager_client.post(
        change_log_url(contract),
        {
            "period_start": "2026-01-01",
            "period_end": "2026-03-15",
            "fingerprint": shown.context["fingerprint"],
        },
    )
    note = Invoice.objects.credit_notes().get()
    page = manager_client.get(reverse("invoicing:invoice_detail", args=[note.pk])).content.decode()

    response = manager_client.post(
        reverse("invoicing:invoice_void", args=[note.pk]), {"reason": "x"}, follow=True
    )

    assert reverse("invoicing:invoice_void", args=[note.pk]) not in page
    assert reverse("invoicing:change_log_replace", args=[note.pk]) not in page
    assert "record a new quantity change" in page  # its reason
    assert errors.CHANGE_LOG_CREDIT_NOT_CORRECTABLE.format(number=note.number) in messages_of(
        response
    )
    note.refresh_from_db()
    assert note.status == Invoice.Status.ISSUED


def test_replace_of_a_regular_invoice_is_refused(manager_client, contract):
    invoice = invoice_cycle(contract, 2)

    response = manager_client.post(
        reverse("invoicing:change_log_replace", args=[invoice.pk]), follow=True
    )

    assert errors.ONLY_CHANGE_LOG.format(number=invoice.number) in messages_of(response)
    assert Invoice.objects.count() == 1


def test_viewers_cannot_void_replace_or_generate_change_log_invoices(
    viewer_client, changed_after_invoicing
):
    invoice = Invoice.objects.get()
    posts = [
        (reverse("invoicing:invoice_void", args=[invoice.pk]), {"reason": "x"}),
        (reverse("invoicing:change_log_replace", args=[invoice.pk]), {}),
        (
            change_log_url(changed_after_invoicing),
            {"period_start": "2026-01-01", "period_end": "2026-03-15"},
        ),
    ]
    for url, data in posts:
        assert viewer_client.post(url, data).status_code == 403
    anonymous = Client().post(posts[0][0], posts[0][1])
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.url
    assert Invoice.objects.get().status == Invoice.Status.ISSUED


def test_the_bulk_change_log_tab_opens_a_run_that_bills_the_change(
    manager_client, changed_after_invoicing
):
    contract = changed_after_invoicing
    shown = manager_client.get(BULK, {"contracts": [contract.pk], "tab": "change_log"})

    manager_client.post(
        BULK,
        {
            "tab": "change_log",
            "contracts": [contract.pk],
            "period_start": "2026-03-01",
            "period_end": "2026-03-31",
        },
    )

    assert shown.context["change_log"]["period_start"].value() == D(2026, 3, 1)
    run = GenerationRun.objects.get()
    assert run.parameters["period_end"] == "2026-03-31"
    generation_run_execute(run)
    assert run.jobs.get().message == "1 credit note generated."
    assert Invoice.objects.credit_notes().filter(contract=contract).count() == 1


def test_the_bulk_change_log_tab_refuses_a_reversed_period(manager_client, contract):
    response = manager_client.post(
        BULK,
        {
            "tab": "change_log",
            "contracts": [contract.pk],
            "period_start": "2026-03-31",
            "period_end": "2026-03-01",
        },
    )

    assert response.status_code == 400
    assert errors.PERIOD_REVERSED.format(start=D(2026, 3, 31), end=D(2026, 3, 1)) in messages_of(
        response
    )
    assert GenerationRun.objects.count() == 0
