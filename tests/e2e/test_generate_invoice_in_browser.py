"""Generate Invoice in a real browser: sign in, find, preview, generate, replace, future cycle."""

from __future__ import annotations

import re

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from playwright.sync_api import expect

from invoicing.models import Invoice
from invoicing.services import invoice_generate
from schedules.models import BillingSchedule
from tests.e2e.conftest import sign_in
from tests.factories import CustomerFactory
from tests.invoicing.helpers import active_contract

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def contract(transactional_db):
    """Monthly in advance since the first of the month before last: this month is current."""
    today = timezone.localdate()
    start = today.replace(day=1) - relativedelta(months=2)
    return active_contract(
        start=start, as_of=today, customer=CustomerFactory(name="Kestrel Dental Group")
    )


def current_cycle(contract) -> BillingSchedule:
    return contract.schedules.get(cycle_index=2)


def test_a_manager_signs_in_finds_a_contract_previews_it_and_generates_the_invoice(
    page, manager, contract
):
    sign_in(page, manager)
    expect(page.get_by_role("heading", name="Today")).to_be_visible()

    page.get_by_role("link", name="Contracts", exact=True).click()
    page.get_by_label("Search").fill("kestrel")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name=contract.number).click()
    page.get_by_role("link", name="Generate Invoice").click()

    preview = page.locator("[data-preview]")
    expect(preview).to_contain_text("10")
    expect(preview.locator("[data-total]")).to_have_text("EUR\u00a0150.00")
    page.get_by_role("button", name="Generate invoice").click()

    success = page.locator("[data-generated] .notice.success")
    expect(success).to_contain_text(" generated.")
    invoice = Invoice.objects.get(contract=contract)
    expect(success).to_contain_text(f"Invoice {invoice.number} generated.")
    expect(success).to_contain_text(
        f"EUR\u00a0150.00 for {invoice.period_start.day} {invoice.period_start:%b %Y}"
    )
    expect(success).to_contain_text(f"due {invoice.due_date.day} {invoice.due_date:%b %Y}")
    # The success state, not the same cycle again in replace mode.
    expect(page.locator("[data-notice=already-invoiced]")).to_have_count(0)
    expect(page.get_by_role("link", name="Download PDF")).to_be_visible()
    expect(page.get_by_role("link", name="Generate another cycle")).to_be_visible()
    page.reload()  # a refresh shows the state again and generates nothing
    expect(success).to_be_visible()
    assert Invoice.objects.filter(contract=contract).count() == 1
    page.get_by_role("link", name=f"Open invoice {invoice.number}").click()
    expect(page.get_by_role("heading", name=f"Invoice {invoice.number}")).to_be_visible()
    schedule = current_cycle(contract)
    assert (schedule.status, schedule.resulting_invoice) == ("invoiced", invoice)


def test_generating_an_invoiced_cycle_again_needs_the_replace_box(page, manager, contract):
    old = invoice_generate(schedule=current_cycle(contract))
    sign_in(page, manager, then=f"/contracts/{contract.pk}/generate/")

    expect(page.locator("[data-notice=already-invoiced]")).to_contain_text(old.number)
    expect(page.locator("[data-comparison]")).to_contain_text(f"Changes against {old.number}")
    button = page.get_by_role("button", name=f"Replace invoice {old.number}")
    expect(button).to_be_disabled()
    page.get_by_label("Replace the existing invoice").check()
    expect(button).to_be_enabled()
    button.click()

    expect(page.locator("[data-generated]")).to_be_visible()
    old.refresh_from_db()
    expect(page.locator("[data-generated]")).to_contain_text(
        f"Invoice {old.replaced_by.number} generated."
    )
    assert old.status == "replaced"
    page.goto(f"/invoices/{old.pk}/")
    expect(page.get_by_text("This invoice was replaced by")).to_be_visible()


