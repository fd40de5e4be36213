"""Every page of the web UI, on a believable book, at laptop and phone widths: axe-core
finds no serious or critical violation, and the page never scrolls sideways (a wide table
may scroll inside its own container).

The book is built once for the module and served by a live server of the module's own, so
each width signs in once and every page is only a navigation: the pages read, never write.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connections
from django.db.models import Count
from django.urls import URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.utils import timezone
from pytest_django.live_server_helper import LiveServer

from accounts.services import api_key_create
from contracts.models import BillingContract
from demo.book import demo_book_create
from invoicing.models import GenerationJob
from tests.e2e.axe import axe_violations, violations_described
from tests.e2e.conftest import LAPTOP, sign_in
from tests.factories import BILLING_MANAGERS, BILLING_VIEWERS, user_in
from tests.migration_data import migration_data_restore

# The mark makes pytest-django create the test database; each test's transaction is never
# used (the pages are read through the live server's own connection, from committed rows).
pytestmark = pytest.mark.django_db
PHONE = {"width": 390, "height": 844}
WIDTHS = {"laptop": LAPTOP, "phone": PHONE}


@dataclass(frozen=True)
class Book:
    """The rows the pages are shown for."""

    contract: int
    future_cycle: int
    customer: int
    invoice: int
    run: int
    failed_job: int
    month: str
    api_key: int


# (name, who looks, path). Paths are templates filled from the Book; "viewer" is a Billing
# viewer (read-only), "nobody" is signed out.
PAGES = [
    ("dashboard", "manager", "/"),
    ("contract-list", "manager", "/contracts/?status=active"),
    ("contract", "manager", "/contracts/{contract}/"),
    ("contract-create", "manager", "/contracts/new/?customer={customer}"),
    ("contract-edit", "manager", "/contracts/{contract}/edit/"),
    ("offset-editor", "manager", "/contracts/{contract}/offset/?offset_days=-3"),
    ("contract-end", "manager", "/contracts/{contract}/end/?end_date={month}"),
    ("generate-future-cycle", "manager", "/contracts/{contract}/generate/?cycle={future_cycle}"),
    ("change-log-invoice", "manager", "/contracts/{contract}/change-log-invoice/"),
    ("bulk-regular", "manager", "/contracts/bulk/?contracts={contract}"),
    ("bulk-change-log", "manager", "/contracts/bulk/?contracts={contract}&tab=change_log"),
    ("run-list", "manager", "/runs/"),
    ("run", "manager", "/runs/{run}/"),
    ("job", "manager", "/runs/jobs/{failed_job}/"),
    ("invoice-list", "manager", "/invoices/"),
    ("invoice", "manager", "/invoices/{invoice}/"),
    ("credit-note", "manager", "/invoices/{invoice}/credit/"),
    ("customer-list", "manager", "/customers/"),
    ("customer", "manager", "/customers/{customer}/"),
    ("customer-form", "manager", "/customers/{customer}/edit/"),
    ("customer-create", "manager", "/customers/new/"),
    ("catch-up", "manager", "/generate-all-due/"),
    ("posting-periods", "manager", "/posting-periods/"),
    ("posting-period-close", "manager", "/posting-periods/close/?month={month}"),
    ("forecast", "manager", "/forecast/"),
    ("schedule-list", "manager", "/schedules/"),
    ("api-keys", "manager", "/accounts/api-keys/"),
    ("api-key-revoke", "manager", "/accounts/api-keys/{api_key}/revoke/"),
    ("login", "nobody", "/accounts/login/"),
    ("forbidden-403", "viewer", "/contracts/new/"),
    ("not-found-404", "manager", "/no-such-page/"),
]
# The outermost elements reaching past the window's right edge and not clipped by a
# scrolling frame (an absolutely positioned one escapes a frame that is not positioned):
# where a page too wide for the screen needs its fix.
STICKING_OUT = """(() => {
  const outside = (node) => node.getBoundingClientRect().right > window.innerWidth + 0.5;
  const clipped = (node) => {
    if (["absolute", "fixed"].includes(getComputedStyle(node).position)) return false;
    for (let up = node.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") return true;
    }
    return false;
  };
  const culprits = [...document.querySelectorAll("body *")].filter(
    (node) => outside(node) && !clipped(node)
  );
  return culprits.filter((node) => !culprits.includes(node.parentElement)).slice(0, 5).map(
    (node) => node.tagName.toLowerCase() + (node.className ? "." + String(node.className)
      .trim().split(/\\s+/).join(".") : "") + " " + Math.round(node.getBoundingClientRect().right) + " px"
  );
})()"""

# What the URL confs name that is no page to look at: POST-only actions, downloads, the
# health check and Django admin's own pages.
NOT_PAGES = {
    "healthz",
    "logout",
    "language",
    "api_key_create",
    "contracts:line_quantity",
    "invoicing:invoice_list_csv",
    "invoicing:invoice_void",
    "invoicing:send_again",
    "invoicing:task_retry",
    "invoicing:transfer_received",
    "invoicing:change_log_replace",
    "invoicing:forecast_csv",
    "invoicing:run_retry",
    "invoicing:run_resume",
    "posting_periods:reopen",
    "post_invoicing:invoice_pdf",
    "post_invoicing:invoice_xml",
    "post_invoicing:invoices_csv",
}


def _url_names(patterns, namespace: str = "") -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            # Admin's pages are Django's; the API answers JSON, checked by tests/api.
            if pattern.app_name not in ("admin", "api"):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                names |= _url_names(pattern.url_patterns, inner)
        elif pattern.name:
            names.add(namespace + pattern.name)
    return names


def _book_create() -> Book:
    """The demo book after last night's run (it holds a failed job), and on it a monthly
    contract of several lines with invoices, paid and unpaid."""
    today = timezone.localdate()
    demo_book_create(contracts=60, seed=42, today=today)
    hero = (
        BillingContract.objects.active()
        .filter(billing_frequency="monthly", start_date__lte=today - datetime.timedelta(days=100))
        .annotate(line_count=Count("lines", distinct=True), invoiced=Count("invoices"))
        .filter(line_count__gte=2, invoiced__gte=2)
        .order_by("number")
        .first()
    )
    failed = GenerationJob.objects.filter(status=GenerationJob.Status.FAILED).first()
    assert hero is not None and failed is not None, "the demo book changed: pick other rows"
    return Book(
        contract=hero.pk,
        future_cycle=hero.cycle_containing(today).index + 3,
        customer=hero.customer_id,
        invoice=hero.invoices.order_by("-invoice_date").first().pk,
        run=failed.run_id,
        failed_job=failed.pk,
        month=today.replace(day=1).isoformat(),
        api_key=0,  # made with the manager, in `site`
    )


# The connections the tests' transactions ran on, closed with the module (see `site`).
tests_connections: set = set()


@pytest.fixture(autouse=True)
def _remember_the_tests_connection():
    tests_connections.add(connections["default"])


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    """The book, committed, and a live server of this module's own reading it. The tests
    only browse, so the rows stay for the whole module and are flushed once at its end, as a
    transactional test's are. Set up before the browser and torn down after it: the ORM is
    used outside Playwright's event loop only."""
    with django_db_blocker.unblock():
        manager = user_in(
            BILLING_MANAGERS, username="manager", first_name="Maya", last_name="Keller"
        )
        user_in(BILLING_VIEWERS, username="viewer")
        book = replace(_book_create(), api_key=api_key_create(user=manager, name="CRM")[0].pk)
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            yield server.url, book
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            call_command("flush", verbosity=0, interactive=False)
            migration_data_restore()
            # The tests' own transactions ran on a connection of another context (the
            # browser's event loop was running): closed here, as the database is dropped next.
            for wrapper in tests_connections:
                if wrapper is not connections["default"]:
                    wrapper.close()


