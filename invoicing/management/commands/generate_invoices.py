"""generate_invoices: the nightly run, or a bulk run (--bulk), in this process."""

import argparse
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from billing_site.errors import BillingError
from billing_site.locales import site_locale
from contracts.models import POST_TASKS
from invoicing.management.commands._progress import ProgressBar
from invoicing.models import Door, GenerationJob, GenerationRun, Invoice
from invoicing.money_format import format_money
from invoicing.services import generation_run_execute, generation_run_open
from invoicing.services.bulk import (
    bulk_change_log_run_start,
    bulk_run_start,
    runs_left_behind_take_over,
)
from invoicing.services.runs import contracts_for_generation
from schedules import cycles


class DryRunRollback(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Generate every invoice due on or before the as-of date (default: today in the "
        "billing time zone), catching up missed days. Exit status 1 if any contract failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="As-of date, YYYY-MM-DD (default: today).")
        parser.add_argument(
            "--contract",
            action="append",
            default=[],
            metavar="NUMBER",
            help="Only this contract (repeat for several).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what would be generated; write nothing."
        )
        bulk = parser.add_argument_group("bulk generation (like the bulk window)")
        bulk.add_argument(
            "--bulk",
            action="store_true",
            help="Bill each --contract's cycle containing --cycle-date, due or not.",
        )
        bulk.add_argument("--cycle-date", help="YYYY-MM-DD: the cycles to bill (default: --date).")
        bulk.add_argument(
            "--replace", action="store_true", help="Replace invoices that already exist."
        )
        bulk.add_argument(
            "--change-log",
            action="store_true",
            help="With --bulk: bill the unbilled changes effective in --period-start..--period-end.",
        )
        bulk.add_argument("--period-start", help="YYYY-MM-DD: first effective date (change log).")
        bulk.add_argument("--period-end", help="YYYY-MM-DD: last effective date (change log).")
        for task in POST_TASKS:
            bulk.add_argument(
                f"--{task.replace('_', '-')}",
                action=argparse.BooleanOptionalAction,
                help=f"Override the contracts' {task.replace('_', '-')} for this run.",
            )

    def handle(self, *args, **options):
        as_of = self._date(options["date"], "--date") if options["date"] else timezone.localdate()
        contract_ids = None
        if options["contract"]:
            if any("\x00" in number for number in options["contract"]):
                raise CommandError("--contract cannot contain a null character.")
            try:
                contract_ids = contracts_for_generation(options["contract"])
            except ValueError as error:
                raise CommandError(str(error)) from error
        if options["bulk"] and not contract_ids:
            raise CommandError("--bulk needs at least one --contract.")
        if options["dry_run"]:
            self._dry_run(as_of, contract_ids, options)
            return
        if not options["bulk"] and contract_ids is None:
            self._finish_left_behind()
        run = self._open(as_of, contract_ids, options)
        generation_run_execute(run, progress=ProgressBar())
        if self._report(run, dry_run=False):
            raise SystemExit(1)

    def _finish_left_behind(self) -> None:
        """The night's door finishes first the runs whose process died (or that never
        reached the queue), so none stays open for ever and nothing is generated twice."""
        for run in runs_left_behind_take_over(door=Door.COMMAND):
            self.stdout.write(f"Resuming {run}, left behind by its process.")
            generation_run_execute(run, progress=ProgressBar())
            self._report(run, dry_run=False)

    def _open(self, as_of: date, contract_ids: list[int] | None, options) -> GenerationRun:
        if not options["bulk"]:
            return generation_run_open(as_of=as_of, trigger=Door.COMMAND, contract_ids=contract_ids)
        chosen = {task: options[task] for task in POST_TASKS if options[task] is not None}
        try:
            if options["change_log"]:
                return bulk_change_log_run_start(
                    contract_ids=contract_ids,
                    period_start=self._date(options["period_start"] or "", "--period-start"),
                    period_end=self._date(options["period_end"] or "", "--period-end"),
                    as_of=as_of,
                    enqueue=False,
                )
            return bulk_run_start(
                contract_ids=contract_ids,
                cycle_date=self._date(options["cycle_date"], "--cycle-date")
                if options["cycle_date"]
                else as_of,
                replace=options["replace"],
                replace_confirmed=options["replace"],  # --replace is the confirmation
                post_tasks=chosen or None,
                as_of=as_of,
                enqueue=False,  # this process does the work, with its progress bar
            )
        except BillingError as error:
            raise CommandError(str(error)) from error

    def _dry_run(self, as_of: date, contract_ids: list[int] | None, options) -> None:
        """Do the real work in one transaction, then roll it back: what it prints is
        exactly what a real run would write."""
        try:
            with transaction.atomic():
                run = self._open(as_of, contract_ids, options)
                generation_run_execute(run, progress=ProgressBar())
                self._report(run, dry_run=True)
                raise DryRunRollback
        except DryRunRollback:
            self.stdout.write("Dry run: nothing was written.")

    def _date(self, value: str, option: str) -> date:
        try:
            day = date.fromisoformat(value)
        except ValueError as error:
            raise CommandError(f"{option} must be a date as YYYY-MM-DD, not {value!r}.") from error
        try:
            cycles.validate_day(day, option)
        except ValueError as error:
            raise CommandError(str(error)) from error
        return day

    def _report(self, run: GenerationRun, *, dry_run: bool) -> int:
        if dry_run:
            for invoice in Invoice.objects.filter(job__run=run).select_related("contract"):
                self.stdout.write(
                    f"would generate {invoice.contract.number} {invoice.period_start}..."
                    f"{invoice.period_end} dated {invoice.invoice_date}: "
                    f"{format_money(invoice.total, invoice.currency, site_locale())}"
                )
        for job in run.jobs.filter(status=GenerationJob.Status.FAILED).select_related("contract"):
            self.stderr.write(f"failed {job.contract.number}: {job.message}")
        counts = run.counts()
        invoices = Invoice.objects.filter(job__run=run).count()
        verb = "Would generate" if dry_run else "Generated"
        self.stdout.write(
            f"{verb} {invoices} invoice(s) for {counts['succeeded']} contract(s) as of "
            f"{run.as_of_date}: generated {counts['succeeded']} / skipped {counts['skipped']} "
            f"/ failed {counts['failed']}."
        )
        return counts["failed"]
