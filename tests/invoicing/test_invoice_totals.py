"""The invoice totals PostgreSQL keeps per day, currency and state: every write to the
invoices moves them exactly, compacting changes nothing, and the invoice list reads from
them the very totals an aggregate of the filtered invoices gives."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db.models import Count, Sum

from invoicing.models import Invoice, InvoiceTotal
from invoicing.selectors.invoice_list import (
    InvoiceFilters,
    invoice_list_totals,
    invoice_totals,
    invoices_matching,
)
from invoicing.services.totals import invoice_totals_compact
from tests.factories import BillingContractFactory, InvoiceFactory

pytestmark = pytest.mark.django_db
D = datetime.date
PAID = datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)
GROUP = ("invoice_date", "due_date", "currency", "status", "kind")


def kept() -> dict:
    """The kept totals per group, summed over their rows."""
    rows = InvoiceTotal.objects.values(*GROUP, "paid").annotate(
        n=Sum("invoices"), s=Sum("subtotal"), t=Sum("tax_total"), g=Sum("total")
    )
    return {
        tuple(row[key] for key in (*GROUP, "paid")): (row["n"], row["s"], row["t"], row["g"])
        for row in rows
        if row["n"] or row["s"] or row["t"] or row["g"]
    }


def aggregated() -> dict:
    """The same groups aggregated from the invoices themselves."""
    rows = Invoice.objects.values(*GROUP, "paid_at").annotate(
        n=Count("id"), s=Sum("subtotal"), t=Sum("tax_total"), g=Sum("total")
    )
    groups: dict = {}
    for row in rows:
        key = (*(row[key] for key in GROUP), row["paid_at"] is not None)
        n, s, t, g = groups.get(key, (0, Decimal(0), Decimal(0), Decimal(0)))
        groups[key] = (n + row["n"], s + row["s"], t + row["t"], g + row["g"])
    return groups


@pytest.fixture
def book(today):
    def eur():
        return BillingContractFactory(currency="EUR")

    return {
        "overdue": InvoiceFactory(
            schedule__contract=eur(), invoice_date=D(2026, 2, 1), due_date=D(2026, 3, 3)
        ),
        "paid": InvoiceFactory(
            schedule__contract=eur(),
            invoice_date=D(2026, 2, 1),
            due_date=D(2026, 3, 3),
            paid_at=PAID,
        ),
        "usd": InvoiceFactory(
            schedule__contract=BillingContractFactory(currency="USD"),
            invoice_date=D(2026, 3, 2),
            due_date=D(2026, 4, 1),
        ),
        "change_log": InvoiceFactory(
            schedule=None,
            contract=eur(),
            kind=Invoice.Kind.CHANGE_LOG,
            period_start=D(2026, 2, 1),
            period_end=D(2026, 2, 28),
            invoice_date=D(2026, 3, 10),
            due_date=D(2026, 4, 9),
            subtotal=Decimal("-12.50"),
            tax_total=Decimal("-2.50"),
        ),
    }


def test_the_kept_totals_count_every_invoice_written(book):
    assert kept() == aggregated()
    assert sum(n for n, *_ in kept().values()) == 4


def test_a_payment_a_void_an_amount_and_a_deletion_move_the_kept_totals(book):
    Invoice.objects.filter(pk=book["overdue"].pk).update(paid_at=PAID)
    Invoice.objects.filter(pk=book["usd"].pk).update(status=Invoice.Status.VOID)
    Invoice.objects.filter(pk=book["paid"].pk).update(
        subtotal=Decimal("100.00"), tax_total=Decimal("20.00"), total=Decimal("120.00")
    )
    book["change_log"].delete()

    assert kept() == aggregated()
    assert sum(n for n, *_ in kept().values()) == 3


def test_a_write_that_moves_no_total_adds_no_row(book):
    rows = InvoiceTotal.objects.count()

    Invoice.objects.update(generated_via="admin")

    assert InvoiceTotal.objects.count() == rows


def test_compacting_keeps_the_totals_in_one_row_per_group(book):
    Invoice.objects.filter(pk=book["overdue"].pk).update(paid_at=PAID)
    Invoice.objects.filter(pk=book["overdue"].pk).update(paid_at=None)
    before = kept()

    kept_rows = invoice_totals_compact()

    assert kept() == before == aggregated()
    assert kept_rows == InvoiceTotal.objects.count() == len(before)


@pytest.mark.parametrize(
    "filters",
    [
        InvoiceFilters(),
        InvoiceFilters(payment="paid"),
        InvoiceFilters(payment="unpaid"),
        InvoiceFilters(payment="overdue"),
        InvoiceFilters(status="void"),
        InvoiceFilters(currency="USD"),
        InvoiceFilters(kind="change_log"),
        InvoiceFilters(issued_from=D(2026, 2, 1), issued_to=D(2026, 2, 28)),
        InvoiceFilters(due_from=D(2026, 3, 10)),
        InvoiceFilters(currency="EUR", payment="unpaid", issued_to=D(2026, 3, 15)),
    ],
)
def test_the_list_totals_are_those_of_the_filtered_invoices(book, today, filters):
    Invoice.objects.filter(pk=book["paid"].pk).update(status=Invoice.Status.VOID)

    expected = invoice_totals(invoices_matching(filters, today=today))

    assert invoice_list_totals(filters, today=today) == expected


def kept_credits() -> dict:
    """What the kept totals say was credited, per group and whether credited in full."""
    rows = InvoiceTotal.objects.values(*GROUP, "paid", "fully_credited").annotate(
        n=Sum("invoices"), c=Sum("credited_total")
    )
    return {
        tuple(row[key] for key in (*GROUP, "paid", "fully_credited")): (row["n"], row["c"])
        for row in rows
        if row["n"] or row["c"]
    }


def aggregated_credits() -> dict:
    groups: dict = {}
    for invoice in Invoice.objects.all():
        key = (
            *(getattr(invoice, key) for key in GROUP),
            invoice.is_paid,
            invoice.is_fully_credited,
        )
        n, c = groups.get(key, (0, Decimal(0)))
        groups[key] = (n + 1, c + invoice.credited_total)
    return groups


@pytest.mark.parametrize(
    "filters",
    [
        InvoiceFilters(payment="unpaid"),
        InvoiceFilters(payment="overdue"),
        InvoiceFilters(currency="USD", payment="unpaid", issued_to=D(2026, 3, 15)),
    ],
)
def test_credits_move_what_is_still_owed_in_the_kept_totals(book, today, filters):
    Invoice.objects.filter(pk=book["overdue"].pk).update(credited_total=Decimal("50.00"))
    usd = book["usd"]
    Invoice.objects.filter(pk=usd.pk).update(credited_total=usd.total)  # credited in full

    assert kept_credits() == aggregated_credits()
    invoice_totals_compact()
    assert kept_credits() == aggregated_credits()
    expected = invoice_totals(invoices_matching(filters, today=today))
    assert invoice_list_totals(filters, today=today) == expected
    assert usd.number not in {i.number for i in invoices_matching(filters, today=today)}
