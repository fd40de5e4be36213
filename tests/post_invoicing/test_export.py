"""The CSV export of invoices over a date range: the command, the service, the view."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from invoicing.models import Invoice
from invoicing.post_invoicing.export import CSV_HEADER, invoices_csv_write
from invoicing.post_invoicing.views import invoice_pdf_download, invoices_csv_download
from invoicing.services import invoice_generate
from tests.factories import CustomerFactory, UserFactory
from tests.post_invoicing.helpers import contract_invoiced

pytestmark = pytest.mark.django_db


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def book():
    """January invoiced for two contracts (one replaced since), February for one."""
    first = contract_invoiced(currency="JPY", unit_price="1250")
    second = contract_invoiced()
    replacement = invoice_generate(
        schedule=second.schedule, replace=True, as_of=datetime.date(2026, 1, 2)
    )
    february = invoice_generate(
        schedule=first.contract.schedules.get(cycle_index=1), as_of=datetime.date(2026, 2, 2)
    )
    return {"first": first, "second": second, "replacement": replacement, "february": february}


def test_the_command_writes_the_invoices_dated_in_the_range(book, tmp_path):
    target = tmp_path / "january.csv"

    call_command("export_invoices_csv", "--from", "2026-01-01", "--to", "2026-01-31", "-o", target)

    rows = _rows(target.read_text())
    assert [row["number"] for row in rows] == sorted(
        [book["first"].number, book["second"].number, book["replacement"].number]
    )
    by_number = {row["number"]: row for row in rows}
    assert by_number[book["second"].number]["status"] == "replaced"
    assert by_number[book["replacement"].number]["replaces"] == book["second"].number
    jpy = by_number[book["first"].number]
    assert (jpy["currency"], jpy["subtotal"], jpy["total"]) == ("JPY", "12500", "15000")
    assert by_number[book["second"].number]["total"] == "150.00"


def test_the_command_prints_to_standard_output_by_default(book):
    out = io.StringIO()

    call_command("export_invoices_csv", "--from", "2026-02-01", "--to", "2026-02-28", stdout=out)

    rows = _rows(out.getvalue())
    assert [row["number"] for row in rows] == [book["february"].number]
    assert list(rows[0]) == list(CSV_HEADER)


@pytest.mark.parametrize(
    "args",
    [
        ("--from", "2026-02-01", "--to", "2026-01-01"),
        ("--from", "yesterday", "--to", "2026-01-01"),
    ],
)
def test_the_command_refuses_a_bad_range(args):
    with pytest.raises(CommandError):
        call_command("export_invoices_csv", *args)


def test_an_empty_range_writes_only_the_header():
    out = io.StringIO()

    count = invoices_csv_write(
        start=datetime.date(2030, 1, 1), end=datetime.date(2030, 1, 31), out=out
    )

    assert count == 0
    assert out.getvalue().strip() == ",".join(CSV_HEADER)


def _viewer():
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="view_invoice"))
    return user


def test_the_download_view_streams_the_csv(rf, book):
    request = rf.get("/", {"start": "2026-01-01", "end": "2026-01-31"})
    request.user = _viewer()

    response = invoices_csv_download(request)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert "invoices_2026-01-01_2026-01-31.csv" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()
    assert len(_rows(text)) == 3


def test_the_download_view_refuses_a_bad_range(rf):
    request = rf.get("/", {"start": "2026-02-01", "end": "2026-01-01"})
    request.user = _viewer()

    assert invoices_csv_download(request).status_code == 400


def test_the_downloads_need_the_view_permission(rf, book):
    request = rf.get("/", {"start": "2026-01-01", "end": "2026-01-31"})
    request.user = UserFactory()

    with pytest.raises(PermissionDenied):
        invoices_csv_download(request)


def test_the_pdf_view_downloads_the_invoice_pdf(rf, book):
    request = rf.get("/")
    request.user = _viewer()
    invoice = book["first"]

    response = invoice_pdf_download(request, pk=invoice.pk)

    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{invoice.number}.pdf"' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF-")


FORMULAS = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx"]


@pytest.mark.parametrize("name", FORMULAS)
def test_a_cell_a_spreadsheet_would_run_is_written_as_text(name):
    invoice = contract_invoiced(customer=CustomerFactory(name=name))
    out = io.StringIO()

    invoices_csv_write(start=datetime.date(2026, 1, 1), end=datetime.date(2026, 1, 31), out=out)

    (row,) = _rows(out.getvalue())
    assert row["customer"] == "'" + name
    assert row["number"] == invoice.number


def test_the_download_neutralises_formulas_and_keeps_negative_amounts_numbers(client):
    invoice = contract_invoiced(customer=CustomerFactory(name="-2+3"))
    Invoice.objects.filter(pk=invoice.pk).update(  # a credit, as a change-log decrease writes
        subtotal=Decimal("-125"), tax_total=Decimal("-25"), total=Decimal("-150")
    )
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="view_invoice"))
    client.force_login(user)

    response = client.get("/invoices/export.csv", {"start": "2026-01-01", "end": "2026-01-31"})

    (row,) = _rows(b"".join(response.streaming_content).decode())
    assert row["customer"] == "'-2+3"
    assert (row["subtotal"], row["tax_total"], row["total"]) == ("-125.00", "-25.00", "-150.00")


def test_amounts_are_plain_figures_at_the_minor_unit_rounded_half_up():
    invoice = contract_invoiced()
    Invoice.objects.filter(pk=invoice.pk).update(  # stored with four decimals
        subtotal=Decimal("1234567.0050"),
        tax_total=Decimal("-548.8000"),
        total=Decimal("1234018.2050"),
    )
    out = io.StringIO()

    invoices_csv_write(start=datetime.date(2026, 1, 1), end=datetime.date(2026, 1, 31), out=out)

    (row,) = _rows(out.getvalue())
    # No grouping, "." for decimals, ASCII minus, never four decimals, half-up (not half-even).
    assert (row["subtotal"], row["tax_total"], row["total"]) == (
        "1234567.01",
        "-548.80",
        "1234018.21",
    )
    assert row["currency"] == "EUR"
