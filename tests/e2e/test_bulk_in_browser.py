"""Bulk generation in Chromium with a real Celery worker on Redis: select three contracts on
the list, open the bulk window, Proceed, watch the run reach 100 %, follow a row to its job
and its invoice. The worker shares the live server's (committed) test database.

`UPDATE_SCREENSHOTS=1` also photographs the bulk window and the progress page for the README.
"""

from __future__ import annotations

import os
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from invoicing.models import GenerationRun, Invoice
from tests.conftest import PROJECT_DIR
from tests.e2e.conftest import sign_in
from tests.invoicing.helpers import active_contract
from tests.web.helpers import invoice_cycle

pytestmark = pytest.mark.django_db(transaction=True)
DOCS_SCREENSHOTS = PROJECT_DIR / "docs" / "screenshots"
RUN_TIMEOUT_MS = 60_000


@pytest.fixture
def folder(tmp_path):
    return DOCS_SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path


@pytest.fixture
def three_contracts(manager):
    today = timezone.localdate()
    return [active_contract(start=today.replace(day=1), as_of=today) for _ in range(3)]


def test_three_contracts_selected_on_the_list_are_invoiced_by_a_real_worker(
    page, manager, three_contracts, celery_worker, folder
):
    sign_in(page, manager, then="/contracts/")
    for contract in three_contracts:
        page.get_by_label(f"Select {contract.number}").check()
    expect(page.get_by_text("3 selected")).to_be_visible()

    page.get_by_role("button", name="Generate invoices…").click()

    expect(page.get_by_role("heading", name="Generate invoices in bulk")).to_be_visible()
    expect(page.get_by_text("3 contracts selected.")).to_be_visible()
    expect(page.locator("#bulk-summary")).to_contain_text("3 invoices would be generated")
    page.screenshot(path=str(folder / "bulk-window.png"), full_page=True)

    page.get_by_role("button", name="Proceed").click()

    expect(page).to_have_url(re.compile(r"/runs/\d+/$"))
    expect(page.locator("[data-progress-percent]")).to_have_text("100 %", timeout=RUN_TIMEOUT_MS)
    expect(page.locator('[data-count="succeeded"]')).to_have_text("3")
    # The worker closes the run just after its last job: the page polls until it says so.
    expect(page.locator("[data-run-state]")).to_have_text("Finished", timeout=RUN_TIMEOUT_MS)
    page.screenshot(path=str(folder / "bulk-progress.png"), full_page=True)
    run = GenerationRun.objects.get()
    assert run.status == GenerationRun.Status.FINISHED

    first = three_contracts[0]
    invoice = Invoice.objects.get(contract=first)
    row = page.get_by_role("row").filter(has_text=first.number)
    row.get_by_role("link", name=re.compile(r"Job #\d+")).click()
    expect(page.get_by_role("heading", name=re.compile(r"Job #\d+"))).to_be_visible()
    expect(page.get_by_text("Succeeded").first).to_be_visible()

    page.get_by_role("link", name=invoice.number).click()
    expect(
        page.get_by_role("heading", name=re.compile(f"Invoice {invoice.number}"))
    ).to_be_visible()


def test_a_quantity_change_in_an_invoiced_cycle_is_billed_by_the_change_log_tab(
    page, manager, celery_worker, folder
):
    today = timezone.localdate()
    contract = active_contract(start=today.replace(day=1), as_of=today)
    invoice_cycle(contract, 0)
    sign_in(page, manager, then=f"/contracts/{contract.pk}/")

    page.get_by_text("Change quantity").click()
    page.get_by_label(re.compile("New quantity of")).fill("13")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("quantity 10 → 13")).to_be_visible()

    page.goto(f"/contracts/bulk/?contracts={contract.pk}&tab=change_log")
    page.screenshot(path=str(folder / "bulk-window-change-log.png"), full_page=True)
    page.get_by_role("button", name="Proceed").click()

    expect(page.locator("[data-run-state]")).to_have_text("Finished", timeout=RUN_TIMEOUT_MS)
    expect(page.locator('[data-count="succeeded"]')).to_have_text("1")
    change_log_invoice = Invoice.objects.get(kind=Invoice.Kind.CHANGE_LOG)
    page.get_by_role("link", name=change_log_invoice.number).click()

    expect(page.get_by_text("Change log invoice")).to_be_visible()
    assert change_log_invoice.lines.get().quantity == 3
