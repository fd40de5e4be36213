"""Credit notes issued by hand: part of an invoice's lines taken back for a reason, each
line's tax rounded once, never more than is left, and what the invoice still owes."""

import threading
from datetime import date as D
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection

from invoicing import errors
from invoicing.errors import GenerationError
from invoicing.models import AuditEvent, Door, Invoice, InvoiceLine
from invoicing.services import invoice_generate
from invoicing.services.partial_crediting import credit_note_draft, credit_note_issue
from invoicing.services.voiding import invoice_void
from tests.factories import ContractLineFactory
from tests.invoicing.helpers import active_contract, billing_state

pytestmark = pytest.mark.django_db

AS_OF = D(2026, 3, 15)


def march_invoice(contract):
    return invoice_generate(schedule=contract.schedules.get(cycle_index=2), as_of=AS_OF)


def two_line_invoice():
    """10 × 12.50 at 20 % and 3 × 9.99 at 7 %: 125.00 + 25.00 and 29.97 + 2.10 = 182.07."""
    contract = active_contract(as_of=AS_OF)
    ContractLineFactory(
        contract=contract, quantity=Decimal(3), unit_price=Decimal("9.99"), tax_rate=Decimal(7)
    )
    invoice = march_invoice(contract)
    return invoice, list(invoice.lines.order_by("position"))


def credit(invoice, amounts, reason="Agreed discount", **kwargs):
    return credit_note_issue(
        invoice=invoice,
        amounts={line.pk: Decimal(value) for line, value in amounts.items()},
        reason=reason,
        **kwargs,
    )


def lines_of(note):
    return list(
        note.lines.order_by("position").values_list(
            "credited_line_id", "quantity", "unit_price", "amount", "tax_amount"
        )
    )


def written():
    """Every row a credit note writes or changes, to assert that a refusal wrote nothing."""
    return (
        billing_state(),
        list(InvoiceLine.objects.order_by("pk").values_list("pk", "amount")),
        list(Invoice.objects.order_by("pk").values_list("pk", "credited_total")),
    )


def test_a_partial_credit_takes_back_the_amounts_asked_with_each_lines_tax_rounded_once(
    today, manager
):
    invoice, (hours, licences) = two_line_invoice()

    note = credit(invoice, {hours: "25.00", licences: "10.01"}, user=manager)

    # 25.00 × 20 % = 5.00; 10.01 × 7 % = 0.7007, rounded once to 0.70.
    assert lines_of(note) == [
        (hours.pk, Decimal(-2), Decimal("12.50"), Decimal("-25.00"), Decimal("-5.00")),
        (licences.pk, Decimal(-1), Decimal("10.01"), Decimal("-10.01"), Decimal("-0.70")),
    ]
    assert (note.subtotal, note.tax_total, note.total) == (
        Decimal("-35.01"),
        Decimal("-5.70"),
        Decimal("-40.71"),
    )
    invoice.refresh_from_db()
    assert invoice.credited_total == Decimal("40.71")
    assert invoice.uncredited == Decimal("141.36") and invoice.status == Invoice.Status.ISSUED
    assert note.credits == invoice and note.credit_reason == "Agreed discount"
    assert note.number == "CN-000001" and note.generated_via == Door.MANUAL
    event = AuditEvent.objects.get(invoice=note)
    assert event.action == AuditEvent.Action.CREDIT_NOTE_ISSUED and event.actor == manager


def test_a_yen_invoice_is_credited_in_whole_yen_and_a_void_takes_back_exactly_the_rest(today):
    contract = active_contract(as_of=AS_OF, currency="JPY")
    contract.lines.update(quantity=Decimal(3), unit_price=Decimal(333), tax_rate=Decimal(10))
    invoice = march_invoice(contract)
    assert invoice.total == Decimal(1099)  # 999 + 99.9 rounded to 100
    [line] = invoice.lines.all()

    partial = credit(invoice, {line: "335"})  # tax 33.5, rounded half-up to 34
    invoice_void(invoice=invoice, reason="Cancelled")

    rest = invoice.credit_notes.exclude(pk=partial.pk).get()
    assert (partial.subtotal, partial.tax_total, partial.total) == (-335, -34, -369)
    assert (rest.subtotal, rest.tax_total, rest.total) == (-664, -66, -730)
    invoice.refresh_from_db()
    assert partial.total + rest.total == -invoice.total == invoice.credited_total * -1


def test_partial_credits_then_a_void_add_up_to_the_invoice_to_the_cent(today):
    invoice, (hours, licences) = two_line_invoice()

    first = credit(invoice, {hours: "33.33"})  # tax 6.666 → 6.67
    second = credit(invoice, {hours: "0.01", licences: "29.97"})  # all of the licences
    invoice_void(invoice=invoice)

    notes = list(invoice.credit_notes.order_by("pk"))
    assert notes[:2] == [first, second]
    assert sum(note.total for note in notes) == -invoice.total == Decimal("-182.07")
    # The licences were taken back whole by the second note: their tax to the cent.
    assert lines_of(second)[1] == (
        licences.pk,
        Decimal(-3),
        Decimal("9.99"),
        Decimal("-29.97"),
        Decimal("-2.10"),
    )
    invoice.refresh_from_db()
    assert invoice.credited_total == invoice.total and invoice.is_fully_credited


