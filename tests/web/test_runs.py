"""A run's progress page, its job pages, the runs history, Retry failed and Resume."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from invoicing.models import GenerationJob, GenerationRun
from invoicing.selectors.runs import STALLED_AFTER
from invoicing.services import generation_run_execute
from invoicing.services.bulk import bulk_run_start
from tests.invoicing.helpers import active_contract
from tests.web.helpers import messages_of

pytestmark = pytest.mark.django_db
D = datetime.date


def start_run(contracts, user=None) -> GenerationRun:
    return bulk_run_start(
        contract_ids=[c.pk for c in contracts],
        cycle_date=D(2026, 3, 15),
        post_tasks={"auto_send": True},
        user=user,
        enqueue=False,
    )


@pytest.fixture
def finished_run(today, manager):
    contracts = [active_contract(as_of=today) for _ in range(3)]
    return generation_run_execute(start_run(contracts, manager))


def run_url(run, name="invoicing:run_detail") -> str:
    return reverse(name, args=[run.pk])


def test_a_finished_run_shows_100_percent_rows_with_job_and_invoice_links(
    manager_client, finished_run
):
    response = manager_client.get(run_url(finished_run))

    page = response.content.decode()
    progress = response.context["progress"]
    assert progress.percent == 100 and progress.counts["succeeded"] == 3
    assert 'hx-trigger="every 1s"' not in page  # finished: the page stops polling
    for job in finished_run.jobs.all():
        invoice = job.invoices.get()
        assert reverse("invoicing:job_detail", args=[job.pk]) in page
        assert reverse("invoicing:invoice_detail", args=[invoice.pk]) in page
    assert "cycle containing 15 Mar 2026; 3 contracts; Auto-Send" in page


def test_a_finished_run_reads_as_success_and_one_with_failures_as_a_warning(
    manager_client, finished_run
):
    page = manager_client.get(run_url(finished_run)).content.decode()
    outcome = page.split("data-run-outcome>", 1)[1].split("</div>", 1)[0]
    assert 'class="notice success" role="status" data-run-outcome' in page
    assert "Finished: every job is done." in outcome and "3 succeeded." in outcome

    GenerationJob.objects.filter(pk=finished_run.jobs.first().pk).update(status="failed")
    page = manager_client.get(run_url(finished_run)).content.decode()
    assert 'class="notice warning" role="status" data-run-outcome' in page
    assert "Finished: 1 job failed." in page


def test_a_running_run_polls_and_estimates_the_time_left(manager_client, today, manager):
    contracts = [active_contract(as_of=today) for _ in range(2)]
    run = start_run(contracts, manager)
    job = run.jobs.first()
    GenerationJob.objects.filter(pk=job.pk).update(status="succeeded", finished_at=timezone.now())
    started = timezone.now() - datetime.timedelta(seconds=10)
    GenerationRun.objects.filter(pk=run.pk).update(started_at=started)

    response = manager_client.get(run_url(run))

    assert 'hx-trigger="every 1s"' in response.content.decode()
    assert response.context["progress"].percent == 50
    assert response.context["progress"].remaining_text == "10 s"


def test_rows_filter_by_status(manager_client, finished_run):
    GenerationJob.objects.filter(pk=finished_run.jobs.first().pk).update(status="failed")

    response = manager_client.get(run_url(finished_run), {"status": "failed"})

    assert [job.status for job in response.context["progress"].jobs] == ["failed"]


def test_the_progress_page_runs_the_same_queries_for_a_large_run(
    manager_client, today, manager, django_assert_max_num_queries
):
    contracts = [active_contract(as_of=today) for _ in range(60)]
    run = generation_run_execute(start_run(contracts, manager))

    # Session, user, permissions (2), run, counts, stalled check (2), page, invoices.
    with django_assert_max_num_queries(10):
        response = manager_client.get(run_url(run))

    assert len(response.context["progress"].jobs) == 50


def test_the_runs_history_lists_every_run_with_its_outcome_in_constant_queries(
    manager_client, finished_run, today, django_assert_max_num_queries
):
    for _ in range(5):
        start_run([active_contract(as_of=today)])

    with django_assert_max_num_queries(8):
        response = manager_client.get(reverse("invoicing:run_list"))

    page = response.content.decode()
    assert len(response.context["page"]) == 6
    assert "3 succeeded" in page and "manager" in page and "Bulk" in page
    assert reverse("invoicing:run_list") in page  # in the navigation


def test_the_job_page_shows_contract_cycle_invoice_timings_and_attempts(
    manager_client, finished_run
):
    job = finished_run.jobs.select_related("contract").first()

    response = manager_client.get(reverse("invoicing:job_detail", args=[job.pk]))

    page = response.content.decode()
    assert job.contract.number in page and job.invoices.get().number in page
    assert "1 Mar 2026 – 31 Mar 2026" in page
    assert "Attempts" in page and response.context["overview"].job.attempts == 1


def test_retry_failed_queues_only_the_failed_jobs(manager_client, finished_run):
    failed = finished_run.jobs.first()
    GenerationJob.objects.filter(pk=failed.pk).update(status="failed", message="Boom")
    shown = manager_client.get(run_url(finished_run)).content.decode()

    response = manager_client.post(run_url(finished_run, "invoicing:run_retry"), follow=True)

    assert "Retry failed (1)" in shown
    assert "1 failed job(s) queued again." in messages_of(response)
    assert list(finished_run.jobs.filter(status="queued").values_list("pk", flat=True)) == [
        failed.pk
    ]


def test_a_stalled_run_warns_and_resume_queues_its_open_jobs(manager_client, today, manager):
    run = start_run([active_contract(as_of=today)], manager)
    GenerationRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - STALLED_AFTER * 2)
    GenerationJob.objects.filter(run=run).update(status="running")

    page = manager_client.get(run_url(run)).content.decode()
    response = manager_client.post(run_url(run, "invoicing:run_resume"), follow=True)

    assert "This run has stalled." in page
    assert "The run's open jobs were queued again." in messages_of(response)
    assert run.jobs.get().status == "queued"


def test_resume_of_a_run_that_is_not_stalled_queues_nothing(manager_client, finished_run):
    response = manager_client.post(run_url(finished_run, "invoicing:run_resume"), follow=True)

    assert any("not stalled" in m for m in messages_of(response))


def test_viewers_see_runs_but_cannot_retry_or_resume(viewer_client, finished_run):
    GenerationJob.objects.filter(run=finished_run).update(status="failed")

    page = viewer_client.get(run_url(finished_run)).content.decode()

    assert "Retry failed" not in page
    for name in ("invoicing:run_retry", "invoicing:run_resume"):
        assert viewer_client.post(run_url(finished_run, name)).status_code == 403
    assert finished_run.jobs.filter(status="failed").count() == 3


def test_run_pages_need_sign_in_and_retry_needs_post_and_csrf(manager, finished_run):
    anonymous = Client().get(run_url(finished_run))
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(manager)

    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.url
    assert csrf_client.get(run_url(finished_run, "invoicing:run_retry")).status_code == 405
    assert csrf_client.post(run_url(finished_run, "invoicing:run_retry")).status_code == 403
