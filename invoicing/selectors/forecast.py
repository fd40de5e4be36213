"""The forecast: what the schedules ahead will invoice, per month and currency, drafted
exactly as generation would.

Every cycle of an active contract whose Invoice Date falls before the end of the window
(this month and the 11 after it) is drafted with `draft_regular_invoice` over the rows
`billing_data_load` reads, the very calls the nightly batch makes (`forecast_drafting`). A
cycle whose draft bills nothing gets no invoice, so it counts for nothing; a contract that
cannot be drafted (a line without a price, a schedule out of date) fails whole, as in a
run, and is listed.

Pending cycles whose Invoice Date is already past are due now: the next run bills them,
so they form a bucket of their own ahead of the months.

The drafted cycles are kept in PostgreSQL (`ForecastCycle`, written by `forecast_refresh`,
which the doors call first), so reading the forecast is one GROUP BY over them, the
contracts that cannot be drafted and the count of active contracts: three queries, and
no drafting, whatever the size of the book.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import connection

from contracts.models import BillingContract
from invoicing.forecasting.models import ForecastCycle, ForecastUndrafted
from invoicing.money import quantum

FORECAST_MONTHS = 12
# Contracts that cannot be drafted, listed by number on the page; the rest are counted.
UNDRAFTED_SHOWN = 20


@dataclass(frozen=True)
class ForecastCell:
    """What one month (or the due-now bucket: `month` None) will invoice in one currency."""

    month: date | None
    currency: str
    invoices: int
    subtotal: Decimal
    tax_total: Decimal

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.tax_total


@dataclass(frozen=True)
class Forecast:
    today: date
    window_end: date  # the last day of the last month forecast
    months: list[date]  # the first day of each month, in order
    cells: list[ForecastCell]  # due now first, then by month and currency
    totals: list[ForecastCell]  # per currency over the whole forecast (month None)
    undrafted: dict[str, str]  # contract number -> why it cannot be drafted
    contracts: int  # active contracts read

    @property
    def due_now(self) -> list[ForecastCell]:
        return [cell for cell in self.cells if cell.month is None]

    @property
    def ahead(self) -> list[ForecastCell]:
        return [cell for cell in self.cells if cell.month is not None]

    @property
    def undrafted_shown(self) -> list[tuple[str, str]]:
        """The first contracts that cannot be drafted, by number, with why."""
        return sorted(self.undrafted.items())[:UNDRAFTED_SHOWN]

    @property
    def by_month(self) -> list[tuple[date | None, list[ForecastCell]]]:
        """The table as the page and the CSV show it: due now (when anything is), then every
        month of the window, an empty list for a month that invoices nothing."""
        rows: list[tuple[date | None, list[ForecastCell]]] = []
        if self.due_now:
            rows.append((None, self.due_now))
        ahead = self.ahead
        for month in self.months:
            rows.append((month, [cell for cell in ahead if cell.month == month]))
        return rows


def forecast_months(today: date) -> list[date]:
    """The first day of this month and of the 11 after it."""
    first = today.replace(day=1)
    return [first + relativedelta(months=k) for k in range(FORECAST_MONTHS)]


def forecast_window_end(today: date) -> date:
    """The last day of the last month forecast as of `today`."""
    return forecast_months(today)[-1] + relativedelta(months=1) - timedelta(days=1)


# Due now by its Invoice Date, whatever date the late invoice will carry; otherwise the
# month of the date it will carry. A contract that cannot be drafted inside the window is
# left out whole, as a run fails it whole.
FORECAST_SQL = f"""
    SELECT CASE WHEN c.due_day < %(today)s THEN NULL
                ELSE date_trunc('month', c.dated_day)::date END AS month,
           c.currency, count(*), sum(c.subtotal), sum(c.tax_total)
    FROM {ForecastCycle._meta.db_table} AS c
    WHERE c.due_day <= %(window_end)s
      AND NOT EXISTS (
          SELECT 1 FROM {ForecastUndrafted._meta.db_table} AS u
          WHERE u.contract_id = c.contract_id AND u.due_day <= %(window_end)s
      )
    GROUP BY 1, 2
    ORDER BY 1 NULLS FIRST, 2
"""


def forecast_build(today: date) -> Forecast:
    """The forecast as of `today` (the billing time zone's date), read from the kept
    cycles: call `forecast_refresh` first for the latest writes."""
    months = forecast_months(today)
    window_end = forecast_window_end(today)
    with connection.cursor() as cursor:
        cursor.execute(FORECAST_SQL, {"today": today, "window_end": window_end})
        cells = [
            ForecastCell(
                month,
                currency,
                invoices,
                _money(subtotal, currency),
                _money(tax_total, currency),
            )
            for month, currency, invoices, subtotal, tax_total in cursor.fetchall()
        ]
    undrafted = dict(
        ForecastUndrafted.objects.filter(due_day__lte=window_end)
        .order_by("contract_id")
        .values_list("contract__number", "reason")
    )
    return Forecast(
        today=today,
        window_end=window_end,
        months=months,
        cells=cells,
        totals=_currency_totals(cells),
        undrafted=undrafted,
        contracts=BillingContract.objects.active().count(),
    )


def _money(amount: Decimal, currency: str) -> Decimal:
    """A sum of amounts already rounded to the currency's minor unit, at that unit (the
    table keeps four places, as invoices do)."""
    return amount.quantize(quantum(currency))


def _currency_totals(cells: Sequence[ForecastCell]) -> list[ForecastCell]:
    totals: dict[str, list] = defaultdict(lambda: [0, Decimal(0), Decimal(0)])
    for cell in cells:
        total = totals[cell.currency]
        total[0] += cell.invoices
        total[1] += cell.subtotal
        total[2] += cell.tax_total
    return [ForecastCell(None, currency, *totals[currency]) for currency in sorted(totals)]
