"""A contract ended inside a cycle invoiced in advance: the invoice is shown as exceeding it
until credit notes exist (issue 13, "Also")."""

import datetime

import pytest

from invoicing.models import Invoice
from invoicing.selectors.dashboard import (
    attention_today,
    contract_invoices_past_end,
    invoices_past_contract_end,
)
from schedules.models import BillingSchedule
from schedules.services import contract_save
from tests.invoicing.helpers import contract_with_line, invoices_of, run_nightly

D = datetime.date
pytestmark = pytest.mark.django_db


def invoiced_to_march(**terms):
    """Monthly in advance from 1 Jan 2026, invoiced up to March's cycle."""
    contract = contract_with_line(start_date=D(2026, 1, 1), **terms)
    run_nightly(D(2026, 3, 2))
    return contract


def end_contract(contract, day):
    contract.end_date = day
    contract_save(contract=contract, changed_fields={"end_date"})


def test_ending_a_contract_inside_an_invoiced_cycle_shows_the_invoice_and_its_uncredited_days():
    contract = invoiced_to_march()
    march = invoices_of(contract)[-1]

    end_contract(contract, D(2026, 3, 20))

    (past_end,) = contract_invoices_past_end(contract=contract)
    assert past_end.invoice == march
    assert past_end.first_uncredited_day == D(2026, 3, 21)
    assert past_end.uncredited_days == 11
    # The invoiced schedule's period is left uncut: only a credit note may change it.
    schedule = BillingSchedule.objects.get(contract=contract, cycle_index=2)
    assert schedule.period_end == D(2026, 3, 31)


def test_a_cycle_invoiced_wholly_after_the_end_counts_all_its_days():
    contract = invoiced_to_march(invoice_offset_days=-5)  # April invoiced on 27 March
    run_nightly(D(2026, 3, 27))

    end_contract(contract, D(2026, 3, 20))

    days = {
        row.invoice.period_start: row.uncredited_days
        for row in contract_invoices_past_end(contract=contract)
    }
    assert days == {D(2026, 3, 1): 11, D(2026, 4, 1): 30}


def test_an_invoice_ending_on_the_contract_end_or_a_replaced_one_is_not_shown():
    contract = invoiced_to_march()
    end_contract(contract, D(2026, 3, 31))
    assert contract_invoices_past_end(contract=contract) == []

    other = invoiced_to_march()
    end_contract(other, D(2026, 3, 20))
    Invoice.objects.filter(contract=other).update(status=Invoice.Status.VOID)
    assert contract_invoices_past_end(contract=other) == []


def test_an_open_ended_contract_costs_the_contract_page_no_query(django_assert_num_queries):
    contract = invoiced_to_march()

    with django_assert_num_queries(0):
        assert contract_invoices_past_end(contract=contract) == []


def test_the_dashboard_lists_a_few_and_counts_them_all_in_one_query(django_assert_num_queries):
    for _ in range(12):
        end_contract(invoiced_to_march(), D(2026, 3, 20))
    assert invoices_past_contract_end().count() == 12

    # One query per list, this one included: its rows carry the count.
    with django_assert_num_queries(5):
        listed = attention_today(as_of=D(2026, 3, 25)).past_contract_end
        names = [row.invoice.contract.customer.name for row in listed.rows]

    assert listed.count == 12
    assert len(names) == 10
