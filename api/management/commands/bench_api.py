"""bench_api: server time and SQL queries of the API's list endpoints (invoices, contracts)
on a large book: the first page, a filtered page and a later cursor page."""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.http import urlencode

from accounts.services import api_key_create
from invoicing.benchmarks import bench_billing_manager
from invoicing.management.commands.bench_pages import MAX_HISTORY_CYCLES
from invoicing.management.commands.bench_pages import Command as PagesBench

BENCH_USERNAME = "bench-api"
LATER_PAGE = 5  # the page whose queries must equal the first's: constant per page
LISTS = {
    "invoices": "/api/v1/invoices/",
    # Built by the other API resource; measured when the URL map has it.
    "contracts": "/api/v1/contracts/",
}


class Command(BaseCommand):
    help = (
        "Time the API's invoice and contract lists (first page, filtered, 5th cursor page) "
        "with an API key, on the bench_pages book (built first if missing). Use a database "
        "of its own: building the book empties the billing tables."
    )

    def add_arguments(self, parser):
        parser.add_argument("--contracts", type=int, default=100_000)
        parser.add_argument("--invoices", type=int, default=1_000_000)
        parser.add_argument("--repeat", type=int, default=30, help="Requests per page.")

    def handle(self, *args, contracts: int, invoices: int, repeat: int, **options):
        if contracts < 1 or repeat < 1 or invoices < contracts:
            raise CommandError("--contracts and --repeat at least 1, --invoices >= --contracts.")
        # bench_pages' book: (history + 1) invoices per contract.
        history = min(max(round(invoices / contracts) - 1, 0), MAX_HISTORY_CYCLES)
        as_of = timezone.localdate()
        pages = PagesBench(stdout=self.stdout, stderr=self.stderr)
        pages._book_ensure(contracts, history, as_of)
        _, key = api_key_create(user=bench_billing_manager(BENCH_USERNAME), name="bench_api")
        client = Client(SERVER_NAME="localhost", HTTP_AUTHORIZATION=f"Bearer {key}")
        summary = []
        # The rate limit is the key's business, not the measurement's.
        with override_settings(REST_FRAMEWORK=_unthrottled()):
            for name, (url, page) in self._urls(as_of).items():
                url = self._page(client, url, page)
                median, queries = self._measure(client, url, repeat)
                summary.append(f"{name} {median:.1f} ms / {queries} q")
                self.stdout.write(f"{name}: median {median:.1f} ms, {queries} SQL queries  {url}")
        self.stdout.write("bench_api: " + ", ".join(summary))

    def _urls(self, as_of) -> dict[str, tuple[str, int]]:
        """name -> (the list's address, the page of it to measure)."""
        filters = {
            "invoices": {
                "status": "issued",
                "currency": "EUR",
                "payment": "unpaid",
                "issued_from": (as_of - timedelta(days=30)).isoformat(),
                "issued_to": as_of.isoformat(),
            },
            "contracts": {"status": "active", "frequency": "monthly", "currency": "EUR"},
        }
        urls = {}
        for name, url in LISTS.items():
            try:
                missing = resolve(url).url_name == "not-found"  # the API's catch-all
            except Resolver404:
                missing = True
            if missing:
                self.stdout.write(f"{name}: {url} is not in this build, not measured")
                continue
            urls[f"{name} first page"] = (url, 1)
            urls[f"{name} filtered"] = (f"{url}?{urlencode(filters[name])}", 1)
            urls[f"{name} page {LATER_PAGE}"] = (url, LATER_PAGE)
        return urls

    def _measure(self, client: Client, url: str, repeat: int) -> tuple[float, int]:
        """Median milliseconds over `repeat` requests (after one to warm up), and the
        number of SQL queries of one request."""
        if (answer := client.get(url)).status_code != 200:
            raise CommandError(f"{url} answered {answer.status_code}: {answer.content[:300]!r}")
        timings = []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
        return statistics.median(timings), len(queries)

    def _page(self, client: Client, url: str, number: int) -> str:
        """The address of the list's page `number`, following the cursors."""
        for _ in range(number - 1):
            following = client.get(url).json().get("next")
            if not following:
                break
            url = following
        return url


def _unthrottled() -> dict:
    from django.conf import settings

    rates = {"api_key": "1000000/minute"}
    return {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
