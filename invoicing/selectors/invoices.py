"""Reads behind the invoicing pages: the Generate Invoice review, invoices, billing schedules
and what needs attention today. Each runs a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from billing_site.actors import Actor
from contracts.models import BillingContract, ContractChange
from invoicing.models import AuditEvent, Invoice, InvoiceLine
from invoicing.post_invoicing.models import Payment, PostInvoicingTask
from schedules.models import BillingSchedule

AUDIT_EVENTS_SHOWN = 50


@dataclass(frozen=True)
class InvoiceActions:
    """What the person looking at an invoice may do to it now: its state and their
    permissions, decided here so the page only asks."""

    generate_again: bool = False
    void: bool = False
    credit: bool = False
    replace_change_log: bool = False
    send_again: bool = False
    record_transfer: bool = False
    retry_task_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class InvoiceOverview:
    invoice: Invoice
    lines: list[InvoiceLine]
    post_tasks: list[PostInvoicingTask]
    audit_events: list[AuditEvent]
    actions: InvoiceActions
    credit_notes: list[Invoice]  # an invoice's credit notes, oldest first


def invoice_overview(*, invoice: Invoice, user: Actor) -> InvoiceOverview:
    """An invoice's lines, post-invoicing tasks, audit trail (the replacement that
    superseded it included) and what `user` may do to it."""
    events = list(
        AuditEvent.objects.filter(
            Q(invoice=invoice) | Q(invoice__replaces=invoice) | Q(invoice__credits=invoice)
        ).select_related("actor", "invoice")
    )
    if invoice.job_id is not None and not any(
        event.invoice_id == invoice.pk and event.action == AuditEvent.Action.INVOICE_GENERATED
        for event in events
    ):
        events.append(generated_in_run(invoice))
    tasks = list(invoice.post_tasks.all())
    return InvoiceOverview(
        invoice=invoice,
        lines=list(invoice.lines.all()),
        post_tasks=tasks,
        audit_events=events,
        actions=invoice_actions(invoice=invoice, user=user, post_tasks=tasks),
        credit_notes=list(invoice.credit_notes.order_by("pk")),
    )


def invoice_actions(
    *, invoice: Invoice, user: Actor, post_tasks: list[PostInvoicingTask]
) -> InvoiceActions:
    """The invoice page's buttons: each needs the state that allows it and the permission."""
    if user is None or not user.is_authenticated:
        return InvoiceActions()
    may_replace = user.has_perm("invoicing.replace_invoice") and invoice.is_correctable
    may_retry = user.has_perm("invoicing.retry_postinvoicingtask")
    # Payments come from an Auto-Charge task: without one there is nothing to look up.
    awaiting_transfer = (
        invoice.is_live
        and invoice.uncredited > 0
        and user.has_perm("invoicing.record_transfer")
        and any(task.kind == PostInvoicingTask.Kind.CHARGE for task in post_tasks)
        and invoice.payments.filter(status=Payment.Status.AWAITING_TRANSFER).exists()
    )
    return InvoiceActions(
        generate_again=invoice.is_live
        and not invoice.is_credit_note
        and invoice.schedule_id is not None
        and user.has_perm("invoicing.generate_invoice"),
        void=may_replace,
        credit=invoice.is_creditable and user.has_perm("invoicing.issue_credit_note"),
        replace_change_log=may_replace and invoice.kind == Invoice.Kind.CHANGE_LOG,
        send_again=may_retry and invoice.is_live,
        record_transfer=awaiting_transfer,
        retry_task_ids=frozenset(
            task.pk
            for task in post_tasks
            if may_retry and task.status == PostInvoicingTask.Status.FAILED
        ),
    )


def last_invoices_by_contract(contract_ids) -> dict[int, Invoice]:
    """contract id -> its last issued invoice (latest invoice date, then newest), for the
    contracts that have one. One query whatever the number of contracts."""
    invoices = (
        Invoice.objects.live()
        .filter(contract_id__in=list(contract_ids))
        .order_by("contract_id", "-invoice_date", "-id")
        .distinct("contract_id")
    )
    return {invoice.contract_id: invoice for invoice in invoices}


