"""The forecast is what the nightly runs then generate, month by month and currency by
currency (issue 14, item 6)."""

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contracts.models import BillingContract
from invoicing.models import Invoice
from invoicing.selectors.forecast import forecast_build, forecast_months
from invoicing.services import forecast as forecast_service
from invoicing.services.forecast import forecast_refresh
from schedules.models import BillingSchedule
from schedules.services import contract_line_change_quantity
from schedules.services.periods import posting_period_close
from tests.factories import ContractLineFactory
from tests.invoicing.helpers import (
    contract_with_line,
    forecast_read,
    forecast_rebuilt,
    forecast_rows,
    run_nightly,
)

D = datetime.date
pytestmark = pytest.mark.django_db

TODAY = D(2027, 1, 10)
# The nightly ran last a month ago: the cycles dated since are due now.
LAST_RUN = D(2026, 12, 10)


def book():
    """Contracts covering the edge cases, invoiced by the nightly up to LAST_RUN."""
    contracts = {
        "monthly advance": contract_with_line(start_date=D(2026, 1, 1)),
        "quarterly arrears USD": contract_with_line(
            start_date=D(2026, 2, 15),
            billing_frequency="quarterly",
            billing_timing="arrears",
            currency="USD",
            unit_price="99.99",
        ),
        # In arrears, +5 days: a cycle ending on 31 March is invoiced on 5 April.
        "offset crosses month": contract_with_line(
            start_date=D(2026, 1, 1),
            billing_timing="arrears",
            invoice_offset_days=5,
            unit_price="7.77",
            tax_rate="7",
        ),
        # In advance, -3 days: the April cycle is invoiced on 29 March.
        "negative offset": contract_with_line(
            start_date=D(2026, 1, 1), invoice_offset_days=-3, unit_price="3.33"
        ),
        "annual": contract_with_line(
            start_date=D(2026, 6, 1), billing_frequency="annual", unit_price="1200"
        ),
        # JPY rounds to the yen; the contract ends mid-cycle, so its last cycle is prorated.
        "jpy ending": contract_with_line(
            start_date=D(2026, 1, 31),
            currency="JPY",
            unit_price="333",
            quantity="1",
            tax_rate="10",
            end_date=D(2027, 6, 17),
        ),
        "line ending": contract_with_line(start_date=D(2026, 1, 1), unit_price="40"),
        "quantity change": contract_with_line(start_date=D(2026, 1, 1), unit_price="19.90"),
        "draft": contract_with_line(status="draft"),
    }
    # A second line ends mid-window (prorated, then gone); the first ends too, later, so
    # the cycles after it have nothing to bill.
    line_ending = contracts["line ending"]
    ContractLineFactory(contract=line_ending, unit_price=Decimal("15.55"), end_date=D(2027, 4, 12))
    line_ending.lines.filter(unit_price=Decimal("40")).update(end_date=D(2027, 8, 20))
    run_nightly(LAST_RUN)
    # Recorded now, effective in the window: the cycle it falls in is split.
    contract_line_change_quantity(
        line=contracts["quantity change"].lines.get(),
        quantity=Decimal("4"),
        effective_date=D(2027, 3, 14),
    )
    return contracts


def generated_per_bucket(today):
    """What the invoices generated from `today` on add up to, keyed as the forecast is:
    (first day of the month, or None for those dated before today, currency)."""
    sums = defaultdict(lambda: [0, Decimal(0), Decimal(0), Decimal(0)])
    for invoice in Invoice.objects.filter(created_at__isnull=False, invoice_date__gt=LAST_RUN):
        month = None if invoice.invoice_date < today else invoice.invoice_date.replace(day=1)
        cell = sums[(month, invoice.currency)]
        cell[0] += 1
        cell[1] += invoice.subtotal
        cell[2] += invoice.tax_total
        cell[3] += invoice.total
    return {key: tuple(value) for key, value in sums.items()}


def forecast_per_bucket(forecast):
    return {
        (cell.month, cell.currency): (cell.invoices, cell.subtotal, cell.tax_total, cell.total)
        for cell in forecast.cells
    }


