"""bench_generation: build a synthetic book, run the nightly generation, print figures."""

import resource
import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from billing_site.bulk import count_statements
from invoicing.benchmarks import bench_book_create, bench_database_reset, run_in_processes
from invoicing.models import Door, Invoice
from invoicing.services import generation_run_execute, generation_run_open


class Command(BaseCommand):
    help = (
        "Benchmark the nightly generation on the configured database (use one of its own): "
        "prints invoices per second, SQL statements per invoice and peak memory."
    )

    def add_arguments(self, parser):
        parser.add_argument("--contracts", type=int, default=10_000)
        parser.add_argument("--lines", type=int, default=3)
        parser.add_argument("--date", default="2026-03-02", help="The night's as-of date.")
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="Worker processes sharing the run's chunks, as Celery workers would.",
        )

    def handle(self, *args, contracts, lines, date: str, workers: int, **options):
        if contracts < 1 or lines < 1 or workers < 1:
            raise CommandError("--contracts, --lines and --workers must be at least 1.")
        as_of = self._parse(date)
        try:
            bench_database_reset()
        except ValueError as error:
            raise CommandError(str(error)) from error
        started = time.perf_counter()
        bench_book_create(contracts=contracts, lines=lines, as_of=as_of)
        self.stdout.write(
            f"book: {contracts:,} contracts × {lines} lines in "
            f"{time.perf_counter() - started:.1f} s"
        )

        started = time.perf_counter()
        with count_statements() as statements:
            run = generation_run_open(as_of=as_of, trigger=Door.COMMAND)
            if workers == 1:
                generation_run_execute(run)
            else:
                statements[0] += run_in_processes(run, workers)
        seconds = time.perf_counter() - started
        invoices = Invoice.objects.filter(job__run=run).count()
        if invoices != contracts:
            raise CommandError(f"Expected {contracts} invoices, got {invoices}: {run.counts()}")
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rate = invoices / seconds
        per_invoice = statements[0] / invoices
        self.stdout.write(
            f"run: {seconds:.2f} s with {workers} worker process(es), "
            f"{statements[0]} SQL statements"
        )
        self.stdout.write(
            f"bench: {invoices} invoices, {rate:.0f} inv/s, {per_invoice:.3f} stmts/inv, "
            f"{peak_mb:.0f} MB"
        )

    def _parse(self, value: str) -> date:
        try:
            return date.fromisoformat(value)
        except ValueError as error:
            raise CommandError(f"--date must be YYYY-MM-DD, not {value!r}.") from error
