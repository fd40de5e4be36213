"""Reads behind the invoicing pages: the Generate Invoice review, invoices, billing schedules
and what needs attention today. Each runs a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from contracts.models import BillingContract, ContractChange
from invoicing.models import AuditEvent, Invoice, InvoiceLine
from schedules.models import BillingSchedule

AUDIT_EVENTS_SHOWN = 50


@dataclass(frozen=True)
class InvoiceOverview:
    invoice: Invoice
    lines: list[InvoiceLine]
    audit_events: list[AuditEvent]


def invoice_overview(*, invoice: Invoice) -> InvoiceOverview:
    """An invoice's lines and its audit trail, the replacement that superseded it included."""
    events = AuditEvent.objects.filter(Q(invoice=invoice) | Q(invoice__replaces=invoice))
    return InvoiceOverview(
        invoice=invoice,
        lines=list(invoice.lines.all()),
        audit_events=list(events.select_related("actor", "invoice")),
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
    """Every invoice of the contract, void and replaced ones included, newest first."""
    return list(contract.invoices.select_related("replaced_by", "generated_by"))


def contract_audit_trail(*, contract: BillingContract) -> list[AuditEvent]:
    """The contract's latest audit events, newest first."""
    return list(contract.audit_events.select_related("actor", "invoice")[:AUDIT_EVENTS_SHOWN])


def invoice_for_page(pk: int) -> QuerySet[Invoice]:
    """The invoice with everything its page names, for get_object_or_404."""
    return Invoice.objects.select_related(
        "contract__customer", "schedule", "replaces", "replaced_by", "generated_by", "job__run"
    ).filter(pk=pk)


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
