"""Bulk runs processed by real Celery workers on Redis, including one killed mid-run."""

import datetime
import signal

import pytest
from django.db.models import Count

from contracts.models import BillingContract
from invoicing.benchmarks import bench_book_create
from invoicing.models import GenerationRun, Invoice
from invoicing.services.bulk import bulk_run_start
from tests.conftest import wait_until
from tests.invoicing.helpers import contract_with_line

pytestmark = pytest.mark.slow
CYCLE_DATE = datetime.date(2026, 5, 20)


def finished(run: GenerationRun) -> bool:
    run.refresh_from_db()
    return run.status == GenerationRun.Status.FINISHED


def test_a_worker_processes_a_bulk_run_queued_by_proceed(celery_worker):
    contracts = [contract_with_line(start_date=datetime.date(2026, 1, 1)) for _ in range(3)]

    run = bulk_run_start(contract_ids=[c.pk for c in contracts], cycle_date=CYCLE_DATE)

    wait_until(lambda: finished(run), timeout=60)
    assert run.counts()["succeeded"] == 3
    assert Invoice.objects.filter(period_start=datetime.date(2026, 5, 1)).count() == 3


def test_a_worker_killed_mid_run_has_its_chunk_redelivered_and_every_contract_invoiced_once(
    celery_workers, settings
):
    bench_book_create(contracts=3000, lines=3, as_of=datetime.date(2026, 5, 20))
    settings.BILLING_GENERATION_CHUNK_SIZE = 100
    # Redelivery waits out the visibility timeout and the workers' sweep: keep both short.
    env = {
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
    }
    victim = celery_workers(**env)
    ids = list(BillingContract.objects.values_list("id", flat=True))

    run = bulk_run_start(contract_ids=ids, cycle_date=CYCLE_DATE)
    wait_until(lambda: Invoice.objects.exists(), timeout=60, interval=0.05)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    assert Invoice.objects.count() < 3000, "the kill must land in the middle of the run"
    celery_workers(**env)

    wait_until(lambda: finished(run), timeout=180)
    assert Invoice.objects.count() == 3000
    assert not Invoice.objects.values("schedule").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert not Invoice.objects.filter(lines__isnull=True).exists()
    assert run.counts()["succeeded"] == 3000
