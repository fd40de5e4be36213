"""Never twice, never lost: real processes racing, crashing and holding locks."""

import datetime
import signal
import subprocess
import sys
import threading

import psycopg
import pytest
from django.db import connection
from django.db.models import Count

from invoicing import errors
from invoicing.benchmarks import bench_book_create
from invoicing.models import GenerationJob, Invoice
from invoicing.services import runs
from schedules.models import BillingSchedule
from tests.conftest import PROJECT_DIR, wait_until
from tests.invoicing.helpers import contract_with_line, invoices_of, run_nightly

AS_OF = datetime.date(2026, 3, 2)
pytestmark = pytest.mark.slow


def generate_invoices(env, *args, chunk_size=50) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "generate_invoices", "--date", AS_OF.isoformat(), *args],
        cwd=PROJECT_DIR,
        env=dict(env, BILLING_GENERATION_CHUNK_SIZE=str(chunk_size)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def assert_exactly_one_invoice_per_due_schedule(expected: int) -> None:
    invoices = Invoice.objects.filter(status=Invoice.Status.ISSUED)
    assert invoices.count() == expected
    assert not invoices.values("schedule").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert not BillingSchedule.objects.filter(status="pending", invoice_date__lte=AS_OF).exists()
    assert not invoices.filter(lines__isnull=True).exists(), "an invoice without lines"
    numbers = sorted(int(n.removeprefix("INV-")) for n in invoices.values_list("number", flat=True))
    assert numbers == list(range(1, expected + 1)), "numbers must be gap-free"


@pytest.mark.parametrize("processes", [2, 4, 8])
def test_concurrent_nightly_processes_make_one_invoice_per_schedule_with_gap_free_numbers(
    subprocess_env, processes
):
    bench_book_create(contracts=600, lines=3, as_of=AS_OF)

    racers = [generate_invoices(subprocess_env) for _ in range(processes)]
    outputs = [racer.communicate(timeout=120)[0] for racer in racers]

    assert [racer.returncode for racer in racers] == [0] * processes, outputs
    assert_exactly_one_invoice_per_due_schedule(600)


def test_a_run_killed_mid_way_leaves_whole_invoices_and_a_rerun_finishes_the_rest(subprocess_env):
    bench_book_create(contracts=3000, lines=3, as_of=AS_OF)

    victim = generate_invoices(subprocess_env, chunk_size=100)
    wait_until(lambda: Invoice.objects.exists(), timeout=60, interval=0.05)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    interrupted = Invoice.objects.count()
    assert 0 < interrupted < 3000, "the kill must land in the middle of the run"
    assert not Invoice.objects.filter(lines__isnull=True).exists()

    rerun = generate_invoices(subprocess_env, chunk_size=500)
    output = rerun.communicate(timeout=120)[0]

    assert rerun.returncode == 0, output
    assert_exactly_one_invoice_per_due_schedule(3000)


@pytest.fixture
def other_transaction(transactional_db):
    """A second database connection, as another worker would hold one."""
    db = connection.settings_dict
    with psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"] or "localhost",
        port=db["PORT"] or 5432,
    ) as other:
        yield other


@pytest.fixture
def quick_lock_retries(monkeypatch):
    monkeypatch.setattr(runs, "LOCK_RETRY_SECONDS", 0.1)


def test_a_contract_locked_by_another_worker_is_retried_until_invoiced(
    other_transaction, quick_lock_retries
):
    contract = contract_with_line(start_date=datetime.date(2026, 1, 1))
    busy = contract_with_line(start_date=datetime.date(2026, 1, 1))
    from schedules.services import schedules_keep_ahead

    schedules_keep_ahead(as_of=datetime.date(2026, 1, 2))
    other_transaction.execute(
        "SELECT id FROM schedules_billingschedule WHERE contract_id = %s FOR UPDATE", [busy.pk]
    )
    threading.Timer(0.3, other_transaction.rollback).start()

    run = run_nightly(datetime.date(2026, 1, 2))

    assert len(invoices_of(contract)) == 1
    assert len(invoices_of(busy)) == 1
    assert run.jobs.get(contract=busy).status == GenerationJob.Status.SUCCEEDED


def test_a_contract_locked_for_the_whole_run_is_failed_loudly_never_dropped(
    other_transaction, quick_lock_retries
):
    busy = contract_with_line(start_date=datetime.date(2026, 1, 1))
    from schedules.services import schedules_keep_ahead

    schedules_keep_ahead(as_of=datetime.date(2026, 1, 2))
    other_transaction.execute(
        "SELECT id FROM schedules_billingschedule WHERE contract_id = %s FOR UPDATE", [busy.pk]
    )

    run = run_nightly(datetime.date(2026, 1, 2))
    other_transaction.rollback()

    job = run.jobs.get(contract=busy)
    assert (job.status, job.message) == (GenerationJob.Status.FAILED, errors.LOCKED_TOO_LONG)
    assert invoices_of(busy) == []
    assert run_nightly(datetime.date(2026, 1, 2)).jobs.get(contract=busy).status == "succeeded"
