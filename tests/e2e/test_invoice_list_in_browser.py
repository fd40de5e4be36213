"""The invoice list and an invoice's actions in Chromium: a manager filters by currency,
payment, dates and status through the form and sees the totals per currency follow, downloads
exactly the filtered rows as CSV, then on an invoice sends it again (a real SMTP server on
loopback receives it), retries the send the mail server refused, records the transfer
received, and voids another invoice. Post-invoicing tasks run inline (eager Celery)."""

from __future__ import annotations

import csv
import datetime
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from contracts.templatetags.billing_format import money
from invoicing.models import AuditEvent, Invoice
from invoicing.post_invoicing.models import InvoiceEmail, Payment, PostInvoicingTask
from invoicing.services import invoice_generate
from invoicing.services.voiding import invoice_void
from schedules.models import BillingSchedule
from tests.conftest import wait_until
from tests.e2e.conftest import sign_in
from tests.factories import CustomerFactory
from tests.invoicing.helpers import active_contract
from tests.post_invoicing.servers import MailServer
from tests.web.helpers import invoice_cycle, schedule_of

pytestmark = pytest.mark.django_db(transaction=True)
SEND = PostInvoicingTask.Kind.SEND


@pytest.fixture
def mail_server():
    """A real SMTP server on loopback; the live server's email goes to it."""
    server = MailServer().start()
    smtp = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": server.port,
        "EMAIL_USE_TLS": False,
        "EMAIL_TIMEOUT": 5,
    }
    with override_settings(**smtp):
        yield server
    server.stop()


@pytest.fixture
def book(manager, eager_celery, settings):
    """Osprey Labs (EUR, 150.00 a month) with its first three cycles invoiced, the first
    paid and the third awaiting a bank transfer; Heron Freight (USD, 475.20 a month) with
    two, the first voided. Cycles start on the 1st of each month from three months ago."""
    settings.BILLING_PAYMENT_GATEWAY = "manual"  # Auto-Charge then awaits a bank transfer
    today = timezone.localdate()
    start = today.replace(day=1) - relativedelta(months=3)
    osprey = active_contract(
        start=start,
        as_of=today,
        customer=CustomerFactory(name="Osprey Labs", billing_email="ap@osprey.example"),
    )
    heron = active_contract(
        start=start,
        as_of=today,
        customer=CustomerFactory(name="Heron Freight"),
        currency="USD",
        quantity="4",
        unit_price="99.00",
    )
    e0 = invoice_cycle(osprey, 0, paid_at=timezone.now())
    e1 = invoice_cycle(osprey, 1)
    e2 = invoice_generate(schedule=schedule_of(osprey, 2), post_tasks={"auto_charge": True})
    u0 = invoice_void(invoice=invoice_cycle(heron, 0), reason="Wrong entity")
    u1 = invoice_cycle(heron, 1)
    n0 = u0.credit_notes.get()  # the void invoice's credit note, dated today
    return {"e0": e0, "e1": e1, "e2": e2, "u0": u0, "u1": u1, "n0": n0, "start": start}


def listed(page) -> list[str]:
    """The invoice numbers on the list's page, in order."""
    return page.locator("table.data:not([data-totals]) tbody td:first-child a").all_inner_texts()


def expect_totals(page, invoices: list[Invoice]) -> None:
    """The totals table shows one row per currency of `invoices`, summed here from the rows."""
    rows = []
    for currency in sorted({invoice.currency for invoice in invoices}):
        mine = [invoice for invoice in invoices if invoice.currency == currency]
        unpaid = [i for i in mine if i.is_live and not i.is_credit_note and i.paid_at is None]
        cells = [currency, str(len(mine))]
        for amounts in (
            [i.subtotal for i in mine],
            [i.tax_total for i in mine],
            [i.total for i in mine],
            [i.total for i in unpaid],
        ):
            cells.append(money(sum(amounts, Decimal(0)), currency))
        rows.append(cells)
    table_rows = page.locator("[data-totals] tbody tr")
    expect(table_rows).to_have_count(len(rows))
    for row, cells in zip(table_rows.all(), rows, strict=True):
        expect(row.get_by_role("cell")).to_have_text(cells)


def filter_by(page, **choices) -> None:
    """Start from no filter, choose as a person would, press Filter."""
    page.get_by_role("link", name="Reset").click()
    for label in ("Status", "Currency", "Payment"):
        if label in choices:
            page.get_by_label(label, exact=True).select_option(label=choices[label])
    for label in ("Issued from", "Issued to"):
        if label in choices:
            page.get_by_label(label, exact=True).fill(choices[label].isoformat())
    page.get_by_role("button", name="Filter").click()


def fresh(*invoices: Invoice) -> list[Invoice]:
    return [Invoice.objects.get(pk=invoice.pk) for invoice in invoices]


