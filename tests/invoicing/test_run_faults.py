"""Runs survive an unreachable broker and a dead process: real processes, the real
PostgreSQL and Redis, the broker pointed at a closed port (never a stopped shared server)."""

from __future__ import annotations

import datetime
import json
import signal
import subprocess
import sys

import pytest
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from contracts.models import BillingContract
from invoicing import errors
from invoicing.benchmarks import bench_book_create
from invoicing.models import AuditEvent, Door, GenerationRun, Invoice
from invoicing.post_invoicing.models import PostInvoicingTask
from invoicing.post_invoicing.scheduling import post_tasks_requeue_stalled
from invoicing.selectors.runs import INTERRUPTED, run_attention
from invoicing.services.bulk import runs_requeue_left_behind
from tests.conftest import PROJECT_DIR, free_port, wait_until
from tests.invoicing.helpers import active_contract, contract_with_line

pytestmark = pytest.mark.slow
AS_OF = datetime.date(2026, 5, 20)

# Runs in a process of its own, whose broker is a closed port: signs in, then does what a
# billing manager's browser does, and prints what the page answered (a 500 raises here).
AS_A_MANAGER = """
import json, sys, time
import django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from contracts.models import BillingContract
from tests.web.helpers import form_as_shown, generate_url
client = Client()
client.force_login(get_user_model().objects.get(username="manager"))
started = time.monotonic()
if sys.argv[1] == "proceed":
    ids = list(BillingContract.objects.values_list("id", flat=True))
    data = {"tab": "regular", "cycle_date": sys.argv[2], "contracts": ids}
    response = client.post(reverse("invoicing:bulk"), data, follow=True)
else:
    contract = BillingContract.objects.get()
    data = form_as_shown(client, contract, auto_send=True)
    response = client.post(generate_url(contract), data, follow=True)
print(json.dumps({
    "status": response.redirect_chain[0][1] if response.redirect_chain else response.status_code,
    "landed": response.redirect_chain[-1][0] if response.redirect_chain else "",
    "seconds": time.monotonic() - started,
    "messages": [str(m) for m in response.context["messages"]],
}))
"""


def as_a_manager(env: dict, *args: str) -> dict:
    """Run AS_A_MANAGER with the broker at a closed port; its answer, or the traceback."""
    unreachable = dict(env, CELERY_BROKER_URL=f"redis://127.0.0.1:{free_port()}/0")
    done = subprocess.run(
        [sys.executable, "-c", AS_A_MANAGER, *args],
        cwd=PROJECT_DIR,
        env=unreachable,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def fresh(run: GenerationRun) -> GenerationRun:
    run.refresh_from_db()
    return run


def no_schedule_invoiced_twice() -> bool:
    return not Invoice.objects.values("schedule").annotate(n=Count("id")).filter(n__gt=1).exists()


def test_proceed_with_the_broker_unreachable_says_so_and_the_sweep_queues_the_run_later(
    subprocess_env, manager, client, celery_workers
):
    for _ in range(3):
        contract_with_line(start_date=datetime.date(2026, 1, 1))

    answer = as_a_manager(subprocess_env, "proceed", AS_OF.isoformat())

    run = GenerationRun.objects.get()
    assert answer["status"] == 302, answer
    assert errors.RUN_NOT_QUEUED in answer["messages"]
    assert answer["seconds"] < 10  # publishing gives up in about a second, not 20
    assert run.enqueue_failed_at is not None and run.jobs.count() == 3
    client.force_login(manager)
    page = client.get(reverse("invoicing:run_detail", args=[run.pk])).content.decode()
    assert "The queue is unreachable." in page
    assert reverse("invoicing:run_resume", args=[run.pk]) in page  # at once, not in 10 min
    runs = client.get(reverse("invoicing:run_list")).content.decode()
    assert "Not queued" in runs

    celery_workers()  # the broker answers again: the beat sweep hands the run to workers
    assert runs_requeue_left_behind() == 1

    wait_until(lambda: fresh(run).status == GenerationRun.Status.FINISHED, timeout=60)
    assert run.enqueue_failed_at is None
    assert run.counts()["succeeded"] == 3 and Invoice.objects.count() == 3
    assert AuditEvent.objects.filter(action="run_resumed", run=run, door=Door.NIGHTLY).exists()


def test_generate_with_auto_send_and_the_broker_unreachable_issues_the_invoice_and_says_so(
    subprocess_env, manager, django_capture_on_commit_callbacks
):
    active_contract(as_of=timezone.localdate(), start=timezone.localdate().replace(day=1))

    answer = as_a_manager(subprocess_env, "generate")

    invoice = Invoice.objects.get()
    task = PostInvoicingTask.objects.get(invoice=invoice)
    assert answer["status"] == 302, answer
    assert f"generated={invoice.pk}" in answer["landed"]  # the success state, with its invoice
    assert errors.POST_TASKS_NOT_QUEUED in answer["messages"]
    assert (task.kind, task.status, task.message) == (
        "send",
        "pending",
        errors.POST_TASKS_NOT_QUEUED,
    )
    # The post-invoicing sweep takes it on its next pass, not after its two-hour stall limit.
    with django_capture_on_commit_callbacks():
        assert post_tasks_requeue_stalled() == 1
    task.refresh_from_db()
    assert task.message == ""


def test_a_generate_invoices_killed_mid_run_is_interrupted_and_the_next_run_finishes_it(
    subprocess_env, settings, manager, client
):
    bench_book_create(contracts=3000, lines=3, as_of=AS_OF)
    # A short lease, here and in the commands, so the test sees the dead run within seconds.
    settings.BILLING_RUN_LEASE_SECONDS = 2
    env = dict(subprocess_env, BILLING_GENERATION_CHUNK_SIZE="100", BILLING_RUN_LEASE_SECONDS="2")
    command = [sys.executable, "manage.py", "generate_invoices", "--date", AS_OF.isoformat()]
    victim = subprocess.Popen(
        command, cwd=PROJECT_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wait_until(lambda: Invoice.objects.exists(), timeout=120, interval=0.05)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    assert Invoice.objects.count() < 3000, "the kill must land in the middle of the run"
    dead = GenerationRun.objects.get()

    wait_until(lambda: run_attention(fresh(dead)) == INTERRUPTED, timeout=30)
    client.force_login(manager)
    page = client.get(reverse("invoicing:run_detail", args=[dead.pk])).content.decode()
    assert "This run was interrupted." in page and dead.heartbeat_by in page
    assert reverse("invoicing:run_resume", args=[dead.pk]) in page
    assert "Interrupted" in client.get(reverse("invoicing:run_list")).content.decode()

    rerun = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True)

    assert rerun.returncode == 0, rerun.stderr
    assert f"Resuming {dead}" in rerun.stdout
    assert fresh(dead).status == GenerationRun.Status.FINISHED
    assert Invoice.objects.count() == BillingContract.objects.count() == 3000
    assert no_schedule_invoiced_twice()
    assert not Invoice.objects.filter(lines__isnull=True).exists()
    assert AuditEvent.objects.filter(action="run_resumed", run=dead, door=Door.COMMAND).exists()
    assert not GenerationRun.objects.filter(status=GenerationRun.Status.RUNNING).exists()
