"""The nightly Celery task: a real worker on Redis, redelivery, beat firing twice."""

import datetime

import pytest

from invoicing.models import Door, GenerationRun, Invoice
from invoicing.services import generation_run_open, run_job_chunks
from invoicing.tasks import generate_due_invoices, generate_run_chunk
from tests.conftest import wait_until
from tests.invoicing.helpers import contract_with_line

AS_OF = datetime.date(2026, 3, 2)


def _book(count: int = 5):
    return [contract_with_line(start_date=datetime.date(2026, 1, 1)) for _ in range(count)]


def _finished_nightly_runs():
    return GenerationRun.objects.filter(trigger=Door.NIGHTLY, status=GenerationRun.Status.FINISHED)


@pytest.mark.slow
def test_a_real_worker_runs_the_nightly_task_from_redis(celery_worker):
    contracts = _book()

    generate_due_invoices.delay(AS_OF.isoformat())

    run = wait_until(lambda: _finished_nightly_runs().first(), timeout=60)
    assert run.counts()["succeeded"] == len(contracts)
    # January, February and March are due by March 2nd.
    assert Invoice.objects.count() == 3 * len(contracts)


@pytest.mark.slow
def test_the_nightly_task_queued_twice_writes_nothing_the_second_time(celery_worker):
    _book()

    generate_due_invoices.delay(AS_OF.isoformat())
    generate_due_invoices.delay(AS_OF.isoformat())

    wait_until(lambda: _finished_nightly_runs().exists() and Invoice.objects.count() == 15)
    wait_until(lambda: not GenerationRun.objects.exclude(status="finished").exists())
    assert Invoice.objects.count() == 15
    assert Invoice.objects.values("schedule").distinct().count() == 15


def test_a_chunk_delivered_twice_writes_nothing_the_second_time(db, eager_celery):
    _book()
    run = generation_run_open(as_of=AS_OF)
    (chunk,) = run_job_chunks(run)

    generate_run_chunk.apply(args=(run.pk, *chunk)).get()
    numbers = set(Invoice.objects.values_list("number", flat=True))
    generate_run_chunk.apply(args=(run.pk, *chunk)).get()

    assert set(Invoice.objects.values_list("number", flat=True)) == numbers
    assert len(numbers) == 15
    run.refresh_from_db()
    assert run.status == GenerationRun.Status.FINISHED


def test_beat_firing_again_while_the_night_is_open_returns_the_same_run(db):
    _book()

    first = generation_run_open(as_of=AS_OF)
    second = generation_run_open(as_of=AS_OF)

    assert first.pk == second.pk
    assert first.jobs.count() == 5
