"""Bulk runs: each contract's cycle at a date, skips with reasons, retries, resumes."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Count

from invoicing import errors
from invoicing.errors import BulkError
from invoicing.models import AuditEvent, GenerationJob, GenerationRun, Invoice
from invoicing.selectors.bulk import bulk_summary
from invoicing.selectors.runs import run_is_stalled
from invoicing.services import generation_run_execute, invoice_generate
from invoicing.services.bulk import bulk_run_start, run_resume, run_retry_failed
from schedules.models import BillingSchedule
from schedules.services import schedule_for_cycle
from tests.factories import ContractLineFactory, UserFactory
from tests.invoicing.helpers import contract_with_line

D = datetime.date
pytestmark = pytest.mark.django_db
CYCLE_DATE = D(2026, 5, 20)


def start_and_process(contracts, **options) -> GenerationRun:
    run = bulk_run_start(
        contract_ids=[c.pk for c in contracts],
        cycle_date=CYCLE_DATE,
        enqueue=False,
        as_of=D(2026, 5, 20),
        **options,
    )
    return generation_run_execute(run)


def job_of(run, contract) -> GenerationJob:
    return run.jobs.get(contract=contract)


def test_each_contract_bills_its_own_cycle_containing_the_date():
    monthly = contract_with_line(start_date=D(2026, 1, 15))
    quarterly = contract_with_line(start_date=D(2026, 2, 1), billing_frequency="quarterly")

    run = start_and_process([monthly, quarterly])

    (m,) = monthly.invoices.all()
    (q,) = quarterly.invoices.all()
    assert (m.period_start, m.period_end) == (D(2026, 5, 15), D(2026, 6, 14))
    assert (q.period_start, q.period_end) == (D(2026, 5, 1), D(2026, 7, 31))
    assert {m.generated_via, q.generated_via} == {"bulk"}
    assert run.status == "finished" and run.counts()["succeeded"] == 2
    # Cycles before the billed one were scheduled too: keeping ahead skips none.
    assert BillingSchedule.objects.filter(contract=monthly).count() == 5


def test_skips_say_why_and_replace_needs_to_be_asked_for():
    invoiced = contract_with_line(start_date=D(2026, 1, 1))
    existing = invoice_generate(
        schedule=schedule_for_cycle(contract=invoiced, cycle_index=4), as_of=D(2026, 5, 1)
    )
    draft = contract_with_line(start_date=D(2026, 1, 1), status="draft")
    later = contract_with_line(start_date=D(2026, 6, 1))

    run = start_and_process([invoiced, draft, later])

    assert job_of(run, invoiced).message == f"Skipped: already invoiced ({existing.number})."
    assert job_of(run, draft).message == "Skipped: the contract is draft, not active."
    assert job_of(run, later).message == "Skipped: no billing cycle on 2026-05-20."
    assert run.counts()["skipped"] == 3 and Invoice.objects.count() == 1


def test_replace_replaces_the_live_invoice_but_never_a_paid_one():
    open_one = contract_with_line(start_date=D(2026, 1, 1))
    paid_one = contract_with_line(start_date=D(2026, 1, 1))
    old = invoice_generate(
        schedule=schedule_for_cycle(contract=open_one, cycle_index=4), as_of=D(2026, 5, 1)
    )
    paid = invoice_generate(
        schedule=schedule_for_cycle(contract=paid_one, cycle_index=4), as_of=D(2026, 5, 1)
    )
    Invoice.objects.filter(pk=paid.pk).update(
        paid_at=datetime.datetime(2026, 5, 2, tzinfo=datetime.UTC)
    )

    run = start_and_process([open_one, paid_one], replace=True, replace_confirmed=True)

    old.refresh_from_db()
    assert old.status == "replaced" and old.replaced_by.status == "issued"
    assert job_of(run, paid_one).status == "failed"
    assert job_of(run, paid_one).message == errors.PAID_CANNOT_BE_REPLACED.format(
        number=paid.number
    )


def test_replacing_needs_the_confirmation_only_when_an_issued_invoice_would_be_replaced():
    invoiced = contract_with_line(start_date=D(2026, 1, 1))
    fresh = contract_with_line(start_date=D(2026, 1, 1))
    invoice_generate(
        schedule=schedule_for_cycle(contract=invoiced, cycle_index=4), as_of=D(2026, 5, 1)
    )

    with pytest.raises(BulkError, match="confirmation"):
        bulk_run_start(contract_ids=[invoiced.pk, fresh.pk], cycle_date=CYCLE_DATE, replace=True)
    run = bulk_run_start(contract_ids=[fresh.pk], cycle_date=CYCLE_DATE, replace=True)

    assert list(GenerationRun.objects.all()) == [run]


def test_the_summary_counts_what_proceed_would_do():
    invoiced = contract_with_line(start_date=D(2026, 1, 1))
    invoice_generate(
        schedule=schedule_for_cycle(contract=invoiced, cycle_index=4), as_of=D(2026, 5, 1)
    )
    fresh = [contract_with_line(start_date=D(2026, 1, 1)) for _ in range(2)]
    cancelled = contract_with_line(start_date=D(2026, 1, 1), status="cancelled")
    ids = [c.pk for c in [invoiced, *fresh, cancelled]]

    summary = bulk_summary(contract_ids=ids, cycle_date=CYCLE_DATE)
    replacing = bulk_summary(contract_ids=ids, cycle_date=CYCLE_DATE, replace=True)

    assert (summary.contracts, summary.would_generate, summary.would_replace) == (4, 2, 0)
    assert summary.skipped == {
        "Skipped: already invoiced": 1,
        "Skipped: the contract is cancelled, not active": 1,
    }
    assert (replacing.would_generate, replacing.would_replace) == (2, 1)


@pytest.mark.parametrize(
    ("selection", "cycle_date", "message"),
    [
        ([], CYCLE_DATE, errors.BULK_EMPTY_SELECTION),
        ([987654321], CYCLE_DATE, "1 selected contract(s) do not exist"),
        (
            None,
            D(2025, 1, 1),
            "None of the selected contracts is active with a billing cycle on 2025-01-01.",
        ),
    ],
)
def test_bad_selections_are_refused_and_queue_nothing(selection, cycle_date, message):
    contract = contract_with_line(start_date=D(2026, 1, 1))

    with pytest.raises(BulkError) as refusal:
        bulk_run_start(
            contract_ids=[contract.pk] if selection is None else selection,
            cycle_date=cycle_date,
            enqueue=False,
        )

    assert message in str(refusal.value)
    assert not GenerationRun.objects.exists() and not GenerationJob.objects.exists()


def test_overlapping_runs_make_one_invoice_per_cycle_and_the_second_says_so():
    contracts = [contract_with_line(start_date=D(2026, 1, 1)) for _ in range(3)]
    first = bulk_run_start(
        contract_ids=[c.pk for c in contracts], cycle_date=CYCLE_DATE, enqueue=False
    )
    second = bulk_run_start(
        contract_ids=[c.pk for c in contracts], cycle_date=CYCLE_DATE, enqueue=False
    )

    generation_run_execute(first)
    generation_run_execute(second)

    assert Invoice.objects.count() == 3
    assert not Invoice.objects.values("schedule").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert set(second.jobs.values_list("message", flat=True)) == {
        f"Skipped: already invoiced ({n})."
        for n in Invoice.objects.values_list("number", flat=True)
    }


def test_retry_failed_queues_only_the_failed_rows_again():
    good = contract_with_line(start_date=D(2026, 1, 1))
    broken = contract_with_line(start_date=D(2026, 1, 1))
    unpriced = ContractLineFactory(contract=broken, unit_price=None)
    manager = UserFactory()
    run = start_and_process([good, broken])
    assert job_of(run, broken).status == "failed"

    unpriced.unit_price = Decimal("5")
    unpriced.save()
    assert run_retry_failed(run=run, user=manager) == 1
    generation_run_execute(run)

    assert job_of(run, broken).status == "succeeded"
    assert good.invoices.count() == 1 and broken.invoices.count() == 1
    assert AuditEvent.objects.filter(action="run_retried", actor=manager, run=run).exists()


def test_a_run_whose_workers_vanished_is_detected_and_resumed():
    contracts = [contract_with_line(start_date=D(2026, 1, 1)) for _ in range(2)]
    with time_machine.travel(datetime.datetime(2026, 5, 20, 9, tzinfo=datetime.UTC)):
        run = bulk_run_start(
            contract_ids=[c.pk for c in contracts], cycle_date=CYCLE_DATE, enqueue=False
        )
        run.jobs.update(status="running")  # a worker took them, then died

    fresh = datetime.datetime(2026, 5, 20, 9, 5, tzinfo=datetime.UTC)
    later = datetime.datetime(2026, 5, 20, 9, 30, tzinfo=datetime.UTC)
    assert not run_is_stalled(run, now=fresh)
    assert run_is_stalled(run, now=later)

    operator = UserFactory()
    run_resume(run=run, user=operator)
    generation_run_execute(run)

    run.refresh_from_db()
    assert run.status == "finished" and Invoice.objects.count() == 2
    assert AuditEvent.objects.filter(action="run_resumed", actor=operator, run=run).exists()
