"""The home dashboard: what needs a billing manager's attention today."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from invoicing.selectors.dashboard import ATTENTION_ROWS
from tests.factories import GenerationJobFactory, GenerationRunFactory
from tests.invoicing.helpers import active_contract

D = datetime.date
pytestmark = pytest.mark.django_db
DASHBOARD = reverse("invoicing:dashboard")


def cycles_of(attention_list) -> list[tuple[str, int]]:
    return [(s.contract.number, s.cycle_index) for s in attention_list.rows]


def test_pending_schedules_whose_invoice_date_has_come_are_listed_as_not_invoiced(
    manager_client, contract
):
    attention = manager_client.get(DASHBOARD).context["attention"]

    # Keeping ahead left January to March Pending: the nightly job never ran.
    assert cycles_of(attention.not_invoiced) == [(contract.number, i) for i in (0, 1, 2)]
    assert attention.not_invoiced.count == 3


def test_invoices_due_in_the_next_seven_days_are_listed(manager_client, today):
    soon = active_contract(start=D(2025, 12, 20), as_of=today)  # cycle 3 invoices on 21 Mar
    active_contract(start=D(2025, 12, 25), as_of=today)  # 26 Mar: beyond the week

    attention = manager_client.get(DASHBOARD).context["attention"]

    assert cycles_of(attention.upcoming) == [(soon.number, 3)]


def test_schedules_whose_offset_crosses_a_month_boundary_are_flagged(manager_client, today):
    crossing = active_contract(as_of=today, invoice_offset_days=-3)  # 1 Apr anchor → 29 Mar
    active_contract(as_of=today, invoice_offset_days=3)  # 1 Apr → 4 Apr: same month

    attention = manager_client.get(DASHBOARD).context["attention"]

    assert {number for number, _ in cycles_of(attention.month_boundary)} == {crossing.number}
    assert all(
        s.invoice_date.month != s.next_invoice_date.month for s in attention.month_boundary.rows
    )


def test_failed_jobs_of_the_last_week_are_listed_with_their_message(
    manager_client, contract, today
):
    recent = GenerationRunFactory(trigger="nightly", as_of_date=today, status="finished")
    old = GenerationRunFactory(
        trigger="nightly", as_of_date=today - datetime.timedelta(days=30), status="finished"
    )
    GenerationJobFactory(
        run=recent, contract=contract, status="failed", message="Line “x” has no unit price."
    )
    GenerationJobFactory(run=old, contract=contract, status="failed", message="Long ago")

    response = manager_client.get(DASHBOARD)

    assert [job.run for job in response.context["attention"].failed_jobs.rows] == [recent]
    assert "Line “x” has no unit price." in response.content.decode()


def test_each_list_shows_a_few_rows_and_counts_them_all(
    manager_client, today, django_assert_max_num_queries
):
    for _ in range(5):
        active_contract(as_of=today)

    # Session, user, permissions (2), then rows and count for three lists, rows for the fourth.
    with django_assert_max_num_queries(11):
        attention = manager_client.get(DASHBOARD).context["attention"]

    assert len(attention.not_invoiced.rows) == ATTENTION_ROWS
    assert attention.not_invoiced.count == 15