@pytest.fixture(scope="module")
def tabs(site, browser):
    """One signed-in tab per (person, width), opened on first use (the book first)."""
    url, _ = site
    opened = {}

    def tab(who: str, width: str):
        if (who, width) not in opened:
            context = browser.new_context(base_url=url, locale="en-GB", viewport=WIDTHS[width])
            context.set_default_timeout(10_000)
            page = context.new_page()
            if who != "nobody":
                sign_in(page, SimpleNamespace(username=who))  # no ORM call beside the browser
            opened[who, width] = page
        return opened[who, width]

    yield tab
    for page in opened.values():
        page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("name", "who", "path"), PAGES, ids=[name for name, _, _ in PAGES])
def test_the_page_is_usable_by_everyone(tabs, site, name, who, path, width):
    _, book = site
    page = tabs(who, width)
    page.goto(path.format(**vars(book)))
    page.wait_for_load_state("networkidle")

    problems = violations_described(axe_violations(page))
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    if scroll_width > inner_width:
        problems += f"\nscrolls sideways: {scroll_width} px wide in a {inner_width} px window"
        problems += f" (sticking out: {', '.join(page.evaluate(STICKING_OUT))})"
    assert not problems.strip(), f"{name} at {width} width:\n{problems.strip()}"


def test_every_page_the_url_confs_name_is_checked():
    checked = set()
    for _, _, path in PAGES:
        try:
            match = resolve(path.split("?")[0].format(**dict.fromkeys(Book.__annotations__, 1)))
        except Resolver404:
            continue  # the 404 page's address
        checked.add(match.view_name)
    assert _url_names(get_resolver().url_patterns) - NOT_PAGES - checked == set()


def test_the_preview_shows_every_amount_on_a_phone_without_scrolling(tabs, site):
    _, book = site
    page = tabs("manager", "phone")
    page.goto(f"/contracts/{book.contract}/generate/?cycle={book.future_cycle}")

    amounts = page.locator("[data-preview] tbody td.num:visible, [data-preview] [data-total]")
    assert amounts.count() >= 3
    rights = [
        box["x"] + box["width"] for box in map(lambda cell: cell.bounding_box(), amounts.all())
    ]
    assert max(rights) <= PHONE["width"], rights
    frame = page.locator("[data-preview] .table-scroll")
    assert frame.evaluate("frame => frame.scrollWidth <= frame.clientWidth")
