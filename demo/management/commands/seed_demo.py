"""Seed the demo book: `manage.py seed_demo [--contracts N] [--seed S] [--if-empty] [--today D]`."""

import re
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from billing_site.errors import BillingError
from contracts.models import BillingContract, ContractLine, Customer
from demo.book import demo_book_create
from invoicing.models import GenerationJob, Invoice
from invoicing.services.forecast import forecast_refresh
from schedules import cycles
from schedules.models import BillingSchedule

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
BOOK_REACH_YEARS = 10


class Command(BaseCommand):
    help = (
        "Create a believable, deterministic demo book of customers, contracts and schedules, "
        "with its history: invoices generated until yesterday, most of the older ones paid."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--contracts", type=int, default=200, help="How many contracts (default 200)."
        )
        parser.add_argument(
            "--seed", type=int, default=42, help="Same seed, same book (default 42)."
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when any contract exists."
        )
        parser.add_argument(
            "--today", help="The as-of date, YYYY-MM-DD (default: today in TIME_ZONE)."
        )

    def handle(self, *args, contracts, seed, if_empty, today, **options):
        count = _whole_number("--contracts", contracts)
        seed = _whole_number("--seed", seed)
        as_of = _as_of(today)
        if if_empty and BillingContract.objects.exists():
            self.stdout.write("Contracts exist already: no demo data seeded.")
            return
        try:
            created = demo_book_create(contracts=count, seed=seed, today=as_of)
        except BillingError as error:
            raise CommandError(str(error)) from error
        # The book's cycles drafted now, so the first visit to the forecast reads them.
        forecast_refresh(today=as_of, warm_up=True)
        invoices = Invoice.objects.live()
        self.stdout.write(
            self.style.SUCCESS(f"Seeded {created} demo contracts (seed {seed}, as of {as_of}).")
            + f" The book now holds {Customer.objects.count()} customers, "
            f"{BillingContract.objects.count()} contracts "
            f"({BillingContract.objects.active().count()} active), "
            f"{ContractLine.objects.count()} lines, {BillingSchedule.objects.count()} schedules "
            f"and {invoices.count()} invoices "
            f"({invoices.filter(paid_at__isnull=False).count()} paid, "
            f"{invoices.filter(paid_at__isnull=True, due_date__lt=as_of).count()} overdue); "
            f"{GenerationJob.objects.filter(status=GenerationJob.Status.FAILED).count()} "
            "generation job(s) failed."
        )


def _whole_number(flag: str, value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise CommandError(f"{flag} must be a whole number, got {value!r}.") from None


def _as_of(value: str | date | None) -> date:
    if value is None:
        return timezone.localdate()
    if isinstance(value, date):
        return value
    try:
        if not ISO_DATE.fullmatch(value):
            raise ValueError(value)
        day = date.fromisoformat(value)
    except (TypeError, ValueError):
        raise CommandError(f"--today must be a date as YYYY-MM-DD, got {value!r}.") from None
    # The book reaches a few years back from --today (an ended triennial term) and ahead (a
    # fixed term, its schedules): ten years each way keeps all of it inside the billed dates.
    first = date(cycles.FIRST_SUPPORTED_DAY.year + BOOK_REACH_YEARS, 1, 1)
    last = date(cycles.LAST_SUPPORTED_DAY.year - BOOK_REACH_YEARS, 12, 31)
    if not first <= day <= last:
        raise CommandError(f"--today must be from {first} to {last}, got {value}.")
    return day
