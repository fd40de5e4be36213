"""Credit notes in Chromium: a manager takes back part of one line of an issued EUR invoice
through Issue credit note… (amount, reason, preview, confirmation), finds the credit note on
its own page, on the invoice's page with what is still owed and in the invoice list filtered
to credit notes; an amount larger than is left is refused and writes nothing; voiding the
invoice then takes back exactly what was left on a second credit note."""

from __future__ import annotations

from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from playwright.sync_api import expect

from contracts.templatetags.billing_format import money, percent, period
from invoicing import errors
from invoicing.models import Invoice, InvoiceLine
from schedules.services import schedules_keep_ahead
from tests.e2e.conftest import sign_in
from tests.factories import BillingContractFactory, ContractLineFactory, CustomerFactory
from tests.web.helpers import invoice_cycle

pytestmark = pytest.mark.django_db(transaction=True)
REASON = "Outage on the third: two days of seats not delivered"


def eur(amount: str) -> str:
    return money(Decimal(amount), "EUR")


@pytest.fixture
def invoice(manager, eager_celery) -> Invoice:
    """Kite Robotics' invoice for this month, in full: 10 seats × 12.50 (125.00 + 25.00 tax)
    and a support plan at 80.00 (+ 16.00 tax), 20 %: 246.00 in all, unpaid."""
    today = timezone.localdate()
    contract = BillingContractFactory(
        customer=CustomerFactory(name="Kite Robotics"),
        start_date=today.replace(day=1) - relativedelta(months=1),
    )
    ContractLineFactory(contract=contract, description="Seat licence", position=0)
    ContractLineFactory(
        contract=contract,
        description="Support plan",
        position=1,
        quantity=Decimal("1"),
        unit_price=Decimal("80.00"),
    )
    schedules_keep_ahead(as_of=today, contract_ids=[contract.pk])
    invoice = invoice_cycle(contract, 1)
    assert invoice.total == Decimal("246.00")
    return invoice


def written() -> tuple:
    """Every invoice and line row, to assert that a refusal wrote nothing."""
    rows = Invoice.objects.order_by("pk").values_list("pk", "status", "credited_total")
    return list(rows), InvoiceLine.objects.count()


def test_a_partial_credit_note_then_a_void_take_back_exactly_the_invoice(page, manager, invoice):
    sign_in(page, manager, then=f"/invoices/{invoice.pk}/")
    expect(page.get_by_role("heading", name=f"Invoice {invoice.number}")).to_be_visible()

    page.get_by_role("link", name="Issue credit note…").click()

    expect(page.get_by_role("heading", name="Issue credit note")).to_be_visible()
    page.get_by_label("Amount to credit on Seat licence").fill("41.67")
    page.get_by_label("Reason").fill(REASON)
    page.get_by_role("button", name="Preview credit note").click()

    # 41.67 × 20 % = 8.334, rounded once to 8.33: 50.00 taken back, 196.00 left.
    preview = page.locator("[data-credit-preview]")
    rows = preview.locator("tbody tr")
    expect(rows).to_have_count(1)  # the support plan, left blank, is not credited
    seats = invoice.lines.get(description="Seat licence")
    expect(rows.get_by_role("cell")).to_have_text(
        [
            f"Seat licence{period(seats.period_start, seats.period_end)}",
            "-1",  # one unit of the amount typed: a part of a line has no whole units
            eur("41.67"),
            eur("-41.67"),
            f"{eur('-8.33')}{percent(Decimal('20'))}",
            eur("83.33"),  # left on the line afterwards
        ]
    )
    expect(preview.locator("tfoot")).to_contain_text(eur("-8.33"))
    expect(preview.locator("[data-credit-total]")).to_have_text(eur("-50.00"))
    expect(preview.locator("[data-left-after]")).to_have_text(eur("196.00"))
    expect(preview).to_contain_text(f"Reason: {REASON}")
    assert not invoice.credit_notes.exists()  # a preview writes nothing

    preview.get_by_role("button", name="Issue credit note").click()

    note = Invoice.objects.credit_notes().get(credits=invoice)
    expect(page.locator(".messages")).to_contain_text(
        f"Credit note {note.number} issued against {invoice.number}."
    )
    page.locator(".messages").get_by_role("link", name=note.number).click()
    assert note.number.startswith("CN-")
    expect(page.get_by_role("heading", name=f"Credit note {note.number}")).to_be_visible()
    expect(page.locator(".subtitle")).to_contain_text(f"Credits {invoice.number}")
    expect(page.locator("dl.terms")).to_contain_text(REASON)
    expect(page.locator("dl.terms")).to_contain_text(eur("-50.00"))

    page.locator("dl.terms").get_by_role("link", name=invoice.number).click()

    credit_notes = page.locator("dl.terms div").filter(has_text="Credit notes")
    expect(credit_notes.get_by_role("link", name=note.number)).to_be_visible()
    expect(credit_notes).to_contain_text(f"{eur('50.00')} credited")
    expect(credit_notes.locator("[data-open-amount]")).to_have_text(f"{eur('196.00')} still owed")

    page.get_by_role("link", name="Invoices", exact=True).click()
    page.get_by_label("Document", exact=True).select_option(label="Credit note")
    page.get_by_role("button", name="Filter").click()
    listed = page.locator("table.data:not([data-totals]) tbody td:first-child a")
    expect(listed).to_have_text([note.number])

    # More than is left on the line, after the first credit note: refused, nothing written.
    before = written()
    page.goto(f"/invoices/{invoice.pk}/credit/")
    expect(page.get_by_role("cell", name=eur("83.33"))).to_be_visible()  # left on the line
    page.get_by_label("Amount to credit on Seat licence").fill("83.34")
    page.get_by_label("Reason").fill("Goodwill")
    page.get_by_role("button", name="Preview credit note").click()

    refusal = errors.CREDIT_LINE_EXCEEDS_LEFT.format(description="Seat licence", left=eur("83.33"))
    expect(page.locator(".messages")).to_contain_text(refusal)
    expect(page.locator("[data-credit-preview]")).to_have_count(0)
    expect(page.get_by_label("Amount to credit on Seat licence")).to_have_value("83.34")
    assert written() == before

    page.goto(f"/invoices/{invoice.pk}/")
    page.get_by_text("Void…").click()
    page.get_by_label("Reason").fill("Billed to the wrong entity")
    page.get_by_role("button", name="Void invoice").click()

    expect(page.locator(".messages")).to_contain_text(f"Invoice {invoice.number} voided.")
    expect(page.get_by_role("heading", name=f"Invoice {invoice.number}")).to_contain_text("Void")
    invoice.refresh_from_db()
    first, second = Invoice.objects.credit_notes().filter(credits=invoice).order_by("pk")
    assert (first.pk, first.total) == (note.pk, Decimal("-50.00"))
    assert second.total == Decimal("-196.00")  # exactly what was left
    assert invoice.status == Invoice.Status.VOID
    assert invoice.credited_total == invoice.total == Decimal("246.00")
    assert first.total + second.total == -invoice.total
    credit_notes = page.locator("dl.terms div").filter(has_text="Credit notes")
    expect(credit_notes.get_by_role("link", name=second.number)).to_be_visible()
