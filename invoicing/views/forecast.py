"""The forecast page and its CSV: what the schedules ahead will invoice, per month and
currency (issue 14, item 6)."""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from billing_site.csv_safety import SafeCsvWriter
from invoicing.money_format import money_figure
from invoicing.post_invoicing.export import EchoLines
from invoicing.selectors.forecast import Forecast, forecast_build
from invoicing.services.forecast import forecast_refresh

CSV_HEADER = ["Month", "Currency", "Invoices", "Subtotal", "Tax", "Total"]
DUE_NOW = "Due now"


@require_GET
@login_required
@permission_required("invoicing.view_invoice", raise_exception=True)
def forecast(request) -> HttpResponse:
    return render(request, "invoicing/forecast.html", {"forecast": _forecast_now()})


@require_GET
@login_required
@permission_required("invoicing.view_invoice", raise_exception=True)
def forecast_csv(request) -> HttpResponse:
    """The page's table as CSV: a row per month and currency, then the totals."""
    forecast = _forecast_now()
    writer = SafeCsvWriter(EchoLines())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in forecast_csv_rows(forecast)),
        content_type="text/csv",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="forecast_{forecast.today.isoformat()}.csv"'
    )
    return response


def _forecast_now() -> Forecast:
    """The kept cycles brought up to date with the latest writes, then read."""
    today = timezone.localdate()
    forecast_refresh(today=today)
    return forecast_build(today)


def forecast_csv_rows(forecast: Forecast) -> Iterator[list[str]]:
    """Amounts as plain figures at the currency's minor unit (a spreadsheet sums them),
    months as YYYY-MM."""
    yield CSV_HEADER
    for month, cells in forecast.by_month:
        label = DUE_NOW if month is None else f"{month:%Y-%m}"
        for cell in cells:
            yield [label, cell.currency, str(cell.invoices), *_figures(cell)]
    for total in forecast.totals:
        yield ["Total", total.currency, str(total.invoices), *_figures(total)]


def _figures(row) -> list[str]:
    return [
        money_figure(amount, row.currency) for amount in (row.subtotal, row.tax_total, row.total)
    ]