def test_the_forecast_is_what_the_nightly_runs_then_generate_month_by_month():
    book()
    forecast = forecast_read(TODAY)
    assert not forecast.undrafted
    assert forecast.contracts == 8  # the draft contract is left out

    # Each month's last night catches up the month, dating each invoice on its Invoice Date.
    for month in forecast_months(TODAY):
        run_nightly(month + relativedelta(months=1) - datetime.timedelta(days=1))

    assert forecast_per_bucket(forecast) == generated_per_bucket(TODAY)
    assert {cell.currency for cell in forecast.cells} == {"EUR", "USD", "JPY"}
    assert forecast.due_now  # a month without a run left cycles due
    totals = {total.currency: total for total in forecast.totals}
    assert totals["EUR"].invoices == sum(
        cell.invoices for cell in forecast.cells if cell.currency == "EUR"
    )


def test_jpy_is_rounded_to_the_yen_and_the_cut_last_cycle_prorated():
    book()
    forecast = forecast_read(TODAY)
    jpy = {cell.month: cell for cell in forecast.cells if cell.currency == "JPY"}
    # Cycle 31 May – 29 June (invoiced 1 June) is cut at 17 June: 18 of 30 days of 333 yen
    # is 199.8 → 200, and 10 % of it 20.
    june = jpy[D(2027, 6, 1)]
    assert (june.invoices, june.subtotal, june.tax_total) == (1, Decimal(200), Decimal(20))
    assert all(cell.subtotal == cell.subtotal.to_integral_value() for cell in jpy.values())
    assert D(2027, 7, 1) not in jpy  # the contract has ended


def test_a_cycle_with_nothing_to_bill_and_a_contract_not_active_count_for_nothing():
    contracts = book()
    before = forecast_read(TODAY)
    contracts["monthly advance"].lines.update(end_date=D(2026, 12, 31))
    BillingContract.objects.filter(pk=contracts["annual"].pk).update(status="cancelled")
    after = forecast_read(TODAY)

    def eur_invoices(forecast):
        return sum(cell.invoices for cell in forecast.cells if cell.currency == "EUR")

    # The monthly contract's January (due now) to December 2027, and the annual June.
    assert eur_invoices(before) - eur_invoices(after) == 12 + 1
    assert after.contracts == before.contracts - 1


def test_a_contract_that_cannot_be_drafted_is_listed_and_left_out():
    contracts = book()
    contracts["monthly advance"].lines.update(unit_price=None)
    forecast = forecast_read(TODAY)
    number = contracts["monthly advance"].number
    assert number in forecast.undrafted
    assert "price" in forecast.undrafted[number]
    assert forecast.cells  # the others are forecast


def test_cycles_beyond_the_kept_schedules_are_forecast_without_being_stored():
    contract = contract_with_line(start_date=D(2026, 1, 1))
    run_nightly(LAST_RUN)
    stored = BillingSchedule.objects.filter(contract=contract).count()
    forecast = forecast_read(TODAY)
    # January 2027 was due on 2 January: due now, then one invoice each month to December.
    assert [cell.invoices for cell in forecast.due_now] == [1]
    assert [cell.month for cell in forecast.ahead] == forecast_months(TODAY)[1:]
    assert all(cell.total == Decimal("150.00") for cell in forecast.cells)
    assert BillingSchedule.objects.filter(contract=contract).count() == stored


def test_reading_the_forecast_is_three_queries_whatever_the_book(monkeypatch):
    monkeypatch.setattr(forecast_service, "CONTRACTS_PER_CHUNK", 2)
    for _ in range(5):
        contract_with_line(start_date=D(2026, 1, 1))
    run_nightly(LAST_RUN)
    forecast_refresh(today=TODAY)  # the first drafting: 3 chunks of the 5 contracts
    with CaptureQueriesContext(connection) as queries:
        refreshed = forecast_refresh(today=TODAY)
        forecast = forecast_build(TODAY)
    assert (refreshed.drafted, refreshed.extended) == (0, 0)  # nothing changed since
    # The refresh: the book locked, the closed months, the stale contracts taken; then the
    # GROUP BY, the contracts that cannot be drafted and the active ones counted (the
    # test's own transaction adds a savepoint around the refresh).
    statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 3 + 3, statements
    assert forecast.contracts == 5 and sum(c.invoices for c in forecast.cells) == 5 * 12


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_redrafts_its_contract_only():
    """Each write below commits on its own, as a page or the nightly run would."""
    first = contract_with_line(start_date=D(2026, 1, 1))
    contract_with_line(start_date=D(2026, 1, 20))  # invoiced on the 21st of each month
    run_nightly(LAST_RUN)
    before = forecast_read(TODAY)

    first.lines.update(unit_price=Decimal("25.00"))
    refreshed = forecast_refresh(today=TODAY)
    after = forecast_build(TODAY)

    assert refreshed.drafted == 1
    (before_total,), (after_total,) = before.totals, after.totals
    # 12 invoices of the first contract (January due now, February to December) at
    # 10 × 12.50 more, plus 20 % tax.
    assert after_total.total - before_total.total == 12 * Decimal("150.00")


