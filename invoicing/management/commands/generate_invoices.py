"""generate_invoices: the nightly run, in this process, for an as-of date."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from invoicing.management.commands._progress import ProgressBar
from invoicing.models import GenerationJob, GenerationRun, Invoice
from invoicing.services import generation_run_execute, generation_run_open
from invoicing.services.runs import contracts_for_generation


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

    def handle(self, *args, **options):
        as_of = self._as_of(options["date"])
        contract_ids = None
        if options["contract"]:
            try:
                contract_ids = contracts_for_generation(options["contract"])
            except ValueError as error:
                raise CommandError(str(error)) from error
        if options["dry_run"]:
            self._dry_run(as_of, contract_ids)
            return
        run = generation_run_open(
            as_of=as_of, trigger=GenerationRun.Trigger.COMMAND, contract_ids=contract_ids
        )
        generation_run_execute(run, progress=ProgressBar())
        if self._report(run, dry_run=False):
            raise SystemExit(1)

    def _dry_run(self, as_of: date, contract_ids: list[int] | None) -> None:
        """Do the real work in one transaction, then roll it back: what it prints is
        exactly what a real run would write."""
        try:
            with transaction.atomic():
                run = generation_run_open(
                    as_of=as_of, trigger=GenerationRun.Trigger.COMMAND, contract_ids=contract_ids
                )
                generation_run_execute(run, progress=ProgressBar())
                self._report(run, dry_run=True)
                raise DryRunRollback
        except DryRunRollback:
            self.stdout.write("Dry run: nothing was written.")

    def _as_of(self, value: str | None) -> date:
        if not value:
            return timezone.localdate()
        try:
            return date.fromisoformat(value)
        except ValueError as error:
            raise CommandError(f"--date must be a date as YYYY-MM-DD, not {value!r}.") from error

    def _report(self, run: GenerationRun, *, dry_run: bool) -> int:
        if dry_run:
            for invoice in Invoice.objects.filter(job__run=run).select_related("contract"):
                self.stdout.write(
                    f"would generate {invoice.contract.number} {invoice.period_start}..."
                    f"{invoice.period_end} dated {invoice.invoice_date}: "
                    f"{invoice.currency} {invoice.total:.2f}"
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