def contract_invoices(*, contract: BillingContract) -> list[Invoice]:
    """Every invoice and credit note of the contract, void and replaced ones included,
    newest first."""
    return list(contract.invoices.select_related("replaced_by", "credits", "generated_by"))


def contract_audit_trail(*, contract: BillingContract) -> list[AuditEvent]:
    """The contract's latest audit events, newest first, with the invoices its runs
    generated (nightly, bulk, command): two queries."""
    events = list(contract.audit_events.select_related("actor", "invoice")[:AUDIT_EVENTS_SHOWN])
    in_runs = (
        contract.invoices.filter(job__isnull=False)
        .exclude(audit_events__action=AuditEvent.Action.INVOICE_GENERATED)
        .select_related("generated_by", "job")
        .order_by("-created_at", "-id")[:AUDIT_EVENTS_SHOWN]
    )
    events.extend(generated_in_run(invoice) for invoice in in_runs)
    events.sort(key=lambda event: event.created_at, reverse=True)
    return events[:AUDIT_EVENTS_SHOWN]


def generated_in_run(invoice: Invoice) -> AuditEvent:
    """An invoice a run generated, as an audit trail row (unsaved): runs write no audit row
    per invoice, the invoice itself records who, how and when, and the job its run."""
    run_id = invoice.job.run_id if invoice.job else None
    return AuditEvent(
        created_at=invoice.created_at,
        actor=invoice.generated_by,
        door=invoice.generated_via,
        action=AuditEvent.Action.INVOICE_GENERATED,
        invoice=invoice,
        run_id=run_id,
    )


def invoice_for_page(pk: int) -> QuerySet[Invoice]:
    """The invoice with everything its page names, for get_object_or_404."""
    return Invoice.objects.select_related(
        "contract__customer",
        "schedule",
        "replaces",
        "replaced_by",
        "credits",
        "generated_by",
        "job__run",
    ).filter(pk=pk)


@dataclass(frozen=True)
class GeneratedInvoice:
    """An invoice Generate Invoice has just written, as the page's success state shows it."""

    invoice: Invoice
    next_cycle_index: int | None  # the cycle after it, to generate another; None past the end


def generated_invoice(*, contract: BillingContract, invoice_id: int) -> GeneratedInvoice | None:
    """A regular invoice of this contract named by the success address, or None: an id
    from another contract (a tampered address) shows nothing of it."""
    invoice = (
        Invoice.objects.select_related("schedule")
        .filter(contract=contract, pk=invoice_id, kind=Invoice.Kind.REGULAR)
        .first()
    )
    if invoice is None:
        return None
    assert invoice.schedule is not None  # a regular invoice has one (a database constraint)
    following: int | None = invoice.schedule.cycle_index + 1
    try:
        contract.cycle_at(following)
    except ValueError:
        following = None  # the contract ends with the invoiced cycle
    return GeneratedInvoice(invoice=invoice, next_cycle_index=following)


def invoice_live_for(schedule: BillingSchedule, *, lock: bool = False) -> Invoice | None:
    """The issued regular invoice of a schedule, if any (the database allows one)."""
    invoices = Invoice.objects.live_regular().filter(schedule=schedule)
    return (invoices.select_for_update() if lock else invoices).first()


def change_log_invoices_within(schedules) -> dict[int, str]:
    """schedule id -> number of a live change-log invoice billing a change in its cycle.

    Such a cycle cannot be re-billed by a replacement: its new segments would bill those
    changes a second time. One query for any number of schedules.
    """
    billed = ContractChange.objects.filter(
        line__contract_id__in={schedule.contract_id for schedule in schedules},
        billed_invoice__kind=Invoice.Kind.CHANGE_LOG,
        billed_invoice__status=Invoice.Status.ISSUED,
    ).values_list("line__contract_id", "effective_date", "billed_invoice__number")
    by_contract: dict[int, list[tuple]] = {}
    for contract_id, day, number in billed:
        by_contract.setdefault(contract_id, []).append((day, number))
    return {
        schedule.id: number
        for schedule in schedules
        for day, number in by_contract.get(schedule.contract_id, [])
        if schedule.period_start <= day <= schedule.period_end
    }