def test_filters_change_the_totals_and_the_csv_holds_exactly_the_filtered_rows(page, manager, book):
    e0, e1, e2, u0, u1, n0 = (book[key] for key in ("e0", "e1", "e2", "u0", "u1", "n0"))
    sign_in(page, manager)
    page.get_by_role("link", name="Invoices", exact=True).click()

    expect(page.get_by_role("heading", name="Invoices", exact=True)).to_be_visible()
    expect_totals(page, fresh(e0, e1, e2, u0, u1, n0))
    assert listed(page) == [i.number for i in (n0, e2, u1, e1, u0, e0)]  # newest first

    filter_by(page, Currency="EUR", Payment="Unpaid")
    expect_totals(page, fresh(e1, e2))
    assert listed(page) == [e2.number, e1.number]

    # Overdue (unpaid past its due date) among the first two months' invoices.
    second_month_end = book["start"] + relativedelta(months=2) - datetime.timedelta(days=1)
    dates = {"Issued from": book["start"], "Issued to": second_month_end}
    filter_by(page, Payment="Overdue", **dates)
    expect_totals(page, fresh(e1, u1))
    assert sorted(listed(page)) == sorted([e1.number, u1.number])

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    with open(download_info.value.path(), newline="", encoding="utf-8") as file:
        header, *rows = list(csv.reader(file))
    assert header[:4] == ["number", "invoice_date", "due_date", "status"]
    assert sorted(row[0] for row in rows) == sorted([e1.number, u1.number])
    by_number = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert by_number[u1.number]["currency"] == "USD"
    assert by_number[u1.number]["total"] == "475.20"  # 4 × 99.00 + 20 %, at cents

    filter_by(page, Status="Void")
    expect_totals(page, fresh(u0))
    assert listed(page) == [u0.number]


def test_an_invoice_is_sent_again_retried_paid_by_transfer_and_another_voided(
    page, manager, book, mail_server
):
    e2, u1 = book["e2"], book["u1"]
    sign_in(page, manager, then="/invoices/")
    page.get_by_role("link", name=e2.number).click()
    expect(page.get_by_role("heading", name=f"Invoice {e2.number}")).to_be_visible()

    page.get_by_role("button", name="Send again").click()

    expect(page.locator(".messages")).to_contain_text(
        f"Invoice {e2.number} is queued to be emailed again."
    )
    (message,) = wait_until(lambda: mail_server.messages, 15)
    assert message["To"] == "ap@osprey.example" and e2.number in message["Subject"]
    send = PostInvoicingTask.objects.get(invoice=e2, kind=SEND)
    assert send.status == PostInvoicingTask.Status.DONE
    assert InvoiceEmail.objects.filter(invoice=e2, recipient="ap@osprey.example").count() == 1

    # The mail server refuses the recipient for good: the send fails and offers Retry.
    mail_server.refuse = "550 5.1.1 No such user here"
    page.get_by_role("button", name="Send again").click()
    tasks = page.get_by_role("region", name="After generation")
    send_row = tasks.get_by_role("row").filter(has_text="Send")
    expect(send_row).to_contain_text("Failed")
    expect(send_row).to_contain_text("No such user here")
    send.refresh_from_db()
    assert send.status == PostInvoicingTask.Status.FAILED

    mail_server.refuse = None
    send_row.get_by_role("button", name="Retry").click()

    expect(page.locator(".messages")).to_contain_text("The task is queued again.")
    expect(send_row).to_contain_text("Done")
    expect(send_row.get_by_role("button", name="Retry")).to_have_count(0)
    wait_until(lambda: len(mail_server.messages) == 2, 15)
    send.refresh_from_db()
    assert send.status == PostInvoicingTask.Status.DONE
    assert InvoiceEmail.objects.filter(invoice=e2).count() == 2

    page.get_by_role("button", name="Record transfer received").click()

    expect(page.locator(".messages")).to_contain_text(
        f"Transfer recorded: invoice {e2.number} is paid."
    )
    expect(page.get_by_role("heading", name=f"Invoice {e2.number}")).to_contain_text("Paid")
    expect(page.get_by_role("button", name="Record transfer received")).to_have_count(0)
    expect(page.get_by_text("Void…")).to_have_count(0)  # a paid invoice is not voided
    e2.refresh_from_db()
    assert e2.paid_at is not None and e2.status == Invoice.Status.ISSUED
    assert e2.payments.get().status == Payment.Status.SUCCEEDED

    page.get_by_role("link", name="Invoices", exact=True).click()
    page.get_by_role("link", name=u1.number).click()
    page.get_by_text("Void…").click()
    page.get_by_label("Reason").fill("Billed to the wrong entity")
    page.get_by_role("button", name="Void invoice").click()

    expect(page.locator(".messages")).to_contain_text(f"Invoice {u1.number} voided.")
    expect(page.get_by_role("heading", name=f"Invoice {u1.number}")).to_contain_text("Void")
    expect(page.get_by_role("button", name="Send again")).to_have_count(0)
    u1.refresh_from_db()
    assert u1.status == Invoice.Status.VOID
    schedule = schedule_of(u1.contract, 1)
    assert (schedule.status, schedule.resulting_invoice) == (BillingSchedule.Status.PENDING, None)
    assert AuditEvent.objects.filter(
        invoice=u1, action=AuditEvent.Action.INVOICE_VOIDED, actor=manager
    ).exists()
