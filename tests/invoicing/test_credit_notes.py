"""Credit notes issued by voiding and replacing: a document of their own, in their own
number series, taking back exactly what the invoice billed, never more than it."""

import threading
from datetime import date as D
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, close_old_connections, connection, transaction

from contracts.models import BillingSettings
from invoicing.models import AuditEvent, Invoice
from invoicing.post_invoicing.models import PostInvoicingTask
from invoicing.services import invoice_generate
from invoicing.services.crediting import credit_notes_issue_full
from invoicing.services.voiding import invoice_void
from schedules.models import BillingSchedule
from schedules.services.periods import posting_period_close
from tests.factories import ContractLineFactory
from tests.invoicing.helpers import active_contract

pytestmark = pytest.mark.django_db

AS_OF = D(2026, 3, 15)


def first_invoice(contract):
    schedule = contract.schedules.get(cycle_index=2)
    return invoice_generate(schedule=schedule, as_of=AS_OF)


def lines_of(document):
    return list(
        document.lines.order_by("position").values_list(
            "description", "quantity", "unit_price", "amount", "tax_rate", "tax_amount"
        )
    )


def test_voiding_issues_a_credit_note_taking_back_every_line_exactly(today):
    contract = active_contract(as_of=AS_OF)
    ContractLineFactory(
        contract=contract, quantity=Decimal(3), unit_price=Decimal("9.99"), tax_rate=Decimal(7)
    )
    invoice = first_invoice(contract)
    billed = lines_of(invoice)

    invoice_void(invoice=invoice, reason="Billed to the wrong entity")

    invoice.refresh_from_db()
    note = invoice.credit_notes.get()
    assert invoice.status == Invoice.Status.VOID
    assert lines_of(invoice) == billed  # the void invoice itself is never altered
    assert note.document == Invoice.Document.CREDIT_NOTE and note.is_credit_note
    assert note.number == "CN-000001" and note.credit_reason == "Billed to the wrong entity"
    assert lines_of(note) == [
        (desc, -qty, price, -amount, rate, -tax) for desc, qty, price, amount, rate, tax in billed
    ]
    # 10 × 12.50 at 20 % and 3 × 9.99 at 7 %: 125.00 + 25.00 and 29.97 + 2.10.
    assert (note.subtotal, note.tax_total, note.total) == (
        Decimal("-154.97"),
        Decimal("-27.10"),
        Decimal("-182.07"),
    )
    assert invoice.credited_total == invoice.total == -note.total
    assert note.invoice_date == note.due_date == AS_OF
    assert note.currency == invoice.currency and note.contract == contract


def test_a_yen_invoice_is_credited_in_whole_yen(today):
    contract = active_contract(as_of=AS_OF, currency="JPY")
    contract.lines.update(quantity=Decimal(3), unit_price=Decimal("333"), tax_rate=Decimal(10))
    invoice = first_invoice(contract)
    assert invoice.total == Decimal(1099)  # 999 + 99.9 rounded once to 100

    invoice_void(invoice=invoice)

    note = invoice.credit_notes.get()
    assert (note.subtotal, note.tax_total, note.total) == (
        Decimal(-999),
        Decimal(-100),
        Decimal(-1099),
    )
    assert note.credit_reason == "Invoice voided."


def test_replacing_credits_the_old_invoice_then_issues_the_new_one(today):
    contract = active_contract(as_of=AS_OF)
    old = first_invoice(contract)
    contract.lines.update(quantity=Decimal(12))

    new = invoice_generate(schedule=old.schedule, replace=True, as_of=AS_OF)

    old.refresh_from_db()
    note = old.credit_notes.get()
    assert old.status == Invoice.Status.REPLACED and old.replaced_by == new
    assert note.total == -old.total == Decimal("-150.00")
    assert new.total == Decimal("180.00") and new.document == Invoice.Document.INVOICE
    assert (old.number, note.number, new.number) == ("INV-000001", "CN-000001", "INV-000002")
    # The schedule points at the new invoice, not at the credit note of the same cycle.
    assert BillingSchedule.objects.get(pk=old.schedule_id).resulting_invoice == new
    assert Invoice.objects.live_regular().get(schedule=old.schedule) == new


