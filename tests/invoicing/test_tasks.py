"""The nightly Celery task: a real worker on Redis, redelivery, beat firing twice; the
forecast warmed from beat every morning."""

import datetime
import zoneinfo

import pytest
from django.conf import settings
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from billing_site.celery import app
from invoicing.migrations import _nightly
from invoicing.models import Door, GenerationRun, Invoice
from invoicing.selectors.forecast import forecast_build
from invoicing.services import generation_run_open, run_job_chunks
from invoicing.services.forecast import forecast_refresh
from invoicing.tasks import generate_due_invoices, generate_run_chunk, warm_forecast
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


def test_beat_warms_the_forecast_once_a_day_an_hour_after_the_nightly_run(db):
    warm_up = PeriodicTask.objects.get(name=_nightly.FORECAST_WARM_UP_NAME)
    nightly = PeriodicTask.objects.get(name=_nightly.TASK_NAME)
    assert warm_up.enabled and warm_up.task in app.tasks  # a task the worker knows
    assert (warm_up.crontab.hour, warm_up.crontab.minute) == (
        str(settings.BILLING_NIGHTLY_HOUR + 1),
        "0",
    )
    assert int(warm_up.crontab.hour) == int(nightly.crontab.hour) + 1
    schedule = warm_up.crontab.schedule
    zone = zoneinfo.ZoneInfo(warm_up.crontab.timezone.key)
    hour = settings.BILLING_NIGHTLY_HOUR + 1
    # Every quarter of an hour over three days across a month's end, as beat's loop asks;
    # beat remembers the previous morning's warm-up.
    start = datetime.datetime(2026, 3, 31, 0, 0, tzinfo=zone)
    fired, last_run = [], datetime.datetime(2026, 3, 30, hour, tzinfo=zone)
    for quarter in range(3 * 24 * 4):
        moment = start + datetime.timedelta(minutes=15 * quarter)
        schedule.nowfun = lambda moment=moment: moment
        if schedule.is_due(last_run).is_due:
            fired.append(moment)
            last_run = moment
    assert fired == [
        datetime.datetime(2026, 3, 31, hour, tzinfo=zone),
        datetime.datetime(2026, 4, 1, hour, tzinfo=zone),  # the new month starts warm
        datetime.datetime(2026, 4, 2, hour, tzinfo=zone),
    ]


def test_the_warm_up_drafts_the_forecast_so_the_first_reader_drafts_nothing(
    db, today, eager_celery
):
    for _ in range(3):
        contract_with_line(start_date=datetime.date(2026, 1, 1))

    assert warm_forecast.apply().get() == 3

    refreshed = forecast_refresh(today=timezone.localdate())
    forecast = forecast_build(timezone.localdate())
    assert refreshed.drafted == refreshed.extended == 0
    assert forecast.contracts == 3 and forecast.cells
