"""The demo book's history until yesterday, written by the product itself: the nightly
run, the Auto-Charge task and "Record transfer received", called as services."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.conf import settings

from invoicing.models import Door, Invoice
from invoicing.post_invoicing.gateways.manual import ManualGateway
from invoicing.post_invoicing.interventions import payment_transfer_record
from invoicing.post_invoicing.models import Payment, PostInvoicingTask
from invoicing.post_invoicing.running import post_task_run
from invoicing.services import generation_run_execute, generation_run_open

# The history was neither emailed nor synced by this back office: a worker starting on a
# fresh demo must not email two years of invoices or post them to accounting. Every invoice
# awaited its transfer (Auto-Charge through the manual gateway), so payments can be
# recorded; through a real gateway the seed charges nothing. The contracts' own Auto-Send,
# Auto-Charge and Auto-Sync apply from tonight's run.
HISTORY_POST_TASKS = {"auto_send": False, "auto_sync": False}
# (paid when due more than this many days ago, with this probability), first match wins:
# old invoices are almost all paid, the recently overdue partly, a few before they are due.
PAID_SHARES = ((60, 0.99), (0, 0.7), (-14, 0.2), (None, 0.05))


def history_create(rng: random.Random, contract_ids: list[int], today: date) -> None:
    """Last night's nightly run, catching up everything due until yesterday (today's
    invoices are tonight's), then the transfers received for a share of its invoices."""
    run = generation_run_open(
        as_of=today - timedelta(days=1),
        trigger=Door.NIGHTLY,
        contract_ids=contract_ids,
        post_tasks=HISTORY_POST_TASKS | {"auto_charge": _charges_are_history()},
    )
    generation_run_execute(run)
    invoices = Invoice.objects.filter(job__run=run)
    # Run here, not left to the worker: the charges are history, and only a Payment
    # awaiting its transfer can be recorded as received.
    for task_id in (
        PostInvoicingTask.objects.filter(
            invoice__in=invoices,
            kind=PostInvoicingTask.Kind.CHARGE,
            status=PostInvoicingTask.Status.PENDING,
        )
        .order_by("id")
        .values_list("id", flat=True)
    ):
        post_task_run(task_id=task_id)
    awaiting = invoices.filter(payments__status=Payment.Status.AWAITING_TRANSFER)
    for invoice in awaiting.order_by("contract__number", "period_start"):
        if rng.random() < _paid_share((today - invoice.due_date).days):
            payment_transfer_record(invoice=invoice, door=Door.COMMAND)


def _charges_are_history() -> bool:
    return ManualGateway.name == settings.BILLING_PAYMENT_GATEWAY


def _paid_share(days_past_due: int) -> float:
    return next(share for after, share in PAID_SHARES if after is None or days_past_due > after)
