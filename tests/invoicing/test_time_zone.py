"""'Today' is the local date of the billing time zone; beat fires once per local night."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.test import override_settings
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from invoicing.migrations import _nightly
from invoicing.models import GenerationRun, Invoice
from invoicing.tasks import generate_due_invoices
from tests.invoicing.helpers import contract_with_line

UTC = datetime.UTC


def _utc(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "moment", "local_date"),
    [
        # East of UTC: local midnight comes hours before UTC's.
        ("Pacific/Auckland", _utc(2026, 1, 1, 10, 59), datetime.date(2026, 1, 1)),
        ("Pacific/Auckland", _utc(2026, 1, 1, 11, 0), datetime.date(2026, 1, 2)),
        # West of UTC: UTC's new day is still yesterday locally.
        ("America/New_York", _utc(2026, 1, 2, 4, 59), datetime.date(2026, 1, 1)),
        ("America/New_York", _utc(2026, 1, 2, 5, 0), datetime.date(2026, 1, 2)),
        # Either side of Paris's DST changes (Mar 29 and Oct 25, 2026).
        ("Europe/Paris", _utc(2026, 3, 28, 22, 59), datetime.date(2026, 3, 28)),
        ("Europe/Paris", _utc(2026, 3, 28, 23, 0), datetime.date(2026, 3, 29)),
        ("Europe/Paris", _utc(2026, 3, 29, 21, 59), datetime.date(2026, 3, 29)),
        ("Europe/Paris", _utc(2026, 3, 29, 22, 0), datetime.date(2026, 3, 30)),
        ("Europe/Paris", _utc(2026, 10, 24, 21, 59), datetime.date(2026, 10, 24)),
        ("Europe/Paris", _utc(2026, 10, 24, 22, 0), datetime.date(2026, 10, 25)),
        ("Europe/Paris", _utc(2026, 10, 25, 22, 59), datetime.date(2026, 10, 25)),
        ("Europe/Paris", _utc(2026, 10, 25, 23, 0), datetime.date(2026, 10, 26)),
    ],
)
def test_the_nightly_task_runs_for_the_local_date(db, eager_celery, zone, moment, local_date):
    with override_settings(TIME_ZONE=zone), time_machine.travel(moment, tick=False):
        generate_due_invoices.apply().get()

    assert GenerationRun.objects.get().as_of_date == local_date


def test_a_customer_east_of_utc_is_invoiced_once_on_their_local_day(db, eager_celery):
    contract = contract_with_line(start_date=datetime.date(2026, 1, 2), invoice_offset_days=0)

    with override_settings(TIME_ZONE="Pacific/Auckland"):
        for moment in (_utc(2026, 1, 1, 10, 30), _utc(2026, 1, 1, 11, 30), _utc(2026, 1, 2, 5)):
            with time_machine.travel(moment, tick=False):
                generate_due_invoices.apply().get()
            if moment.hour == 10:
                assert not Invoice.objects.exists(), "invoiced before the local day began"

    assert [i.invoice_date for i in Invoice.objects.filter(contract=contract)] == [
        datetime.date(2026, 1, 2)
    ]


@pytest.mark.parametrize(
    ("first", "last"),
    [(_utc(2026, 3, 26), _utc(2026, 4, 2)), (_utc(2026, 10, 22), _utc(2026, 10, 29))],
)
def test_beat_fires_exactly_once_per_local_night_across_dst_changes(db, first, last):
    nightly = PeriodicTask.objects.get(name=_nightly.TASK_NAME)
    assert (nightly.task, nightly.crontab.hour, nightly.crontab.minute) == (
        "invoicing.tasks.generate_due_invoices",
        "1",
        "0",
    )
    crontab = CrontabSchedule.objects.get(pk=nightly.crontab_id)
    crontab.timezone = "Europe/Paris"
    schedule = crontab.schedule

    paris = zoneinfo.ZoneInfo("Europe/Paris")
    nights = [first.date() + datetime.timedelta(days=n) for n in range(-2, 9)]
    fire_times = [datetime.datetime.combine(night, datetime.time(1), paris) for night in nights]
    expected = [f.date() for f in fire_times if first <= f < last]
    # Beat remembers the previous night's run.
    last_run = max(f for f in fire_times if f < first)
    fired, moment = [], first
    while moment < last:
        schedule.nowfun = lambda moment=moment: moment
        if schedule.is_due(last_run).is_due:
            fired.append(moment.astimezone(schedule.tz))
            last_run = moment
        moment += datetime.timedelta(minutes=15)

    assert [f.date() for f in fired] == expected
    assert {(f.hour, f.minute) for f in fired} == {(1, 0)}
