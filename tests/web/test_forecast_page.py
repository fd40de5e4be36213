"""The forecast page and its CSV (issue 14, item 6): viewers see it, the CSV is the page's
table, a contract that cannot be drafted is named."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import strategies as st

from invoicing.selectors.forecast import forecast_build
from tests.invoicing.helpers import active_contract
from tests.web.test_bad_input_properties import dates, form_data, hammer, numbers, texts

pytestmark = pytest.mark.django_db
PAGE = reverse("invoicing:forecast")
CSV = reverse("invoicing:forecast_csv")
D = datetime.date


@pytest.fixture
def book(today):
    """On 15 March 2026, no run since 1 March: a EUR contract with January to March due
    now, and a JPY one starting in April."""
    return {
        "eur": active_contract(as_of=D(2026, 3, 1)),
        "jpy": active_contract(
            start=D(2026, 4, 1), as_of=D(2026, 3, 1), currency="JPY", unit_price="333"
        ),
    }


def test_a_viewer_sees_due_now_every_month_and_the_totals(book, viewer_client):
    response = viewer_client.get(PAGE)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'aria-current="page">Forecast</a>' in page
    assert "Due now" in page
    assert "March 2026" in page and "February 2027" in page
    assert "drafted exactly as generation would" in page
    forecast = response.context["forecast"]
    due_now = {cell.currency: cell.invoices for cell in forecast.due_now}
    assert due_now == {"EUR": 3}  # the cycles invoiced on 2 January, 2 February, 2 March
    totals = {total.currency: total.invoices for total in forecast.totals}
    assert totals == {"EUR": 3 + 11, "JPY": 11}  # April 2026 to February 2027, both


def test_the_csv_is_the_table_of_the_page(book, viewer_client, today):
    response = viewer_client.get(CSV)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert 'filename="forecast_2026-03-15.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    forecast = forecast_build(today)
    expected = [["Month", "Currency", "Invoices", "Subtotal", "Tax", "Total"]]
    for month, cells in forecast.by_month:
        label = "Due now" if month is None else f"{month:%Y-%m}"
        expected += [
            [label, c.currency, str(c.invoices), str(c.subtotal), str(c.tax_total), str(c.total)]
            for c in cells
        ]
    expected += [
        ["Total", t.currency, str(t.invoices), str(t.subtotal), str(t.tax_total), str(t.total)]
        for t in forecast.totals
    ]
    assert rows == expected
    assert ["Due now", "EUR", "3", "375.00", "75.00", "450.00"] in rows
    assert ["2026-04", "JPY", "1", "3330", "666", "3996"] in rows


def test_a_month_that_invoices_nothing_says_so(today, viewer_client):
    active_contract(start=D(2026, 1, 1), as_of=D(2026, 3, 1), billing_frequency="annual")

    response = viewer_client.get(PAGE)

    # January 2026 is due now, January 2027 is invoiced on the 2nd: the 11 others say so.
    assert response.content.decode().count("Nothing to invoice") == 11


def test_a_contract_that_cannot_be_drafted_is_named_and_left_out(book, viewer_client):
    book["eur"].lines.update(unit_price=None)

    page = viewer_client.get(PAGE).content.decode()

    assert "1 contract cannot be drafted and is left out" in page
    assert book["eur"].number in page


def test_only_billing_users_signed_in_see_it(book, outsider_client, client):
    for url in (PAGE, CSV):
        assert outsider_client.get(url).status_code == 403
        assert client.get(url).status_code == 302  # to the sign-in page


def test_it_only_answers_reads(book, manager_client):
    assert manager_client.post(PAGE).status_code == 405
    assert manager_client.post(CSV).status_code == 405


def test_any_query_string_is_ignored_never_answers_500(book, manager):
    client = Client(raise_request_exception=False)
    client.force_login(manager)
    data = form_data(month=dates, currency=st.sampled_from(["EUR", "JPY"]) | texts, page=numbers)
    hammer(client, "forecast", "get", PAGE, data)
    hammer(client, "forecast CSV", "get", CSV, data)


def test_the_page_shows_a_write_made_since_the_last_visit(book, viewer_client):
    viewer_client.get(PAGE)
    book["jpy"].lines.update(quantity=2)  # straight SQL: no service to tell the forecast

    forecast = viewer_client.get(PAGE).context["forecast"]

    jpy = {total.currency: total for total in forecast.totals}["JPY"]
    assert (jpy.invoices, jpy.subtotal) == (11, 11 * 2 * 333)
