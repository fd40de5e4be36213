"""Pages of issue 13's item 5 and "Also": the reason a cycle gets no invoice, and the
invoiced cycle that runs past its contract's end."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from invoicing import errors
from invoicing.drafting import cycle_label
from schedules.services import contract_save
from tests.invoicing.helpers import active_contract, billing_state, invoices_of, run_nightly
from tests.web.helpers import form_as_shown, generate_url, messages_of

D = datetime.date
pytestmark = pytest.mark.django_db

FEBRUARY = cycle_label(D(2026, 2, 1), D(2026, 2, 28))


@pytest.fixture
def line_ended_in_january(today):
    contract = active_contract(as_of=today)
    contract.lines.update(end_date=D(2026, 1, 31))
    run_nightly(today)
    return contract


def test_the_generate_page_shows_why_a_cycle_gets_no_invoice_and_blocks_it(
    manager_client, line_ended_in_january
):
    response = manager_client.get(generate_url(line_ended_in_january), {"cycle": 1})

    review = response.context["review"]
    assert review.choice.state.label == "Nothing to bill"
    assert review.nothing_to_bill == errors.NOTHING_TO_BILL.format(cycle=FEBRUARY)
    assert not review.can_generate
    page = response.content.decode()
    assert 'data-notice="nothing-to-bill"' in page
    assert "Nothing to bill in cycle" in page


def test_generating_a_cycle_with_nothing_to_bill_is_refused_with_the_reason(
    manager_client, line_ended_in_january
):
    data = form_as_shown(manager_client, line_ended_in_january, cycle=1)
    before = billing_state()

    response = manager_client.post(generate_url(line_ended_in_january), data)

    assert billing_state() == before
    assert messages_of(response) == [errors.NOTHING_TO_BILL.format(cycle=FEBRUARY)]


def test_the_contract_page_says_a_cycle_had_nothing_to_bill(manager_client, line_ended_in_january):
    url = reverse("contracts:detail", args=[line_ended_in_january.pk])

    page = manager_client.get(url, {"schedules": "inactive"}).content.decode()

    assert "Inactive / Nothing to bill" in page


@pytest.fixture
def ended_inside_march(today):
    """Invoiced in advance up to March, then ended on 20 March."""
    contract = active_contract(as_of=today)
    run_nightly(today)
    contract.end_date = D(2026, 3, 20)
    contract_save(contract=contract, changed_fields={"end_date"})
    return contract


def test_the_contract_page_names_the_invoice_past_the_end_and_its_uncredited_days(
    manager_client, ended_inside_march
):
    march = invoices_of(ended_inside_march)[-1]

    response = manager_client.get(reverse("contracts:detail", args=[ended_inside_march.pk]))

    page = response.content.decode()
    assert 'data-notice="invoiced-past-end"' in page
    assert f'Invoice <a href="{reverse("invoicing:invoice_detail", args=[march.pk])}">' in page
    assert "bills 11 days after the contract's end" in page


def test_the_dashboard_counts_and_lists_invoices_past_the_contract_end(
    manager_client, ended_inside_march
):
    march = invoices_of(ended_inside_march)[-1]

    response = manager_client.get(reverse("invoicing:dashboard"))

    listed = response.context["attention"].past_contract_end
    assert listed.count == 1
    assert [(row.invoice, row.uncredited_days) for row in listed.rows] == [(march, 11)]
    assert march.number in response.content.decode()
