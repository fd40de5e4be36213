"""bench_pages: server time and SQL queries of the contract, invoice, customer and forecast
pages on a large book."""

from __future__ import annotations

import statistics
import time
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from contracts.models import BillingContract, ContractLine, Customer
from invoicing.benchmarks import (
    BENCH_PREFIX,
    bench_billing_manager,
    bench_book_create,
    bench_database_reset,
)
from invoicing.models import Door, ForecastBook, Invoice
from invoicing.services import generation_run_execute, generation_run_open
from schedules.services import contract_line_change_quantity

BENCH_USERNAME = "bench-pages"
# Nine cycles already invoiced and the one due today: about ten invoices per contract, a
# million for the 100,000-contract book.
HISTORY_CYCLES = 9
MAX_HISTORY_CYCLES = 24
BENCH_CURRENCIES = ("JPY", "EUR", "USD", "GBP", "CHF")
SUMMARY = ("list", "filtered", "search", "detail", "invoices", "customer", "forecast")
# Contracts edited one after another, for the forecast after an edit.
FORECAST_EDITS = 5
# What a night changes: a monthly book bills about one contract in 30 each night (their
# schedules invoiced, the next kept ahead), so 3,334 of 100,000 contracts drafted again.
NIGHTLY_SHARE = 30
NIGHTLY_CHANGES = 3