def test_a_paid_invoice_may_be_credited_what_is_then_owed_back(today):
    invoice, (hours, _) = two_line_invoice()
    Invoice.objects.filter(pk=invoice.pk).update(paid_at="2026-03-10T12:00:00Z")

    note = credit(invoice, {hours: "12.50"})

    assert note.total == Decimal("-15.00")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (None, errors.CREDIT_NOTHING.format(number="INV-000001")),
        ("0", errors.CREDIT_AMOUNT_NOT_POSITIVE.format(description="Hosting")),
        ("-5", errors.CREDIT_AMOUNT_NOT_POSITIVE.format(description="Hosting")),
        (
            "125.01",
            errors.CREDIT_LINE_EXCEEDS_LEFT.format(description="Hosting", left="EUR\xa0125.00"),
        ),
        (
            "12.505",
            errors.CREDIT_AMOUNT_DECIMALS.format(
                description="Hosting", currency="EUR", decimals=2, amount="12.505"
            ),
        ),
    ],
)
def test_a_credit_the_invoice_cannot_give_is_refused_and_writes_nothing(today, typed, message):
    invoice, (hours, _) = two_line_invoice()
    hours_description = hours.description
    before = written()

    with pytest.raises(GenerationError) as refused:
        credit(invoice, {} if typed is None else {hours: typed})

    assert str(refused.value) == message.replace("Hosting", hours_description)
    assert written() == before


def test_a_line_of_another_invoice_is_refused(today):
    invoice, _ = two_line_invoice()
    other, (foreign, _) = two_line_invoice()
    before = written()

    with pytest.raises(GenerationError) as refused:
        credit(invoice, {foreign: "1.00"})

    assert str(refused.value) == errors.CREDIT_LINE_NOT_ON_INVOICE.format(
        line=foreign.pk, number=invoice.number
    )
    assert written() == before


def test_more_than_is_left_after_an_earlier_credit_is_refused(today):
    invoice, (hours, _) = two_line_invoice()
    credit(invoice, {hours: "100.00"})

    with pytest.raises(GenerationError, match="at most EUR\xa025.00 is left"):
        credit(invoice, {hours: "25.01"})


def test_yen_with_decimals_a_void_invoice_a_credit_note_and_no_reason_are_refused(today):
    contract = active_contract(as_of=AS_OF, currency="JPY")
    invoice = march_invoice(contract)
    [line] = invoice.lines.all()
    with pytest.raises(GenerationError, match="JPY amounts have 0 decimals at most"):
        credit(invoice, {line: "10.5"})
    with pytest.raises(GenerationError) as refused:
        credit(invoice, {line: "10"}, reason="  ")
    assert str(refused.value) == errors.CREDIT_REASON_REQUIRED

    invoice_void(invoice=invoice)
    note = invoice.credit_notes.get()
    before = written()
    with pytest.raises(GenerationError, match="is void: only an issued invoice can be credited"):
        credit(invoice, {line: "10"})
    with pytest.raises(GenerationError, match="is a credit note: only an invoice"):
        credit(note, {note.lines.get(): "10"})
    assert written() == before


def test_the_preview_drafts_exactly_what_is_then_issued_and_writes_nothing(today):
    invoice, (hours, licences) = two_line_invoice()
    amounts = {hours.pk: Decimal("7.30"), licences.pk: Decimal("9.99")}
    before = written()

    preview = credit_note_draft(invoice=invoice, amounts=amounts, reason="Outage")

    assert written() == before
    note = credit_note_issue(invoice=invoice, amounts=amounts, reason="Outage")
    assert [
        (line.credit.quantity, line.credit.unit_price, line.credit.amount, line.credit.tax_amount)
        for line in preview.lines
    ] == [row[1:] for row in lines_of(note)]
    assert preview.draft.total == note.total
    assert preview.left_after == invoice.total + note.total


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_partial_credits_that_together_exceed_the_invoice_one_is_refused():
    invoice, (hours, _) = two_line_invoice()
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def issue():
        try:
            start.wait()
            credit(invoice, {hours: "100.00"}, reason="race")
            outcomes.append("issued")
        except GenerationError as error:
            outcomes.append(str(error))
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    left = errors.CREDIT_LINE_EXCEEDS_LEFT.format(
        description=hours.description, left="EUR\xa025.00"
    )
    assert sorted(outcomes) == sorted(["issued", left])
    invoice.refresh_from_db()
    assert invoice.credit_notes.count() == 1 and invoice.credited_total == Decimal("120.00")
