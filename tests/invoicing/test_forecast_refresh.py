"""The kept forecast follows every write, whoever makes it: each is read on the next visit,
and the rows refreshed one write at a time are the rows a first drafting of the whole book
writes."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction

from billing_site.bulk import copy_rows
from contracts.models import BillingContract, ContractChange, ContractLine
from invoicing.models import ForecastBook, ForecastStale, ForecastUndrafted
from invoicing.selectors.forecast import forecast_build
from invoicing.services.forecast import forecast_refresh
from schedules.models import BillingSchedule
from schedules.services import contract_line_change_quantity, contract_save, schedules_keep_ahead
from schedules.services.periods import posting_period_close, posting_period_reopen
from tests.conftest import wait_until
from tests.contracts.test_admin_contract_save import post_change
from tests.factories import AdminFactory, ContractLineFactory
from tests.invoicing.helpers import (
    active_contract,
    contract_with_line,
    forecast_read,
    forecast_rebuilt,
    forecast_rows,
    run_nightly,
)

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def book(today):
    """On 15 March 2026, no run since 1 March: January to March of "eur" due now."""
    arrears = contract_with_line(
        start_date=D(2026, 2, 15),
        billing_frequency="quarterly",
        billing_timing="arrears",
        currency="USD",
        unit_price="99.99",
    )
    schedules_keep_ahead(as_of=D(2026, 3, 1), contract_ids=[arrears.pk])
    return {
        "eur": active_contract(as_of=D(2026, 3, 1)),
        "arrears": arrears,
        # Invoiced on the 20th: March's is not due yet on the 15th.
        "late": active_contract(start=D(2026, 1, 19), as_of=D(2026, 3, 1), unit_price="7.77"),
        "jpy": active_contract(
            start=D(2026, 4, 1), as_of=D(2026, 3, 1), currency="JPY", unit_price="333"
        ),
    }


def quantity_changed(book):
    line = book["eur"].lines.get()
    contract_line_change_quantity(line=line, quantity=Decimal(4), effective_date=D(2026, 6, 10))


def line_added(book):
    ContractLineFactory(
        contract=book["jpy"],
        unit_price=Decimal(100),
        tax_rate=Decimal(10),
        start_date=D(2026, 9, 1),
    )


def contract_ended(book):
    contract = book["arrears"]
    contract.status = BillingContract.Status.ENDED
    contract_save(contract=contract, changed_fields={"status"})


def invoiced_by_a_run(book):
    run_nightly(D(2026, 3, 15))


def change_logged(book):
    ContractChange.objects.create(
        line=book["late"].lines.get(),
        effective_date=D(2026, 5, 10),
        quantity_before=Decimal(2),
        quantity_after=Decimal(10),
    )


def raw_sql(book):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE contracts_contractline SET unit_price = unit_price * 2 WHERE contract_id = %s",
            [book["jpy"].pk],
        )


def copied(book):
    columns = ("contract_id", "position", "description", "quantity", "unit_price", "tax_rate")
    copy_rows(ContractLine, columns, [(book["eur"].pk, 1, "Copied", 1, Decimal(5), 0)])


def line_deleted(book):
    """The contract is left with no line: it cannot be drafted, and is named."""
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM contracts_contractline WHERE contract_id = %s", [book["jpy"].pk]
        )


def month_closed(book):
    posting_period_close(month=D(2026, 3, 1), user=None, door="command", today=D(2026, 3, 15))


@pytest.mark.parametrize(
    "write",
    [
        quantity_changed,
        line_added,
        contract_ended,
        invoiced_by_a_run,
        change_logged,
        raw_sql,
        copied,
        line_deleted,
        month_closed,
    ],
)
def test_a_write_is_read_next_time_as_a_first_drafting_would_read_it(write, book, today):
    before = forecast_read(today)
    rows_before = forecast_rows()

    write(book)
    after = forecast_read(today)

    assert after != before
    assert forecast_rows() != rows_before
    assert forecast_rows() == forecast_rebuilt(today)
    assert forecast_build(today) == after


def test_a_line_edited_in_admin_is_read_next_time(book, today, client):
    client.force_login(AdminFactory())
    before = forecast_read(today)

    response = post_change(client, book["jpy"], **{"lines-0-unit_price": "400"})
    after = forecast_read(today)

    assert response.status_code == 302
    jpy = {total.currency: total.subtotal for total in after.totals}["JPY"]
    assert jpy == {total.currency: total.subtotal for total in before.totals}["JPY"] / 333 * 400
    assert forecast_rows() == forecast_rebuilt(today)


def test_a_month_closed_then_reopened_dates_the_invoices_as_before(book, today):
    before = forecast_read(today)
    rows_before = forecast_rows()
    month_closed(book)
    closed = forecast_read(today)
    posting_period_reopen(month=D(2026, 3, 1), user=None, door="command")

    reopened = forecast_read(today)

    march = {cell.month: cell.invoices for cell in closed.ahead if cell.currency == "EUR"}
    assert D(2026, 3, 1) not in march  # the 20 March invoice moved to 1 April
    assert reopened == before and forecast_rows() == rows_before


def test_bookkeeping_drafting_does_not_read_marks_no_contract_stale(book):
    ForecastStale.objects.all().delete()
    BillingContract.objects.update(next_invoice_date=D(2030, 1, 1), auto_send=True)
    ContractLine.objects.update(description="Renamed")
    assert not ForecastStale.objects.exists()

    BillingContract.objects.filter(pk=book["eur"].pk).update(payment_terms_days=45)
    assert list(ForecastStale.objects.values_list("contract_id", flat=True)) == [book["eur"].pk]


def test_a_cycle_that_cannot_be_drafted_beyond_the_window_leaves_the_contract_forecast(book, today):
    annual = active_contract(start=D(2026, 3, 20), as_of=today, billing_frequency="annual")
    before = forecast_read(today)
    # Its second cycle (invoiced 21 March 2027) is stored out of date: a run refuses the
    # contract from that night on, but every night of the window (to February 2027) bills
    # its first cycle. The second is drafted only because the months ahead are.
    BillingSchedule.objects.filter(contract=annual, cycle_index=1).update(period_end=D(2028, 3, 18))

    after = forecast_read(today)

    assert after == before and not after.undrafted
    failed = ForecastUndrafted.objects.get()
    assert (failed.contract_id, failed.due_day) == (annual.pk, D(2027, 3, 21))


@pytest.mark.django_db(transaction=True)
def test_two_refreshes_at_once_draft_the_book_once(today):
    for _ in range(3):
        active_contract(as_of=D(2026, 3, 1))
    forecast_refresh(today=today)
    ForecastBook.objects.update(horizon=None)  # both find the whole book to draft again
    first_drafted, first_may_commit, results = threading.Event(), threading.Event(), {}

    def refresh(name: str, hold: bool) -> None:
        try:
            with transaction.atomic():
                results[name] = forecast_refresh(today=today)
                if hold:  # keep the book locked until the second is seen waiting for it
                    first_drafted.set()
                    first_may_commit.wait(30)
        finally:
            connections.close_all()

    first = threading.Thread(target=refresh, args=("first", True))
    first.start()
    assert first_drafted.wait(30)
    second = threading.Thread(target=refresh, args=("second", False))
    second.start()
    with connection.cursor() as cursor:

        def second_waits() -> bool:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            return cursor.fetchone()[0] == 1

        wait_until(second_waits, 30)
    first_may_commit.set()
    first.join(30)
    second.join(30)

    assert results["first"].drafted == 3
    assert results["second"].drafted == results["second"].extended == 0
    assert sum(cell.invoices for cell in forecast_build(today).cells) == 3 * 14
