"""bench_generation: build a synthetic book, time the floor and the nightly run on it, print
the ratio. Each step runs in a process of its own; --repeat gives medians."""

import statistics
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from invoicing.bench_celery import celery_run_step
from invoicing.bench_floor import floor_step
from invoicing.bench_measure import Measure, book_step, in_child, run_step
from invoicing.benchmarks import bench_database_reset


class Command(BaseCommand):
    help = (
        "Benchmark the nightly generation on the configured database (use one of its own): "
        "the floor (the same rows written the fastest way) and the run, back to back on the "
        "same book, with invoices per second, the run / floor ratio, SQL statements per "
        "invoice and the run's own peak memory."
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
        parser.add_argument(
            "--celery",
            type=int,
            default=0,
            metavar="N",
            help="Run the real nightly task through a Celery worker of N processes on the "
            "configured broker, instead of in-process.",
        )
        parser.add_argument("--repeat", type=int, default=1, help="Book, floor, run: N times.")
        parser.add_argument("--no-floor", action="store_true", help="Time the run only.")

    def handle(self, *args, contracts, lines, date, workers, celery, repeat, no_floor, **options):
        if min(contracts, lines, workers, repeat) < 1 or celery < 0:
            raise CommandError("--contracts, --lines, --workers and --repeat must be at least 1.")
        as_of = self._parse(date)
        try:
            bench_database_reset()
        except ValueError as error:
            raise CommandError(str(error)) from error
        floors: list[Measure] = []
        runs: list[Measure] = []
        for _ in range(repeat):
            seconds = in_child(book_step, contracts, lines, as_of)
            self.stdout.write(f"book: {contracts:,} contracts × {lines} lines in {seconds:.1f} s")
            if not no_floor:
                floors.append(in_child(floor_step, as_of))
                self._line("floor", floors[-1])
            if celery:
                runs.append(celery_run_step(as_of, celery))
            else:
                runs.append(in_child(run_step, as_of, workers))
            if runs[-1].invoices != contracts:
                raise CommandError(f"Expected {contracts} invoices, got {runs[-1].invoices}.")
            self._line("run", runs[-1])
            if floors:
                self._ratio(floors[-1:], runs[-1:], "ratio")
        if repeat > 1 and floors:
            self._ratio(floors, runs, f"median of {repeat}")
        doors = f"Celery worker of {celery} process(es)" if celery else f"{workers} process(es)"
        run = runs[-1]
        self.stdout.write(
            f"bench: {run.invoices} invoices, {statistics.median(r.rate for r in runs):.0f} inv/s "
            f"(median) with {doors}, "
            f"{run.statements / run.invoices:.3f} stmts/inv, run peak {run.peak_mb:.0f} MB"
        )

    def _line(self, name: str, measure: Measure) -> None:
        self.stdout.write(
            f"{name}: {measure.seconds:.2f} s, {measure.rate:.0f} inv/s; "
            f"CPU {measure.cpu_seconds:.2f} s, {measure.cpu_rate:.0f} inv/CPU-s; "
            f"peak {measure.peak_mb:.0f} MB"
        )

    def _ratio(self, floors: list[Measure], runs: list[Measure], label: str) -> None:
        pairs = list(zip(floors, runs, strict=True))
        wall = statistics.median(r.rate / f.rate for f, r in pairs)
        # CPU is known only where both ran in-process (not through a Celery worker).
        cpu = [r.cpu_rate / f.cpu_rate for f, r in pairs if f.cpu_rate and r.cpu_rate]
        cpu_text = f"{statistics.median(cpu):.2f} (CPU)" if cpu else "n/a (CPU)"
        floor = statistics.median(f.rate for f in floors)
        run = statistics.median(r.rate for r in runs)
        self.stdout.write(
            f"{label}: floor {floor:.0f} inv/s, run {run:.0f} inv/s, "
            f"run / floor {wall:.2f} (wall), {cpu_text}"
        )

    def _parse(self, value: str) -> date:
        try:
            return date.fromisoformat(value)
        except ValueError as error:
            raise CommandError(f"--date must be YYYY-MM-DD, not {value!r}.") from error