def test_invoices_and_credit_notes_are_numbered_in_their_own_gap_free_series(today):
    settings = BillingSettings.load()
    settings.credit_note_number_prefix = "AV-"
    settings.save()
    numbers = []
    for _ in range(2):
        invoice = first_invoice(active_contract(as_of=AS_OF))
        invoice_void(invoice=invoice)
        numbers += [invoice.number, invoice.credit_notes.get().number]

    assert numbers == ["INV-000001", "AV-000001", "INV-000002", "AV-000002"]


def test_the_credit_note_is_audited_and_sent_and_synced_but_never_charged(today, manager):
    contract = active_contract(as_of=AS_OF, auto_send=True, auto_charge=True, auto_sync=True)
    invoice = first_invoice(contract)

    invoice_void(invoice=invoice, user=manager, reason="Duplicate")

    note = invoice.credit_notes.get()
    kinds = set(PostInvoicingTask.objects.filter(invoice=note).values_list("kind", flat=True))
    assert kinds == {PostInvoicingTask.Kind.SEND, PostInvoicingTask.Kind.SYNC}
    event = AuditEvent.objects.get(invoice=note)
    assert event.action == AuditEvent.Action.CREDIT_NOTE_ISSUED and event.actor == manager
    assert event.detail == f"{note.number} credits {invoice.number}: Duplicate"


def test_a_credit_note_in_a_closed_month_is_dated_on_the_first_open_day(today, manager):
    invoice = first_invoice(active_contract(as_of=AS_OF))
    posting_period_close(month=D(2026, 3, 1), user=manager)

    invoice_void(invoice=invoice)

    assert invoice.credit_notes.get().invoice_date == D(2026, 4, 1)


def test_the_database_keeps_credits_within_the_invoice_total(today):
    invoice = first_invoice(active_contract(as_of=AS_OF))

    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(credited_total=invoice.total + Decimal("0.01"))
    with pytest.raises(IntegrityError), transaction.atomic():
        # A credit note names the invoice it credits.
        Invoice.objects.filter(pk=invoice.pk).update(document=Invoice.Document.CREDIT_NOTE)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(credits=invoice)  # an invoice credits none


def test_an_invoice_with_nothing_left_gets_no_second_credit_note(today):
    invoice = first_invoice(active_contract(as_of=AS_OF))
    with transaction.atomic():
        credit_notes_issue_full(invoice_ids=[invoice.pk], reason="first", door="manual")

    with transaction.atomic():
        assert (
            credit_notes_issue_full(invoice_ids=[invoice.pk], reason="again", door="manual") == {}
        )

    assert invoice.credit_notes.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_credits_racing_on_one_invoice_never_exceed_it():
    invoice = first_invoice(active_contract(as_of=AS_OF))
    start = threading.Barrier(2)
    outcomes = []

    def credit():
        try:
            start.wait()
            with transaction.atomic():
                Invoice.objects.select_for_update().get(pk=invoice.pk)
                outcomes.append(
                    len(
                        credit_notes_issue_full(
                            invoice_ids=[invoice.pk], reason="race", door="manual"
                        )
                    )
                )
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=credit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    invoice.refresh_from_db()
    assert sorted(outcomes) == [0, 1]
    assert invoice.credit_notes.count() == 1 and invoice.credited_total == invoice.total


def test_credit_notes_need_a_number_prefix_of_their_own():
    settings = BillingSettings.load()
    settings.credit_note_number_prefix = settings.invoice_number_prefix

    with pytest.raises(ValidationError, match="prefix of their own"):
        settings.full_clean()
