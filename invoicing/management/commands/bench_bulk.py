"""bench_bulk: Proceed on every contract of a large book, then the run with one worker
process while the progress page is timed."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from unittest import mock

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Max, Min
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contracts.models import BillingContract
from invoicing.benchmarks import bench_billing_manager, bench_book_create, bench_database_reset
from invoicing.models import GenerationRun, Invoice
from invoicing.services import generation_run_execute

BENCH_USERNAME = "bench-bulk"
# Between two progress requests: a browser polls every second; this samples more often.
POLL_PAUSE_SECONDS = 0.2


class Command(BaseCommand):
    help = (
        "Build a book of --contracts active contracts on a database of its own, select them "
        "all, time Proceed through the web door, then run the run in one worker process "
        "while timing the progress page. Building the book empties the billing tables."
    )

    def add_arguments(self, parser):
        parser.add_argument("--contracts", type=int, default=100_000)
        parser.add_argument("--execute-run", type=int, help="(internal) run this run as the worker")

    def handle(self, *args, contracts: int, execute_run: int | None, **options):
        if execute_run:
            generation_run_execute(GenerationRun.objects.get(pk=execute_run))
            return
        if contracts < 1:
            raise CommandError("--contracts must be at least 1.")
        as_of = timezone.localdate()
        self._book_create(contracts, as_of)
        client = Client(SERVER_NAME="localhost")
        client.force_login(bench_billing_manager(BENCH_USERNAME))
        proceed_seconds, run = self._proceed(client, as_of)
        progress_ms, queries = self._run_while_polling(client, run)
        rate = self._invoices_per_second(run)
        self.stdout.write(f"progress page: median {progress_ms:.1f} ms, {queries} SQL queries")
        self.stdout.write(
            f"bench_bulk: proceed {proceed_seconds:.2f} s, {rate:,.0f} inv/s, "
            f"progress median {progress_ms:.1f} ms"
        )

    def _book_create(self, contracts: int, as_of) -> None:
        try:
            bench_database_reset()
        except ValueError as error:
            raise CommandError(str(error)) from error
        started = time.perf_counter()
        bench_book_create(contracts=contracts, lines=3, as_of=as_of)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(f"book: {contracts:,} contracts in {time.perf_counter() - started:.0f} s")

    def _proceed(self, client: Client, as_of) -> tuple[float, GenerationRun]:
        """POST the bulk window for every contract (the "all matching" selection)."""
        data = {
            "tab": "regular",
            "selection": "matching",
            "shown_count": BillingContract.objects.count(),
            "cycle_date": as_of.isoformat(),
        }
        # The worker here is this command's own process, not Celery: nothing is sent.
        with mock.patch("invoicing.tasks.run_chunks_enqueue"):
            started = time.perf_counter()
            response = client.post(reverse("invoicing:bulk"), data)
            seconds = time.perf_counter() - started
        if response.status_code != 302:
            raise CommandError(f"Proceed answered {response.status_code}, not a redirect.")
        run = GenerationRun.objects.latest("id")
        self.stdout.write(f"proceed: {run.jobs.count():,} jobs queued in {seconds:.2f} s")
        return seconds, run

    def _run_while_polling(self, client: Client, run: GenerationRun) -> tuple[float, int]:
        """Run the run in a worker process; GET its progress page until it has finished."""
        url = reverse("invoicing:run_detail", args=[run.pk])
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "bench_bulk", "--execute-run", str(run.pk)],
            cwd=settings.BASE_DIR,
        )
        timings, queries = [], 0
        while worker.poll() is None:
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                worker.kill()
                raise CommandError(f"The progress page answered {response.status_code}.")
            queries = len(captured)
            time.sleep(POLL_PAUSE_SECONDS)
        if worker.returncode:
            raise CommandError(f"The worker process failed ({worker.returncode}).")
        if not timings:
            raise CommandError("The run finished before the progress page was requested.")
        self.stdout.write(f"progress page: {len(timings)} requests during the run")
        return statistics.median(timings), queries

    def _invoices_per_second(self, run: GenerationRun) -> float:
        span = run.jobs.aggregate(first=Min("started_at"), last=Max("finished_at"))
        invoices = Invoice.objects.filter(job__run=run).count()
        seconds = (span["last"] - span["first"]).total_seconds()
        self.stdout.write(f"run: {invoices:,} invoices in {seconds:.1f} s")
        return invoices / seconds if seconds else 0.0
