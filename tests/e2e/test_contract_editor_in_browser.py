"""The contract editor and the Invoice Generation Offset editor in Chromium: a manager creates
a customer and a contract with its line, changes a quantity, then moves the offset effect
first (dates before and after, the month boundary, a closed posting period, the customer's
other offsets) and saves; only the Pending schedules move. A viewer changes nothing."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from playwright.sync_api import expect

from contracts.models import BillingContract, ContractChange
from contracts.templatetags.billing_format import period, signed_days
from schedules.models import BillingSchedule
from schedules.posting_periods import day_label, month_label
from schedules.services.periods import posting_period_close
from tests.e2e.conftest import sign_in
from tests.factories import BILLING_VIEWERS, BillingContractFactory, user_in
from tests.invoicing.helpers import active_contract
from tests.web.helpers import invoice_cycle

pytestmark = pytest.mark.django_db(transaction=True)
NEW_OFFSET = -3


def first_of_month(months_back: int) -> datetime.date:
    return timezone.localdate().replace(day=1) - relativedelta(months=months_back)


def line_cell(page, row: int, field: str):
    """A cell's input in the editor's lines table (the column header names it)."""
    return page.locator(f'[name="lines-{row}-{field}"]')


def create_customer_and_contract(page, start: datetime.date) -> BillingContract:
    page.get_by_role("link", name="New customer").click()
    page.get_by_label("Legal name", exact=True).fill("Kestrel Dental Group")
    page.get_by_label("Billing email", exact=True).fill("ap@kestrel.example")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Customer Kestrel Dental Group saved.")
    expect(page.get_by_role("heading", name="Kestrel Dental Group")).to_be_visible()

    page.get_by_role("link", name="New contract").click()
    expect(
        page.get_by_role("heading", name="New contract for Kestrel Dental Group")
    ).to_be_visible()
    page.get_by_label("Number", exact=True).fill("BC-770001")
    page.get_by_label("Name", exact=True).fill("Clinic seats")
    page.get_by_label("Status", exact=True).select_option(label="Active")
    page.get_by_label("Start date", exact=True).fill(start.isoformat())
    page.get_by_label("Billing frequency", exact=True).select_option(label="Monthly")
    page.get_by_label("Billing timing", exact=True).select_option(label="In advance")
    page.get_by_label("Invoice generation offset (days)").fill("1")
    page.get_by_label("Currency", exact=True).select_option("EUR")
    page.get_by_label("Payment terms days", exact=True).fill("30")
    page.get_by_label("Auto-Send").check()
    line_cell(page, 0, "description").fill("Seat licence")
    line_cell(page, 0, "quantity").fill("10")
    line_cell(page, 0, "unit_price").fill("12.50")
    line_cell(page, 0, "tax_rate").fill("20")
    page.get_by_role("button", name="Save").click()

    expect(page.locator(".messages")).to_contain_text("Contract BC-770001 saved.")
    expect(page.get_by_role("heading", name="BC-770001")).to_be_visible()
    return BillingContract.objects.get(number="BC-770001")


def test_a_manager_creates_a_contract_edits_a_quantity_and_moves_its_offset_effect_first(
    page, manager
):
    start = first_of_month(2)
    sign_in(page, manager, then="/customers/")

    contract = create_customer_and_contract(page, start)

    assert (contract.customer.name, contract.status, contract.start_date) == (
        "Kestrel Dental Group",
        "active",
        start,
    )
    assert contract.auto_send and not contract.auto_charge
    (line,) = contract.lines.all()
    assert (line.description, line.quantity, line.unit_price) == (
        "Seat licence",
        10,
        Decimal("12.5"),
    )
    pending = contract.schedules.filter(status=BillingSchedule.Status.PENDING)
    assert set(pending.values_list("cycle_index", flat=True)) >= {0, 1, 2}

    # A new quantity from today, through the editor.
    page.get_by_role("link", name="Edit", exact=True).click()
    line_cell(page, 0, "quantity").fill("12")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Contract BC-770001 saved.")
    lines = page.get_by_role("region", name="Lines")
    expect(lines.get_by_role("row").filter(has_text="Seat licence")).to_contain_text("12")
    line.refresh_from_db()
    change = ContractChange.objects.get(line=line)
    assert line.quantity == 12
    assert (change.quantity_before, change.quantity_after) == (10, 12)
    assert change.effective_date == timezone.localdate()

    # The nightly runs invoiced the first two cycles; finance closed last month; the customer has
    # another contract on the default offset.
    invoiced = {index: invoice_cycle(contract, index) for index in (0, 1)}
    posting_period_close(month=first_of_month(1), user=None, door="command")
    BillingContractFactory(customer=contract.customer, number="BC-770002", invoice_offset_days=1)
    before = {s.pk: s for s in contract.schedules.all()}
    pending_before = [s for s in before.values() if s.status == BillingSchedule.Status.PENDING]

    page.get_by_role("region", name="Terms").get_by_role("link", name="Change…").click()
    expect(page.get_by_role("heading", name="Invoice Generation Offset")).to_be_visible()
    page.get_by_label("Invoice Generation Offset (days)").fill(str(NEW_OFFSET))
    page.get_by_role("button", name="Show the effect").click()

    preview = page.locator("[data-offset-preview]")
    moved = len(pending_before)
    expect(preview.get_by_role("heading")).to_have_text(
        f"At {signed_days(NEW_OFFSET)}: {moved} Pending schedules re-dated"
    )
    for schedule in pending_before:
        after = schedule.next_invoice_date + datetime.timedelta(days=NEW_OFFSET)
        row = preview.get_by_role("row").filter(
            has=page.get_by_role("cell", name=str(schedule.cycle_index), exact=True)
        )
        expect(row.get_by_role("cell")).to_have_text(
            [
                str(schedule.cycle_index),
                period(schedule.period_start, schedule.period_end),
                day_label(schedule.next_invoice_date),
                day_label(schedule.invoice_date),
                day_label(after),
                re.compile("another month"),
            ]
        )
    for index in invoiced:  # invoiced cycles are not offered
        expect(preview.get_by_role("cell", name=str(index), exact=True)).to_have_count(0)
    expect(preview.locator("[data-notice=month-boundary]")).to_contain_text(
        f"Mind the month boundary: {moved} Invoice Dates would fall in another month"
    )
    current = next(s for s in pending_before if s.cycle_index == 2)
    expect(preview.locator("[data-notice=closed-period]")).to_contain_text(
        "1 new Invoice Date would fall in a closed month"
    )
    expect(preview.locator("[data-posting-note]")).to_have_text(
        f"Invoice dated {day_label(current.next_invoice_date)}: "
        f"{month_label(first_of_month(1))} is closed"
    )
    expect(preview.locator("[data-notice=offsets-not-aligned]")).to_contain_text(
        f"Kestrel Dental Group's BC-770002 uses {signed_days(1)}"
    )
    contract.refresh_from_db()
    assert contract.invoice_offset_days == 1  # the effect is shown, nothing is saved yet

    page.get_by_role("button", name=f"Save {signed_days(NEW_OFFSET)}").click()

    expect(page.locator(".messages")).to_contain_text(
        f"Invoice Generation Offset set to {signed_days(NEW_OFFSET)}: {moved} Pending schedules "
        "re-dated."
    )
    expect(page.get_by_role("region", name="Terms")).to_contain_text(signed_days(NEW_OFFSET))
    contract.refresh_from_db()
    assert contract.invoice_offset_days == NEW_OFFSET
    for schedule in contract.schedules.all():
        old = before[schedule.pk]
        assert (schedule.period_start, schedule.period_end, schedule.next_invoice_date) == (
            old.period_start,
            old.period_end,
            old.next_invoice_date,
        )
        if schedule.cycle_index in invoiced:
            assert schedule.status == BillingSchedule.Status.INVOICED
            assert schedule.invoice_date == old.invoice_date
            assert schedule.resulting_invoice == invoiced[schedule.cycle_index]
        else:
            assert schedule.status == BillingSchedule.Status.PENDING
            after = old.next_invoice_date + datetime.timedelta(days=NEW_OFFSET)
            assert schedule.invoice_date == after
    for invoice in invoiced.values():
        dated = invoice.invoice_date
        invoice.refresh_from_db()
        assert invoice.invoice_date == dated


def test_a_viewer_sees_no_edit_button_and_a_post_is_refused(page, transactional_db):
    viewer = user_in(BILLING_VIEWERS, username="viewer")
    contract = active_contract(start=first_of_month(1), as_of=timezone.localdate())
    dates = list(contract.schedules.order_by("pk").values_list("invoice_date", flat=True))
    sign_in(page, viewer, then="/contracts/")

    page.get_by_role("link", name=contract.number).click()

    expect(page.get_by_role("heading", name=contract.number)).to_be_visible()
    expect(page.get_by_role("region", name="Terms")).to_contain_text(signed_days(1))
    for name in ("Edit", "Change…", "Generate Invoice"):
        expect(page.get_by_role("link", name=name, exact=True)).to_have_count(0)
    expect(page.get_by_text("Change quantity")).to_have_count(0)

    # The browser's own session and CSRF token: the refusal is the permission's.
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    for path in (f"/contracts/{contract.pk}/offset/", f"/contracts/{contract.pk}/edit/"):
        response = page.request.post(
            path, form={"csrfmiddlewaretoken": token, "offset_days": str(NEW_OFFSET)}
        )
        assert response.status == 403
        assert "CSRF" not in response.text()

    contract.refresh_from_db()
    assert contract.invoice_offset_days == 1
    assert list(contract.schedules.order_by("pk").values_list("invoice_date", flat=True)) == dates