def test_picking_a_future_cycle_shows_the_warning_and_proceed_generates_it(page, manager, contract):
    future = contract.cycle_at(8)  # beyond the three schedules kept ahead
    sign_in(page, manager, then=f"/contracts/{contract.pk}/generate/")
    expect(page.get_by_role("button", name="Proceed")).to_have_count(0)

    page.get_by_label("Billing cycle").select_option("8")

    warning = page.locator("[data-notice=future-cycle]")
    expect(warning).to_contain_text("This is a future billing cycle.")
    expect(page.locator("[data-preview]")).to_contain_text(
        f"{future.start.day} {future.start:%b %Y}"
    )
    expect(page).to_have_url(re.compile(r"cycle=8"))
    # The seed's flow: the warning, then Proceed generates; no Generate button, no checkbox.
    expect(page.get_by_role("button", name="Generate invoice")).to_have_count(0)
    expect(page.get_by_role("checkbox", name=re.compile("Proceed"))).to_have_count(0)
    page.get_by_role("button", name="Proceed", exact=True).click()

    success = page.locator("[data-generated] .notice.success")
    expect(success).to_contain_text(f"for {future.start.day} {future.start:%b %Y}")
    schedule = contract.schedules.get(cycle_index=8)
    assert schedule.status == "invoiced"
    assert schedule.resulting_invoice.period_start == future.start
    expect(success).to_contain_text(f"Invoice {schedule.resulting_invoice.number} generated.")
    page.get_by_role("link", name=f"Open invoice {schedule.resulting_invoice.number}").click()
    expect(page).to_have_url(re.compile(rf"/invoices/{schedule.resulting_invoice.pk}/$"))


def test_the_preview_switch_hides_and_shows_the_preview(page, manager, contract):
    sign_in(page, manager, then=f"/contracts/{contract.pk}/generate/")
    expect(page.locator("[data-preview]")).to_be_visible()

    page.get_by_role("checkbox", name="Preview").uncheck()
    expect(page.locator("[data-preview]")).to_have_count(0)
    expect(page.get_by_text("Preview is off")).to_be_visible()

    page.get_by_role("checkbox", name="Preview").check()
    expect(page.locator("[data-preview]")).to_be_visible()


def test_a_second_click_while_generating_sends_nothing_and_one_invoice_is_created(
    page, manager, contract
):
    sign_in(page, manager, then=f"/contracts/{contract.pk}/generate/")
    held, said = [], []  # POSTs kept in flight, so the second click lands before any answer
    page.route(
        re.compile(r"/generate/"),
        lambda route: held.append(route) if route.request.method == "POST" else route.continue_(),
    )
    # Playwright waits for a pending navigation before it evaluates or locates anything, so
    # the page clicks a second time by itself and reports through the console.
    page.on("console", lambda message: said.append(message.text))
    page.evaluate(
        """() => setTimeout(() => {
            const button = document.getElementById("generate-button");
            console.log(`second click on: ${button.disabled ? "disabled" : "enabled"} button`);
            button.click();
        }, 300)"""
    )

    page.locator("#generate-button").click(no_wait_after=True)
    page.wait_for_timeout(1000)

    if len(held) != 1:
        for route in held:
            route.abort()
        pytest.fail(f"{len(held)} POST requests for one generation")
    assert said == ["second click on: disabled button"]
    held[0].continue_()
    expect(page.locator("[data-generated]")).to_contain_text("generated.")
    assert Invoice.objects.filter(contract=contract).count() == 1


def test_select_all_ticks_every_row_of_the_page_and_enables_bulk_generation(
    page, manager, contract
):
    active_contract(as_of=timezone.localdate())
    sign_in(page, manager, then="/contracts/")

    expect(page.get_by_role("button", name="Generate invoices…")).to_be_disabled()
    page.get_by_label("Select all contracts on this page").check()

    expect(page.locator("[data-select-row]:checked")).to_have_count(2)
    expect(page.get_by_text("2 selected")).to_be_visible()
    expect(page.get_by_role("button", name="Generate invoices…")).to_be_enabled()
