"""Generate all due: one run billing every due schedule of every active contract, all its
past cycles, dated by the product's rule; refusals write nothing; one open run at a time."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Count

from billing_site.errors import BillingError
from contracts.models import BillingContract
from invoicing import errors
from invoicing.models import AuditEvent, Door, GenerationRun, Invoice
from invoicing.selectors.catch_up import catch_up_counts, catch_up_summary
from invoicing.services import generation_run_execute
from invoicing.services.catch_up import catch_up_run_start
from schedules.models import BillingSchedule
from tests.invoicing.helpers import active_contract, billing_state, run_nightly

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def book(today):
    """Two EUR contracts from 1 Jan (cycles Jan, Feb, Mar due: 3 each), one USD contract from
    1 Mar (1 due), one cancelled contract (never billed)."""
    contracts = [active_contract(as_of=today) for _ in range(2)]
    contracts.append(active_contract(as_of=today, start=D(2026, 3, 1), currency="USD"))
    cancelled = active_contract(as_of=today)
    BillingContract.objects.filter(pk=cancelled.pk).update(status=BillingContract.Status.CANCELLED)
    return contracts


def start(today, **arguments):
    schedules, contracts = catch_up_counts(today)
    arguments = {"shown_schedules": schedules, "shown_contracts": contracts, **arguments}
    return catch_up_run_start(as_of=today, enqueue=False, **arguments)


def test_the_summary_counts_every_due_cycle_per_currency(book, today):
    summary = catch_up_summary(as_of=today)

    assert (summary.schedules, summary.contracts) == (7, 3)
    assert [(c.currency, c.schedules, c.contracts) for c in summary.per_currency] == [
        ("EUR", 6, 2),
        ("USD", 1, 1),
    ]
    assert [row.schedule.invoice_date for row in summary.rows] == [
        D(2026, 1, 2),
        D(2026, 1, 2),
        D(2026, 2, 2),
        D(2026, 2, 2),
        D(2026, 3, 2),
        D(2026, 3, 2),
        D(2026, 3, 2),
    ]


def test_a_late_invoice_carries_its_invoice_date_and_is_due_after_the_terms_from_it(book, today):
    oldest = catch_up_summary(as_of=today).rows[0]

    assert oldest.invoice_date == D(2026, 1, 2)
    assert oldest.due_date == D(2026, 2, 1)
    assert oldest.dated_before_today and oldest.past_due_on_arrival


def test_one_run_bills_every_due_schedule_of_every_contract_once(book, today, manager):
    run, opened = start(today, user=manager)
    generation_run_execute(run)

    assert opened and run.trigger == Door.BULK and run.parameters["catch_up"]
    assert run.counts()["succeeded"] == 3
    assert Invoice.objects.count() == 7
    assert not BillingSchedule.objects.due(today).exists()
    assert not Invoice.objects.values("schedule").annotate(n=Count("id")).filter(n__gt=1).exists()
    january = Invoice.objects.filter(period_start=D(2026, 1, 1))
    assert {(i.invoice_date, i.due_date) for i in january} == {(D(2026, 1, 2), D(2026, 2, 1))}


def test_proceed_is_audited_with_who_and_what(book, today, manager):
    run, _ = start(today, user=manager)

    event = AuditEvent.objects.get(run=run)
    assert (event.actor, event.action) == (manager, AuditEvent.Action.RUN_STARTED)
    assert "7 schedules of 3 contracts" in event.detail


def test_the_post_invoicing_choice_overrides_the_contracts(book, today):
    run, _ = start(today, post_tasks={"auto_send": True})

    assert run.parameters["post_tasks"] == {
        "auto_send": True,
        "auto_charge": False,
        "auto_sync": False,
    }


def test_a_second_proceed_while_the_run_is_open_returns_that_run(book, today):
    first, _ = start(today)

    second, opened = start(today)

    assert second == first and not opened
    assert GenerationRun.objects.count() == 1


def test_once_the_run_finished_a_new_one_may_open(book, today):
    first, _ = start(today)
    generation_run_execute(first)
    active_contract(as_of=today)  # a contract signed since: its cycles are due now

    second, opened = start(today)

    assert opened and second != first
    assert second.parameters["schedules"] == 3


def test_nothing_due_is_refused_and_opens_nothing(book, today):
    run_nightly(today)
    before = billing_state()

    with pytest.raises(BillingError) as refused:
        start(today)

    assert str(refused.value) == errors.CATCH_UP_NOTHING_DUE.format(day="15 Mar 2026")
    assert not GenerationRun.objects.filter(parameters__catch_up=True).exists()
    assert billing_state() == before


def test_counts_that_changed_since_the_page_are_refused(book, today):
    before = (GenerationRun.objects.count(), billing_state())

    with pytest.raises(BillingError) as refused:
        catch_up_run_start(shown_schedules=6, shown_contracts=3, as_of=today, enqueue=False)

    assert str(refused.value) == errors.CATCH_UP_CHANGED.format(
        schedules=7, contracts=3, shown_schedules=6, shown_contracts=3
    )
    assert (GenerationRun.objects.count(), billing_state()) == before