def test_a_closed_month_moves_the_forecast_invoices_as_it_moves_generation():
    contract_with_line(start_date=D(2026, 1, 20))  # invoiced on the 21st of each month
    run_nightly(LAST_RUN)
    before = forecast_read(TODAY)
    january = [cell for cell in before.cells if cell.month == D(2027, 1, 1)]
    posting_period_close(month=D(2027, 1, 1), user=None, door="command", today=TODAY)

    after = forecast_read(TODAY)

    # January's invoice (21 January, not due yet) moves to February's first day.
    assert january and not [cell for cell in after.cells if cell.month == D(2027, 1, 1)]
    february = {cell.month: cell.invoices for cell in after.cells}[D(2027, 2, 1)]
    assert february == 2


def _on(day: datetime.date):
    """The clock at noon on `day`, so the billing time zone's date is `day`."""
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(12), datetime.UTC))


@pytest.mark.parametrize("later", [D(2027, 1, 2), D(2027, 1, 6), D(2027, 1, 30), D(2027, 1, 31)])
def test_the_forecast_drafted_on_the_first_reads_later_that_month_as_drafted_fresh(later):
    book()
    # Late invoices are moved out of December and January to 1 February: the month an
    # invoice carries is not the month it falls due in.
    for month in (D(2026, 12, 1), D(2027, 1, 1)):
        posting_period_close(month=month, user=None, door="command", today=D(2027, 1, 1))
    with _on(D(2027, 1, 1)):
        first = forecast_read(timezone.localdate())  # the early-morning warm-up

    with _on(later):
        refreshed = forecast_refresh(today=timezone.localdate())
        kept = forecast_build(timezone.localdate()), forecast_rows()
        fresh = forecast_rebuilt(timezone.localdate())

    assert refreshed.drafted == refreshed.extended == 0  # nothing drafted again
    assert kept == (forecast_build(later), fresh)
    # Cycles falling due since the first moved into the due-now bucket.
    assert sum(c.invoices for c in kept[0].due_now) > sum(c.invoices for c in first.due_now)


def test_a_new_month_is_read_from_the_months_drafted_ahead():
    book()
    with _on(D(2027, 1, 31)):
        january = forecast_read(timezone.localdate())
    with _on(D(2027, 2, 1)):
        refreshed = forecast_refresh(today=timezone.localdate())
        february = forecast_build(timezone.localdate())
        fresh = forecast_rebuilt(timezone.localdate()), forecast_build(timezone.localdate())

    assert refreshed.drafted == refreshed.extended == 0  # January 2028 was drafted ahead
    assert february.months[-1] == D(2028, 1, 1) and january.months[-1] == D(2027, 12, 1)
    assert {c.month for c in february.ahead} - {c.month for c in january.ahead} == {D(2028, 1, 1)}
    assert february == fresh[1]


def test_the_warm_up_drafts_the_month_ahead_as_one_begins_as_a_first_drafting_would():
    book()
    forecast_refresh(today=TODAY)  # drafted to the end of February 2028
    later = D(2027, 2, 3)
    refreshed = forecast_refresh(today=later, warm_up=True)
    extended = forecast_rows()

    assert refreshed.horizon == D(2028, 3, 31)
    assert refreshed.extended == 8 and refreshed.drafted == 0  # every active contract
    assert extended == forecast_rebuilt(later)
