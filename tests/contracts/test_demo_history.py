"""The demo book's history: last night's run, its one failure, the payments since, and no
post-invoicing work left over for a worker that starts on a fresh demo."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from contracts.models import BillingContract
from invoicing import errors
from invoicing.models import AuditEvent, GenerationJob, GenerationRun, Invoice
from invoicing.post_invoicing.interventions import AUDIT_TRANSFER_RECORDED
from invoicing.post_invoicing.models import InvoiceEmail, Payment, PostInvoicingTask
from schedules.models import BillingSchedule

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)
YESTERDAY = TODAY - timedelta(days=1)
WEBHOOK = "https://ledger.example/billing-events"


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--contracts", "40", "--today", TODAY.isoformat(), *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def no_webhook(settings):
    settings.ACCOUNTING_WEBHOOK_URL = ""


@pytest.fixture
def book(no_webhook) -> str:
    return seed()


def unpriced_contract() -> BillingContract:
    return BillingContract.objects.get(lines__unit_price__isnull=True, status="active")


def test_last_nights_run_invoiced_everything_due_before_today_but_the_unpriced_contract(book):
    run = GenerationRun.objects.get()
    assert (run.trigger, run.as_of_date, run.status) == ("nightly", YESTERDAY, "finished")
    assert Invoice.objects.count() > 100
    left = BillingSchedule.objects.due(YESTERDAY)
    assert set(left.values_list("contract", flat=True)) == {unpriced_contract().pk}
    # Today's invoices are tonight's run's: nothing is dated today or later.
    assert not Invoice.objects.filter(invoice_date__gte=TODAY).exists()


def test_exactly_one_job_failed_with_the_products_own_reason(book):
    contract = unpriced_contract()
    line = contract.lines.get(unit_price__isnull=True)
    job = GenerationJob.objects.get(status=GenerationJob.Status.FAILED)
    assert job.contract == contract
    assert job.message == errors.LINE_WITHOUT_PRICE.format(description=line.description)
    assert line.position == contract.lines.count() > 1  # the plan is priced, an add-on is not
    assert contract.start_date > TODAY - timedelta(days=30)  # signed recently
    assert not contract.invoices.exists()
    assert "1 generation job(s) failed" in book


def test_older_invoices_are_mostly_paid_and_some_overdue_are_not(book):
    invoices = Invoice.objects.all()
    past_due = invoices.filter(due_date__lt=TODAY)
    paid_past_due = past_due.filter(paid_at__isnull=False).count()
    assert paid_past_due > 0.8 * past_due.count()
    assert past_due.filter(paid_at__isnull=True).exists()  # something to chase
    assert invoices.filter(due_date__gte=TODAY, paid_at__isnull=False).exists()  # early payers
    assert invoices.filter(due_date__gte=TODAY, paid_at__isnull=True).exists()
    assert f"({invoices.filter(paid_at__isnull=False).count()} paid, " in book


def test_every_paid_invoice_was_paid_by_a_recorded_transfer(book):
    paid = Invoice.objects.filter(paid_at__isnull=False)
    succeeded = Payment.objects.filter(status=Payment.Status.SUCCEEDED)
    assert set(succeeded.values_list("invoice", flat=True)) == set(
        paid.values_list("id", flat=True)
    )
    recorded = AuditEvent.objects.filter(action=AUDIT_TRANSFER_RECORDED)
    assert set(recorded.values_list("invoice", flat=True)) == set(paid.values_list("id", flat=True))
    unpaid = Invoice.objects.filter(paid_at__isnull=True)
    # Every unpaid invoice awaits its transfer, ready for "Record transfer received".
    assert (
        unpaid.filter(payments__status=Payment.Status.AWAITING_TRANSFER).count() == unpaid.count()
    )


def test_history_leaves_no_post_invoicing_work_and_emails_nobody(book):
    tasks = PostInvoicingTask.objects.all()
    assert set(tasks.values_list("kind", "status")) == {("charge", "done")}
    assert tasks.count() == Invoice.objects.count()
    assert not InvoiceEmail.objects.exists()
    # The contracts' own choices apply from tonight's run.
    assert BillingContract.objects.filter(auto_send=True).exists()
    assert BillingContract.objects.filter(auto_charge=False).exists()


def test_no_contract_asks_for_auto_sync_without_a_webhook(book):
    assert BillingContract.objects.filter(auto_sync=False).count() == 40


def test_contracts_ask_for_auto_sync_when_a_webhook_is_configured(settings):
    settings.ACCOUNTING_WEBHOOK_URL = WEBHOOK
    seed()
    syncing = BillingContract.objects.filter(auto_sync=True).count()
    assert 0 < syncing < 40
    # Its history was not posted to accounting: the ledger gets tonight's invoices on.
    assert not PostInvoicingTask.objects.exclude(kind="charge").exists()


def test_the_webhook_changes_auto_sync_and_nothing_else(settings):
    fields = [field.attname for field in BillingContract._meta.concrete_fields]
    kept = [
        f for f in fields if f not in ("id", "customer_id", "auto_sync", "created_at", "updated_at")
    ]

    def contracts_seeded(webhook: str) -> list[tuple]:
        settings.ACCOUNTING_WEBHOOK_URL = webhook
        with transaction.atomic():
            seed()
            rows = list(BillingContract.objects.order_by("number").values_list(*kept))
            transaction.set_rollback(True)
        return rows

    assert contracts_seeded(WEBHOOK) == contracts_seeded("")


def test_nothing_is_charged_or_paid_through_a_real_gateway(settings, no_webhook):
    settings.BILLING_PAYMENT_GATEWAY = "stripe"
    seed()
    assert Invoice.objects.exists()
    assert not PostInvoicingTask.objects.exists()
    assert not Payment.objects.exists()
    assert not Invoice.objects.filter(paid_at__isnull=False).exists()
