"""The main pages on a believable book, photographed at laptop width, and checked for
sideways scrolling at tablet width.

`UPDATE_SCREENSHOTS=1` writes the pictures to docs/screenshots (the README shows them);
otherwise they go to a temporary folder and only the layout is checked.
"""

from __future__ import annotations

import datetime
import os
import re

import pytest
from django.db.models import Count
from django.utils import timezone
from playwright.sync_api import expect

from contracts.models import BillingContract
from demo.book import demo_book_create
from schedules.services import contract_line_change_quantity
from tests.conftest import PROJECT_DIR
from tests.e2e.conftest import TABLET, sign_in
from tests.invoicing.helpers import run_nightly

pytestmark = pytest.mark.django_db(transaction=True)
DOCS_SCREENSHOTS = PROJECT_DIR / "docs" / "screenshots"


@pytest.fixture
def folder(tmp_path):
    return DOCS_SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path


@pytest.fixture
def book(manager):
    """The demo book after last night's run. Its first monthly in-arrears contract of three
    lines or more whose last invoice is unpaid (so it can be replaced) has its current
    cycle still to invoice; a quantity change after its last invoice gives a
    replacement something to show."""
    today = timezone.localdate()
    demo_book_create(contracts=60, seed=42, today=today)
    run_nightly(today)
    candidates = (
        BillingContract.objects.active()
        .filter(billing_frequency="monthly", billing_timing="arrears")
        .filter(start_date__lte=today - datetime.timedelta(days=100))
        .annotate(line_count=Count("lines"))
        .filter(line_count__gte=3)
        .order_by("number")
    )
    for hero in candidates:
        current = hero.cycle_containing(today).index
        last = hero.schedules.filter(status="invoiced").select_related("resulting_invoice").last()
        if last and not last.resulting_invoice.is_paid:
            break
    else:
        pytest.fail("the demo book has no monthly in-arrears contract to show a replacement on")
    line = hero.lines.order_by("position").last()
    contract_line_change_quantity(
        line=line,
        quantity=line.quantity + 5,
        effective_date=last.period_start + datetime.timedelta(days=10),
        user=manager,
    )
    return hero, current, last.cycle_index


def fits_tablet(page, path: str) -> bool:
    """No sideways scrolling of the whole page at tablet width (tables may scroll inside)."""
    page.set_viewport_size(TABLET)
    page.goto(path)
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size({"width": 1366, "height": 900})
    return fits


def test_the_main_pages_render_cleanly_at_laptop_and_tablet_widths(page, manager, book, folder):
    hero, current, invoiced = book
    generate = f"/contracts/{hero.pk}/generate/"
    sign_in(page, manager)
    page.screenshot(path=folder / "dashboard.png", full_page=True)

    page.goto("/contracts/?status=active")
    page.screenshot(path=folder / "contract-list.png")

    page.goto(f"/contracts/{hero.pk}/")
    page.screenshot(path=folder / "contract-detail.png", full_page=True)

    page.goto(generate)
    expect(page.locator("[data-notice=ahead-of-schedule]")).to_be_visible()
    expect(page.locator("[data-preview]")).to_be_visible()
    page.screenshot(path=folder / "generate-invoice-preview.png", full_page=True)

    page.get_by_label("Billing cycle").select_option(str(current + 4))
    expect(page.locator("[data-notice=future-cycle]")).to_be_visible()
    page.screenshot(path=folder / "generate-invoice-future-cycle.png", full_page=True)

    page.get_by_label("Billing cycle").select_option(str(invoiced))
    expect(page.locator("[data-comparison]")).to_be_visible()
    page.get_by_label("Replace the existing invoice").check()
    page.screenshot(path=folder / "generate-invoice-replace.png", full_page=True)

    page.get_by_role("button", name="Replace invoice").click()
    page.get_by_role("link", name=re.compile("^Open invoice")).click()
    expect(page.get_by_text("Replaces", exact=True)).to_be_visible()
    page.screenshot(path=folder / "invoice-detail.png", full_page=True)
    invoice_page = page.url

    page.goto("/invoices/?payment=unpaid")
    expect(page.locator("[data-totals]")).to_be_visible()
    page.screenshot(path=folder / "invoice-list.png")

    customer = f"/customers/{hero.customer_id}/"
    page.goto(customer)
    expect(page.locator("[data-open-balance]")).to_be_visible()
    page.screenshot(path=folder / "customer-detail.png", full_page=True)

    pages = ["/", "/contracts/", f"/contracts/{hero.pk}/", generate, invoice_page, "/schedules/"]
    pages += ["/invoices/", "/customers/", customer, f"{customer}edit/"]
    assert [path for path in pages if not fits_tablet(page, path)] == []
    page.set_viewport_size(TABLET)
    page.goto(generate)
    page.screenshot(path=folder / "generate-invoice-tablet.png", full_page=True)
