"""What a person can do to post-invoicing: retry tasks, send an invoice again, record a
bank transfer. Each is atomic, leaves an audit event, and queues work after commit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from billing_site.actors import Actor, recorded_actor
from invoicing.models import AuditEvent, Door, Invoice
from invoicing.post_invoicing import errors
from invoicing.post_invoicing.models import Payment, PostInvoicingTask
from invoicing.post_invoicing.publishing import invoice_paid_publish
from invoicing.post_invoicing.scheduling import post_tasks_enqueue_on_commit
from invoicing.post_invoicing.syncing import invoice_event_id, sync_event_of
from webhooks.services import webhook_events_reopen

Status = PostInvoicingTask.Status
Kind = PostInvoicingTask.Kind
SYNC_KINDS = (Kind.SYNC, Kind.SYNC_REPLACED, Kind.SYNC_VOIDED)

# Audit actions of post-invoicing (AuditEvent.action values).
AUDIT_TASKS_RETRIED = "post_tasks_retried"
AUDIT_SENT_AGAIN = "invoice_sent_again"
AUDIT_TRANSFER_RECORDED = "transfer_recorded"

RETRY_REQUESTED = "Queued again by {who}. Before: {before}"
SEND_AGAIN_REQUESTED = "Sending again, asked by {who}."
TRANSFER_RECEIVED = "Bank transfer received, recorded by {who}."


@dataclass
class InterventionResult:
    """How many rows an intervention changed, and why the others were left alone."""

    done: int = 0
    refused: list[str] = field(default_factory=list)


@transaction.atomic
def post_tasks_retry(
    *, task_ids: Collection[int], user: Actor = None, door: str = Door.ADMIN
) -> InterventionResult:
    """Queue failed (or stalled pending) tasks again with a fresh retry budget.

    Done and skipped tasks are left alone: retrying them would repeat their work.
    """
    tasks = list(
        PostInvoicingTask.objects.select_for_update(of=("self",))
        .select_related("invoice")
        .filter(pk__in=list(task_ids), status__in=(Status.FAILED, Status.PENDING))
        .order_by("id")
    )
    now = timezone.now()
    who = _who(user)
    for task in tasks:
        task.message = RETRY_REQUESTED.format(who=who, before=task.message or "—")
        task.status, task.finished_at, task.updated_at = Status.PENDING, None, now
    PostInvoicingTask.objects.bulk_update(tasks, ["message", "status", "finished_at", "updated_at"])
    # A sync task delivers its event again: the deliveries that failed for good reopen.
    webhook_events_reopen(
        event_ids=[
            invoice_event_id(task.invoice.number, sync_event_of(task.kind, task.invoice))
            for task in tasks
            if task.kind in SYNC_KINDS
        ]
    )
    kinds: dict[int, list[str]] = defaultdict(list)
    for task in tasks:
        kinds[task.invoice_id].append(task.get_kind_display())
    _audit(AUDIT_TASKS_RETRIED, user, door, {pk: ", ".join(k) for pk, k in kinds.items()})
    post_tasks_enqueue_on_commit([task.pk for task in tasks])
    return InterventionResult(done=len(tasks), refused=[])


@transaction.atomic
def invoices_send_again(
    *, invoice_ids: Collection[int], user: Actor = None, door: str = Door.ADMIN
) -> InterventionResult:
    """Email these issued invoices again (or for the first time) to their billing email."""
    invoices = list(Invoice.objects.filter(pk__in=list(invoice_ids)).order_by("number"))
    refused = [
        errors.CANNOT_SEND_AGAIN.format(number=inv.number, status=inv.get_status_display().lower())
        for inv in invoices
        if inv.status != Invoice.Status.ISSUED
    ]
    live = [inv.pk for inv in invoices if inv.status == Invoice.Status.ISSUED]
    PostInvoicingTask.objects.bulk_create(
        [PostInvoicingTask(invoice_id=pk, kind=PostInvoicingTask.Kind.SEND) for pk in live],
        ignore_conflicts=True,
    )
    tasks = PostInvoicingTask.objects.select_for_update().filter(
        invoice_id__in=live, kind=PostInvoicingTask.Kind.SEND
    )
    task_ids = list(tasks.values_list("id", flat=True))
    tasks.update(
        status=Status.PENDING,
        message=SEND_AGAIN_REQUESTED.format(who=_who(user)),
        finished_at=None,
        updated_at=timezone.now(),
    )
    _audit(AUDIT_SENT_AGAIN, user, door, dict.fromkeys(live, "Send again"))
    post_tasks_enqueue_on_commit(task_ids)
    return InterventionResult(done=len(task_ids), refused=refused)


@transaction.atomic
def payment_transfer_record(
    *, invoice: Invoice, user: Actor = None, door: str = Door.ADMIN
) -> Payment:
    """Mark the transfer an invoice was awaiting as received: the invoice becomes Paid, for
    what was still owed on it (its total less its credit notes)."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status != Invoice.Status.ISSUED:
        status = invoice.get_status_display().lower()
        raise errors.PermanentError(errors.NOT_LIVE.format(number=invoice.number, status=status))
    payment = (
        Payment.objects.select_for_update()
        .filter(invoice=invoice, status=Payment.Status.AWAITING_TRANSFER)
        .order_by("-id")
        .first()
    )
    if payment is None:
        raise errors.PermanentError(errors.NOT_AWAITING_TRANSFER.format(number=invoice.number))
    if invoice.uncredited <= 0:
        raise errors.PermanentError(errors.NOTHING_OWED_TRANSFER.format(number=invoice.number))
    now = timezone.now()
    payment.status, payment.error = Payment.Status.SUCCEEDED, ""
    payment.recorded_by = recorded_actor(user)
    # A credit note issued since the transfer was asked for lowers what was owed.
    payment.amount = min(payment.amount, invoice.uncredited)
    payment.save(update_fields=["status", "recorded_by", "error", "amount", "updated_at"])
    if Invoice.objects.filter(pk=invoice.pk, paid_at__isnull=True).update(paid_at=now):
        invoice.paid_at = now
        invoice_paid_publish(invoice=invoice, payment=payment)
    _audit(
        AUDIT_TRANSFER_RECORDED, user, door, {invoice.pk: TRANSFER_RECEIVED.format(who=_who(user))}
    )
    return payment


def _who(user: Actor) -> str:
    return getattr(user, "username", None) or "the system"


def _audit(action: str, user: Actor, door: str, details: dict[int, str]) -> None:
    contracts = dict(Invoice.objects.filter(pk__in=list(details)).values_list("id", "contract_id"))
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=recorded_actor(user),
            door=door,
            action=action,
            contract_id=contracts.get(invoice_id),
            invoice_id=invoice_id,
            detail=detail,
        )
        for invoice_id, detail in details.items()
    )
