"""Generate all due in Chromium with a real Celery worker on Redis: from the dashboard, read
what is due and the date rule, Proceed, watch the run finish; every due cycle then has one
invoice, dated its schedule's Invoice Date. The worker shares the live server's (committed)
test database."""

from __future__ import annotations

import datetime
import re

import pytest
from dateutil.relativedelta import relativedelta
from django.db.models import Count
from django.utils import timezone
from playwright.sync_api import expect

from contracts.models import BillingContract
from invoicing.models import GenerationRun, Invoice
from schedules.models import BillingSchedule
from schedules.posting_periods import day_label
from tests.e2e.conftest import sign_in
from tests.factories import CustomerFactory
from tests.invoicing.helpers import active_contract
from tests.web.helpers import invoice_cycle

pytestmark = pytest.mark.django_db(transaction=True)
RUN_TIMEOUT_MS = 60_000


@pytest.fixture
def book(manager):
    """Three active contracts behind on their billing (monthly EUR from four months ago, the
    first cycle already invoiced; monthly USD from three months ago; quarterly EUR from seven
    months ago) and one starting next month, with nothing due."""
    today = timezone.localdate()
    first = today.replace(day=1)
    behind = [
        active_contract(
            start=first - relativedelta(months=4),
            as_of=today,
            customer=CustomerFactory(name="Avocet Studios"),
        ),
        active_contract(
            start=first - relativedelta(months=3),
            as_of=today,
            customer=CustomerFactory(name="Bittern Logistics"),
            currency="USD",
        ),
        active_contract(
            start=first - relativedelta(months=7),
            as_of=today,
            customer=CustomerFactory(name="Curlew Partners"),
            billing_frequency=BillingContract.Frequency.QUARTERLY,
        ),
    ]
    already = invoice_cycle(behind[0], 0)
    later = active_contract(start=first + relativedelta(months=1), as_of=today)
    return behind, already, later


def test_generate_all_due_from_the_dashboard_invoices_every_due_cycle_once(
    page, manager, book, celery_worker
):
    behind, already, later = book
    today = timezone.localdate()
    due = list(BillingSchedule.objects.due(today).select_related("contract"))
    assert {s.contract for s in due} == set(behind)
    assert len(due) >= 2 * len(behind)  # several past cycles each
    oldest = min(due, key=lambda s: (s.invoice_date, s.contract.number))
    sign_in(page, manager)

    page.get_by_role("link", name="Generate all due…").click()

    expect(page.get_by_role("heading", name="Generate all due")).to_be_visible()
    summary = page.locator("#catch-up-summary")
    expect(summary).to_contain_text(
        f"{len(due)} due schedules of {len(behind)} contracts: one invoice per schedule"
    )
    per_currency = summary.get_by_role("row")
    for currency, contracts in (("EUR", 2), ("USD", 1)):
        schedules = sum(s.contract.currency == currency for s in due)
        expect(per_currency.filter(has_text=currency).get_by_role("cell")).to_have_text(
            [currency, str(schedules), str(contracts)]
        )
    rule = page.locator("#date-rule")
    expect(rule).to_contain_text("its schedule's Invoice Date, not today")
    expect(rule).to_contain_text("can be past due the day it is issued")
    proceed = page.get_by_role("button", name="Proceed")
    assert rule.bounding_box()["y"] < proceed.bounding_box()["y"]  # read before Proceed
    first_row = page.locator("#catch-up-rows tbody tr").first
    expect(first_row.get_by_role("cell")).to_have_text(
        [
            re.compile(oldest.contract.number),
            re.compile(day_label(oldest.period_start)),
            day_label(oldest.invoice_date),
            re.compile(rf"^{day_label(oldest.invoice_date)}\s*before today"),
            re.compile("past due on issue"),
        ]
    )

    proceed.click()

    expect(page).to_have_url(re.compile(r"/runs/\d+/$"))
    expect(page.locator(".messages")).to_contain_text(
        re.compile(rf"Run #\d+ started: {len(due)} due schedules of {len(behind)} contracts\.")
    )
    expect(page.locator("[data-progress-percent]")).to_have_text("100 %", timeout=RUN_TIMEOUT_MS)
    expect(page.locator("[data-run-state]")).to_have_text("Finished", timeout=RUN_TIMEOUT_MS)
    expect(page.locator('[data-count="succeeded"]')).to_have_text(str(len(behind)))
    for contract in behind:
        row = page.get_by_role("row").filter(has_text=contract.number)
        expect(row).to_contain_text("Succeeded")

    run = GenerationRun.objects.get(parameters__catch_up=True)
    assert run.status == GenerationRun.Status.FINISHED
    assert run.requested_by == manager
    for schedule in due:
        schedule.refresh_from_db()
        invoice = schedule.resulting_invoice
        assert (schedule.is_active, schedule.status) == (False, BillingSchedule.Status.INVOICED)
        assert invoice is not None and invoice.status == Invoice.Status.ISSUED
        assert (invoice.period_start, invoice.period_end) == (
            schedule.period_start,
            schedule.period_end,
        )
        # The date rule: a late invoice carries its schedule's Invoice Date, not today's.
        assert invoice.invoice_date == schedule.invoice_date
        terms = datetime.timedelta(days=schedule.contract.payment_terms_days)
        assert invoice.due_date == schedule.invoice_date + terms
    new = Invoice.objects.exclude(pk=already.pk)
    assert new.count() == len(due)
    assert set(new.values_list("schedule_id", flat=True)) == {s.pk for s in due}
    assert not Invoice.objects.values("schedule").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert Invoice.objects.get(pk=already.pk).status == Invoice.Status.ISSUED
    assert not BillingSchedule.objects.due(today).exists()
    assert not later.invoices.exists()
