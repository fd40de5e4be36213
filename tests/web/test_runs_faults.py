"""The run pages for runs left behind: never queued, or interrupted (their lease lapsed)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from invoicing import errors
from invoicing.models import AuditEvent, GenerationJob, GenerationRun
from invoicing.services.bulk import bulk_run_start, runs_left_behind_take_over
from tests.invoicing.helpers import active_contract
from tests.web.helpers import messages_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_run(today, manager) -> GenerationRun:
    contracts = [active_contract(as_of=today) for _ in range(2)]
    return bulk_run_start(
        contract_ids=[c.pk for c in contracts],
        cycle_date=datetime.date(2026, 3, 15),
        user=manager,
        enqueue=False,
    )


def last_seen(run: GenerationRun, seconds_ago: float, by: str = "worker-7 pid 4242") -> None:
    """What a process working the run leaves behind when it stops renewing its lease."""
    seen = timezone.now() - datetime.timedelta(seconds=seconds_ago)
    GenerationRun.objects.filter(pk=run.pk).update(heartbeat_at=seen, heartbeat_by=by)
    run.jobs.update(status=GenerationJob.Status.RUNNING)


def run_url(run, name="invoicing:run_detail") -> str:
    return reverse(name, args=[run.pk])


def test_a_run_whose_lease_lapsed_shows_interrupted_with_who_and_when_and_offers_resume(
    manager_client, open_run, settings
):
    settings.BILLING_RUN_LEASE_SECONDS = 60
    last_seen(open_run, seconds_ago=61)

    page = manager_client.get(run_url(open_run)).content.decode()
    runs = manager_client.get(reverse("invoicing:run_list")).content.decode()

    assert "This run was interrupted." in page and "worker-7 pid 4242" in page
    assert "Started by manager" in page
    assert run_url(open_run, "invoicing:run_resume") in page
    assert "Interrupted" in runs and "last seen" in runs


def test_a_run_whose_process_still_renews_its_lease_is_not_interrupted(
    manager_client, open_run, settings
):
    settings.BILLING_RUN_LEASE_SECONDS = 60
    last_seen(open_run, seconds_ago=59)

    page = manager_client.get(run_url(open_run)).content.decode()
    response = manager_client.post(run_url(open_run, "invoicing:run_resume"), follow=True)

    assert "interrupted" not in page and "Resume" not in page
    assert errors.RUN_NOT_STALLED in messages_of(response)
    assert set(open_run.jobs.values_list("status", flat=True)) == {"running"}


def test_resume_takes_an_interrupted_run_and_the_audit_trail_says_who(
    manager_client, open_run, manager, settings
):
    settings.BILLING_RUN_LEASE_SECONDS = 60
    last_seen(open_run, seconds_ago=300)

    response = manager_client.post(run_url(open_run, "invoicing:run_resume"), follow=True)

    assert "The run's open jobs were queued again." in messages_of(response)
    assert set(open_run.jobs.values_list("status", flat=True)) == {"queued"}
    event = AuditEvent.objects.get(action="run_resumed", run=open_run)
    assert event.actor == manager and event.detail == "interrupted run resumed (2 running)"
    open_run.refresh_from_db()
    assert open_run.heartbeat_at > timezone.now() - datetime.timedelta(seconds=5)


def test_a_run_never_queued_says_the_queue_is_unreachable_and_offers_resume_at_once(
    manager_client, open_run
):
    GenerationRun.objects.filter(pk=open_run.pk).update(enqueue_failed_at=timezone.now())

    page = manager_client.get(run_url(open_run)).content.decode()
    response = manager_client.post(run_url(open_run, "invoicing:run_resume"), follow=True)

    assert "The queue is unreachable." in page
    assert run_url(open_run, "invoicing:run_resume") in page
    assert "The run's open jobs were queued again." in messages_of(response)


def test_the_next_run_takes_each_run_left_behind_once(open_run, settings):
    settings.BILLING_RUN_LEASE_SECONDS = 60
    last_seen(open_run, seconds_ago=300)

    first = runs_left_behind_take_over(door="nightly")
    second = runs_left_behind_take_over(door="nightly")

    assert [run.pk for run in first] == [open_run.pk] and second == []
    assert (
        AuditEvent.objects.filter(action="run_resumed", run=open_run, door="nightly").count() == 1
    )