class Command(BaseCommand):
    help = (
        "Time the contract list (first page, filtered, search), a contract page, the invoice "
        "list (first page, filtered, a customer's), a customer page and the forecast on a "
        "synthetic book, built first if the database does not hold it. Use a database of its "
        "own: building the book empties the billing tables."
    )

    def add_arguments(self, parser):
        parser.add_argument("--contracts", type=int, default=100_000)
        parser.add_argument("--repeat", type=int, default=30, help="Requests per page.")
        parser.add_argument(
            "--history",
            type=int,
            default=HISTORY_CYCLES,
            help="Cycles each contract has already invoiced (9: about ten invoices each).",
        )

    def handle(self, *args, contracts: int, repeat: int, history: int, **options):
        if contracts < 1 or repeat < 1 or not 0 <= history <= MAX_HISTORY_CYCLES:
            raise CommandError(
                f"--contracts and --repeat must be at least 1, --history 0 to {MAX_HISTORY_CYCLES}."
            )
        as_of = timezone.localdate()
        self._book_ensure(contracts, history, as_of)
        client = Client(SERVER_NAME="localhost")
        client.force_login(bench_billing_manager(BENCH_USERNAME))
        medians = {}
        first, first_queries = self._measure_forecast_first_build(client)
        for name, url in self._pages(as_of).items():
            medians[name], queries = self._measure(client, url, repeat)
            self.stdout.write(
                f"{name}: median {medians[name]:.1f} ms, {queries} SQL queries  {url}"
            )
        edited, edited_queries = self._measure_forecast_edited(client, as_of)
        nightly, changed, nightly_queries = self._measure_forecast_nightly(client)
        self.stdout.write(
            f"forecast, as a manager meets it: median {medians['forecast']:.1f} ms; "
            f"after one contract edited: median {edited:.1f} ms, {edited_queries} SQL queries; "
            f"after {changed:,} contracts changed: median {nightly:.1f} ms, "
            f"{nightly_queries} SQL queries; "
            f"first build after install: {first:.1f} s, {first_queries} SQL queries"
        )
        self.stdout.write(
            "bench_pages: "
            + ", ".join(f"{name} {medians[name]:.1f} ms" for name in SUMMARY)
            + f", forecast after an edit {edited:.1f} ms"
            + f", forecast after a night's changes {nightly:.1f} ms"
            + f", forecast first build {first:.1f} s"
        )

    def _book_ensure(self, contracts: int, history: int, as_of) -> None:
        """The bench book, its history and one invoice due today per contract, unless it is
        already there (built on the same day with the same sizes)."""
        bench = BillingContract.objects.filter(number__startswith=BENCH_PREFIX)
        invoices = Invoice.objects.filter(contract__in=bench)
        expected = contracts * (history + 1) + (contracts + 9) // 10 * (history >= 2)
        if bench.count() == contracts and invoices.count() == expected:
            self.stdout.write(f"book: {contracts:,} contracts, {expected:,} invoices already there")
            return
        try:
            bench_database_reset()
        except ValueError as error:
            raise CommandError(str(error)) from error
        started = time.perf_counter()
        bench_book_create(
            contracts=contracts,
            lines=3,
            as_of=as_of,
            history_cycles=history,
            currencies=BENCH_CURRENCIES,
        )
        run = generation_run_open(as_of=as_of, trigger=Door.COMMAND)
        generation_run_execute(run)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(
            f"book: {contracts:,} contracts and {Invoice.objects.count():,} invoices in "
            f"{time.perf_counter() - started:.0f} s"
        )

    def _pages(self, as_of) -> dict[str, str]:
        contracts = reverse("contracts:list")
        filtered = {
            "status": "active",
            "frequency": "monthly",
            "currency": "EUR",
            "next_from": as_of.isoformat(),
            "next_to": (as_of + timedelta(days=60)).isoformat(),
            "sort": "-next_invoice_date",
        }
        middle = BillingContract.objects.order_by("number").values_list("pk", flat=True)
        middle = middle[BillingContract.objects.count() // 2]
        customer = BillingContract.objects.get(pk=middle).customer_id
        invoices = reverse("invoicing:invoice_list")
        invoices_filtered = {
            "status": "issued",
            "currency": "EUR",
            "payment": "unpaid",
            "issued_from": (as_of - timedelta(days=30)).isoformat(),
            "issued_to": as_of.isoformat(),
        }
        return {
            "list": contracts,
            "filtered": f"{contracts}?{urlencode(filtered)}",
            # A customer's name: the search a billing manager makes all day, a few rows.
            "search": f"{contracts}?{urlencode({'q': 'customer 0012345'})}",
            # A fragment 100 customers share: a full first page, counted.
            "broad search": f"{contracts}?{urlencode({'q': 'customer 00123'})}",
            "detail": reverse("contracts:detail", args=[middle]),
            "invoices": invoices,
            "invoices filtered": f"{invoices}?{urlencode(invoices_filtered)}",
            "customer's invoices": f"{invoices}?{urlencode({'customer_id': customer})}",
            "customer": reverse("customers:detail", args=[customer]),
            # The kept cycles up to date, as a manager meets them once the warm-up or the
            # previous visit refreshed them (here the first build above did).
            "forecast": reverse("invoicing:forecast"),
        }

    def _measure_forecast_first_build(self, client: Client) -> tuple[float, int]:
        """The forecast as the first visit after installing meets it: every cycle of the
        book drafted and kept. Seconds and SQL queries of one request."""
        ForecastBook.objects.update(horizon=None)
        elapsed, queries = self._forecast_once(client)
        self.stdout.write(
            f"forecast, first build after install (once): {elapsed / 1000:.1f} s, "
            f"{queries} SQL queries ({Customer.objects.count():,} customers)"
        )
        return elapsed / 1000, queries

    def _measure_forecast_edited(self, client: Client, as_of: date) -> tuple[float, int]:
        """The forecast right after one contract's line quantity was changed through the
        service, as a manager does: only that contract is drafted again. Median
        milliseconds over a few edits, and the queries of the last."""
        bench = BillingContract.objects.active().filter(number__startswith=BENCH_PREFIX)
        ids = list(bench.order_by("pk").values_list("pk", flat=True))
        timings, queries = [], 0
        for contract_id in ids[:: max(len(ids) // FORECAST_EDITS, 1)][:FORECAST_EDITS]:
            line = ContractLine.objects.filter(contract_id=contract_id).order_by("pk").first()
            if line is None:
                continue
            contract_line_change_quantity(
                line=line,
                quantity=line.quantity + 1,
                effective_date=max(as_of, line.contract.start_date),
            )
            elapsed, queries = self._forecast_once(client)
            timings.append(elapsed)
            self.stdout.write(
                f"forecast after editing contract {contract_id}: {elapsed:.1f} ms, "
                f"{queries} SQL queries"
            )
        if not timings:
            raise CommandError("No contract line to edit.")
        return statistics.median(timings), queries

    def _measure_forecast_nightly(self, client: Client) -> tuple[float, int, int]:
        """The forecast right after a night's worth of contracts changed (one in 30, spread
        over the book, a line's quantity each, in one statement): median milliseconds of a
        few such nights, contracts changed, and the queries of the last."""
        bench = BillingContract.objects.active().filter(number__startswith=BENCH_PREFIX)
        ids = list(bench.order_by("pk").values_list("pk", flat=True))
        timings, queries, changed = [], 0, []
        for night in range(NIGHTLY_CHANGES):
            changed = ids[night::NIGHTLY_SHARE]
            ContractLine.objects.filter(contract_id__in=changed, position=0).update(
                quantity=F("quantity") + 1
            )
            elapsed, queries = self._forecast_once(client)
            timings.append(elapsed)
            self.stdout.write(
                f"forecast after {len(changed):,} contracts changed: {elapsed:.1f} ms, "
                f"{queries} SQL queries"
            )
        return statistics.median(timings), len(changed), queries

    def _forecast_once(self, client: Client) -> tuple[float, int]:
        """Milliseconds and SQL queries of one forecast request."""
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            if client.get(reverse("invoicing:forecast")).status_code != 200:
                raise CommandError("The forecast did not answer 200.")
            elapsed = (time.perf_counter() - started) * 1000
        return elapsed, len(queries)

    def _measure(self, client: Client, url: str, repeat: int) -> tuple[float, int]:
        """Median milliseconds over `repeat` requests (after one to warm up), and the
        number of SQL queries of one request."""
        if client.get(url).status_code != 200:
            raise CommandError(f"{url} did not answer 200.")
        timings = []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
        return statistics.median(timings), len(queries)
