"""End contract… in Chromium: a manager ends a monthly in-advance contract in the middle of
its invoiced current cycle, previews the credit note for the unused days and the schedules it
cuts and cancels, confirms; then removes the end date again and the credited days are billed
again, the same amount, the cancelled cycles Pending once more."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from playwright.sync_api import expect

from contracts.templatetags.billing_format import money, period
from invoicing.models import Invoice
from schedules.models import BillingSchedule
from schedules.posting_periods import day_label
from tests.e2e.conftest import sign_in
from tests.factories import CustomerFactory
from tests.invoicing.helpers import active_contract
from tests.web.helpers import invoice_cycle, schedule_of

pytestmark = pytest.mark.django_db(transaction=True)
CURRENT = 2  # the contract started two months ago: cycle 2 is this month's
CENT = Decimal("0.01")


def eur(amount: Decimal) -> str:
    return money(amount, "EUR")


def unused_days_credit(cycle_start: datetime.date, cycle_end: datetime.date, end: datetime.date):
    """The credit for the days after `end`, worked out here independently: 10 × 12.50 a
    month × unused days ÷ the cycle's days, rounded half-up once; 20 % tax on that."""
    unused = (cycle_end - end).days
    cycle_days = (cycle_end - cycle_start).days + 1
    amount = (Decimal("125.00") * unused / cycle_days).quantize(CENT, ROUND_HALF_UP)
    tax = (amount * Decimal("0.20")).quantize(CENT, ROUND_HALF_UP)
    return unused, amount, tax


@pytest.fixture
def contract(manager, eager_celery):
    """Plover Analytics: monthly in advance from the 1st two months ago, 10 seats × 12.50 at
    20 %, this month's cycle invoiced (150.00), the schedules kept three months ahead."""
    today = timezone.localdate()
    contract = active_contract(
        start=today.replace(day=1) - relativedelta(months=CURRENT),
        as_of=today,
        customer=CustomerFactory(name="Plover Analytics"),
    )
    invoice_cycle(contract, CURRENT)
    return contract


def test_ending_inside_the_invoiced_cycle_credits_its_unused_days_and_reopening_bills_them(
    page, manager, contract
):
    invoice = contract.invoices.get()
    cycle = schedule_of(contract, CURRENT)
    end = cycle.period_start + datetime.timedelta(days=9)  # the 10th, mid-cycle
    unused, amount, tax = unused_days_credit(cycle.period_start, cycle.period_end, end)
    later = list(contract.schedules.filter(cycle_index__gt=CURRENT).order_by("cycle_index"))
    assert later and all(s.status == BillingSchedule.Status.PENDING for s in later)
    sign_in(page, manager, then=f"/contracts/{contract.pk}/")

    page.get_by_role("link", name="End contract…").click()

    expect(page.get_by_role("heading", name="End contract", exact=True)).to_be_visible()
    page.get_by_label("End date", exact=True).fill(end.isoformat())
    page.get_by_role("button", name="Preview").click()

    preview = page.locator("[data-end-preview]")
    expect(preview.get_by_role("heading", name=f"Ending on {day_label(end)}")).to_be_visible()
    expect(preview.locator("[data-cut]")).to_have_text(
        f"Cycle {CURRENT} ({period(cycle.period_start, cycle.period_end)}): cut to {day_label(end)}"
    )
    expect(preview.locator("[data-cancelled]")).to_have_count(len(later))
    note = preview.locator("[data-credit-note]")
    expect(note.locator("caption")).to_contain_text(f"Credit note against {invoice.number}")
    expect(note.locator("tbody tr").get_by_role("cell")).to_have_text(
        [
            f"{contract.lines.get().description}: {unused} day(s) after the contract's end",
            period(end + datetime.timedelta(days=1), cycle.period_end),
            eur(-amount),
            eur(-tax),
        ]
    )
    expect(note.locator("[data-credit-total]")).to_have_text(eur(-(amount + tax)))
    assert not Invoice.objects.credit_notes().exists()  # the preview writes nothing

    preview.get_by_role("button", name=f"End contract on {day_label(end)}").click()

    expect(page.locator(".messages")).to_contain_text(
        f"Contract {contract.number} now ends on {day_label(end)}."
    )
    expect(page.get_by_role("heading", name=contract.number)).to_be_visible()
    credit = Invoice.objects.credit_notes().get(credits=invoice)
    assert (credit.subtotal, credit.tax_total, credit.total) == (-amount, -tax, -(amount + tax))
    cycle.refresh_from_db()
    assert (cycle.status, cycle.period_end) == (BillingSchedule.Status.INVOICED, end)
    for schedule in later:
        schedule.refresh_from_db()
        assert schedule.status == BillingSchedule.Status.CANCELLED
    contract.refresh_from_db()
    assert contract.end_date == end

    page.get_by_role("link", name="End contract…").click()
    page.get_by_label("No end date").check()
    page.get_by_role("button", name="Preview").click()

    preview = page.locator("[data-end-preview]")
    expect(preview.get_by_role("heading", name="Removing the end date")).to_be_visible()
    expect(preview.locator("[data-reopened]")).to_have_count(len(later))
    again = preview.locator("[data-billed-again]")
    expect(again.locator("caption")).to_contain_text("Invoice billing credited days again")
    expect(again.locator("[data-billed-again-total]")).to_have_text(eur(amount + tax))

    preview.get_by_role("button", name="Remove the end date").click()

    expect(page.locator(".messages")).to_contain_text(
        f"Contract {contract.number} no longer has an end date."
    )
    billed_again = contract.invoices.live_regular().exclude(pk=invoice.pk)
    assert not billed_again.exists()  # the days come back on a change-log invoice, not a cycle's
    (rebilled,) = contract.invoices.filter(kind=Invoice.Kind.CHANGE_LOG)
    assert (rebilled.subtotal, rebilled.tax_total, rebilled.total) == (amount, tax, amount + tax)
    assert rebilled.total == -credit.total
    cycle.refresh_from_db()
    assert cycle.period_end == invoice.period_end
    for schedule in later:
        schedule.refresh_from_db()
        assert schedule.status == BillingSchedule.Status.PENDING
    contract.refresh_from_db()
    assert contract.end_date is None
