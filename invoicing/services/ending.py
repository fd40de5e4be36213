"""Ending a contract inside a cycle already invoiced, or moving its end date.

A new end date inside an invoiced cycle takes back that cycle's unused days on a credit note
(each line: quantity x unit price x days after the end / the full cycle's days, rounded
once), cuts its schedule's period at the end date, and voids the cycles invoiced wholly after
it (a credit note takes each back in full) so that their schedules are cancelled like the
Pending ones. Moving the end date later again bills the credited days again, line by line,
on an invoice of their own (the difference of the same rounded figures, so a contract ended
and extended again bills back exactly what was credited), and re-opens the cancelled cycles
for the nightly run. The schedule's cut is the record of what the end date has taken back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from billing_site.actors import Actor, recorded_actor
from billing_site.errors import BillingError
from contracts.models import BillingContract
from invoicing.drafting import PRORATION_PLACES, DraftLine, InvoiceDraft, day_label
from invoicing.drafting import draft_days_billed_again as _billed_again_draft
from invoicing.line_amounts import billed_after_end, days_after_end, within_left
from invoicing.models import AuditEvent, Door, Invoice
from invoicing.services.audit import audit_record
from invoicing.services.crediting import (
    CreditLineDraft,
    CreditNoteDraft,
    LineLeft,
    credit_notes_write,
    invoice_lines_left,
)
from invoicing.services.voiding import invoice_void
from invoicing.services.writing import Provenance, drafts_write
from schedules import cycles
from schedules.models import BillingSchedule, PostingPeriod
from schedules.services import contract_save

END_BEFORE_START = "The end date {end} is before the contract starts on {start}."
END_BEFORE_PAID_CYCLE = (
    "Invoice {number} is paid and covers {period}: the contract cannot end before {last}."
)
END_UNCHANGED = "The contract already ends on {end}: nothing to change."
END_ALREADY_OPEN = "The contract has no end date: nothing to change."
END_PREVIEW_OUTDATED = (
    "The contract changed since the preview was shown: nothing was written. Review the new "
    "preview and confirm again."
)
ENDED_REASON = "Contract ended on {end}: days after it credited."
VOIDED_REASON = "Contract ended on {end}, before this cycle."


class EndPreviewOutdated(BillingError):
    """The contract or its invoices changed between the preview and its confirmation."""


@dataclass(frozen=True)
class ScheduleMove:
    """A schedule whose period or state the new end date changes."""

    schedule_id: int
    cycle_index: int
    period_start: date
    period_end: date
    new_end: date | None = None  # the cut (or uncut) period end; None: cancelled/reopened


@dataclass
class EndPlan:
    """What ending the contract on `end_date` (None: no end) would write."""

    contract_id: int
    end_before: date | None
    end_date: date | None
    credit_notes: list[CreditNoteDraft] = field(default_factory=list)
    credited_numbers: dict[int, str] = field(default_factory=dict)  # invoice id -> number
    billed_again: list[InvoiceDraft] = field(default_factory=list)
    voided: list[Any] = field(default_factory=list)  # invoices credited in full
    cut: list[ScheduleMove] = field(default_factory=list)
    cancelled: list[ScheduleMove] = field(default_factory=list)
    reopened: list[ScheduleMove] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return (
            not (
                self.credit_notes or self.billed_again or self.voided or self.cut or self.cancelled
            )
            and not self.reopened
        )

    @property
    def credit_rows(self) -> list[tuple[str, CreditNoteDraft]]:
        """Each credit note with the number of the invoice it credits, for the preview."""
        return [(self.credited_numbers[note.invoice_id], note) for note in self.credit_notes]

    @property
    def credited_total(self) -> Decimal:
        return sum((note.total for note in self.credit_notes), Decimal(0))

    @property
    def billed_again_total(self) -> Decimal:
        return sum((draft.total for draft in self.billed_again), Decimal(0))

    def fingerprint(self) -> str:
        """A digest of everything the end would write, to refuse a stale confirmation."""
        content = [
            str(self.end_before),
            str(self.end_date),
            [(n.invoice_id, [str(line.amount) for line in n.lines]) for n in self.credit_notes],
            [[str(line.amount) for line in draft.lines] for draft in self.billed_again],
            [invoice.id for invoice in self.voided],
            [(m.schedule_id, str(m.new_end)) for m in self.cut],
            [m.schedule_id for m in self.cancelled + self.reopened],
        ]
        return hashlib.sha256(json.dumps(content).encode()).hexdigest()[:32]


def contract_end_plan(*, contract: BillingContract, end_date: date | None) -> EndPlan:
    """What `contract_end` would write; refuses (BillingError) what it would refuse."""
    _refuse_before_start(contract, end_date)
    plan = EndPlan(contract_id=contract.pk, end_before=contract.end_date, end_date=end_date)
    invoices = list(_touched_invoices(contract, end_date))
    lines = invoice_lines_left(invoice.id for invoice in invoices)
    for invoice in invoices:
        _plan_invoice(plan, contract, invoice, lines.get(invoice.id, []))
    _plan_pending(plan, contract)
    # The same end date again still credits what an end set in admin left uncredited.
    if end_date == contract.end_date and plan.is_empty:
        raise BillingError(
            END_UNCHANGED.format(end=day_label(end_date)) if end_date else END_ALREADY_OPEN
        )
    return plan


@transaction.atomic
def contract_end(
    *,
    contract: BillingContract,
    end_date: date | None,
    user: Actor,
    door: str = Door.MANUAL,
    expected_fingerprint: str | None = None,
) -> EndPlan:
    """Set (or move, or remove) the contract's end date, crediting the invoiced days after
    it and billing again the credited days it no longer ends before. One transaction: the
    contract and its touched invoices locked; a refusal writes nothing."""
    contract = BillingContract.objects.select_for_update().get(pk=contract.pk)
    list(_touched_invoices(contract, end_date).select_for_update(of=("self",)))
    plan = contract_end_plan(contract=contract, end_date=end_date)
    if expected_fingerprint is not None and plan.fingerprint() != expected_fingerprint:
        raise EndPreviewOutdated(END_PREVIEW_OUTDATED)
    user_id = getattr(recorded_actor(user), "pk", None)
    reason = VOIDED_REASON.format(end=day_label(end_date)) if end_date else ""
    for invoice in plan.voided:
        invoice_void(invoice=invoice, user=user, reason=reason, door=door)
    credit_notes_write(plan.credit_notes, door=door, user_id=user_id)
    drafts_write(plan.billed_again, provenance=Provenance(door=door, user_id=user_id))
    _schedules_move(plan)
    contract.end_date = end_date
    contract_save(contract=contract, changed_fields={"end_date"})
    audit_record(
        user=user,
        door=door,
        action=AuditEvent.Action.CONTRACT_END_MOVED,
        contract=contract,
        detail=_audit_detail(plan, contract.currency),
    )
    return plan


def _refuse_before_start(contract: BillingContract, end_date: date | None) -> None:
    if end_date is None:
        return
    try:
        cycles.validate_day(end_date, "The end date")
    except ValueError as error:
        raise BillingError(str(error)) from error
    if end_date < contract.start_date:
        raise BillingError(
            END_BEFORE_START.format(end=day_label(end_date), start=day_label(contract.start_date))
        )


def _touched_invoices(contract: BillingContract, end_date: date | None) -> QuerySet[Invoice]:
    """The contract's live regular invoices the end date changes: those billing days after
    it, and those whose cycle an earlier end date cut (their credited days)."""
    touched = Q(schedule__period_end__lt=F("period_end"))
    if end_date is not None:
        touched |= Q(period_end__gt=end_date)
    return (
        Invoice.objects.live_regular()
        .filter(touched, contract=contract)
        .select_related("schedule")
        .order_by("period_start", "id")
    )


def _plan_invoice(
    plan: EndPlan, contract: BillingContract, invoice: Invoice, lines: Sequence[LineLeft]
) -> None:
    schedule = invoice.schedule
    assert schedule is not None  # a regular invoice always has its schedule
    cut_before = schedule.period_end if schedule.period_end < invoice.period_end else None
    end = plan.end_date
    cut_after = end if end is not None and end < invoice.period_end else None
    if cut_after is not None and (cut_before is None or cut_after < cut_before):
        _refuse_if_paid(invoice, schedule.period_end)
    move = ScheduleMove(
        schedule.pk, schedule.cycle_index, invoice.period_start, schedule.period_end
    )
    if cut_after is not None and cut_after < invoice.period_start:
        plan.voided.append(invoice)
        plan.cancelled.append(move)
        return
    full_days = cycles.cycle_at(
        contract.start_date, contract.billing_frequency, schedule.cycle_index
    ).full_days
    taken: list[CreditLineDraft] = []
    again: list[DraftLine] = []
    for line in lines:
        _plan_line(line, cut_before, cut_after, full_days, contract.currency, taken, again)
    if taken:
        plan.credit_notes.append(
            CreditNoteDraft(
                invoice_id=invoice.pk,
                reason=ENDED_REASON.format(end=day_label(cut_after or invoice.period_end)),
                lines=taken,
                period=(
                    min(line.period_start for line in taken),
                    max(line.period_end for line in taken),
                ),
            )
        )
        plan.credited_numbers[invoice.pk] = invoice.number
    if again:
        plan.billed_again.append(
            _billed_again_draft(
                contract=contract,
                lines=again,
                period=(
                    min(line.period_start for line in again),
                    max(line.period_end for line in again),
                ),
                as_of=timezone.localdate(),
                closed_months=PostingPeriod.objects.closed_months(),
            )
        )
    plan.cut.append(replace(move, new_end=cut_after or invoice.period_end))


def _plan_line(
    line: LineLeft,
    cut_before: date | None,
    cut_after: date | None,
    full_days: int,
    currency: str,
    taken: list[CreditLineDraft],
    again: list[DraftLine],
) -> None:
    """The line's share of the move: a credit line when the end comes earlier than the
    cycle's current cut, a line billed again when it comes later."""
    if line.amount <= 0:
        return

    def after(end: date | None) -> tuple[Decimal, Decimal]:
        return billed_after_end(
            quantity=line.quantity,
            unit_price=line.unit_price,
            tax_rate=line.tax_rate,
            period_start=line.period_start,
            period_end=line.period_end,
            cycle_days=full_days,
            end_date=end,
            currency=currency,
        )

    (amount_now, tax_now), (amount_new, tax_new) = after(cut_before), after(cut_after)
    days = abs(
        days_after_end(line.period_start, line.period_end, cut_after)
        - days_after_end(line.period_start, line.period_end, cut_before)
    )
    if not days:
        return
    earlier, later = sorted((cut_before or line.period_end, cut_after or line.period_end))
    start = max(line.period_start, earlier + timedelta(days=1))
    end = min(line.period_end, later)
    share = Fraction(days, full_days)
    proration = (Decimal(share.numerator) / Decimal(share.denominator)).quantize(PRORATION_PLACES)
    if amount_new > amount_now:
        amount, tax = within_left(
            amount_new - amount_now, tax_new - tax_now, line.amount_left, line.tax_left
        )
        if amount or tax:
            taken.append(
                CreditLineDraft(
                    description=f"{line.description}: {days} day(s) after the contract's end",
                    quantity=-line.quantity,
                    unit_price=line.unit_price,
                    period_start=start,
                    period_end=end,
                    proration=proration,
                    amount=-amount,
                    tax_rate=line.tax_rate,
                    tax_amount=-tax,
                    credited_line_id=line.id,
                    contract_line_id=line.contract_line_id,
                )
            )
    elif amount_now > amount_new:
        again.append(
            DraftLine(
                contract_line_id=line.contract_line_id,
                description=f"{line.description}: {days} day(s) billed again, the contract's "
                "end moved",
                quantity=line.quantity,
                unit_price=line.unit_price,
                period_start=start,
                period_end=end,
                proration=share,
                amount=amount_now - amount_new,
                tax_rate=line.tax_rate,
                tax_amount=tax_now - tax_new,
            )
        )


def _refuse_if_paid(invoice: Invoice, cycle_end: date) -> None:
    if invoice.is_paid:
        raise BillingError(
            END_BEFORE_PAID_CYCLE.format(
                number=invoice.number,
                period=f"{day_label(invoice.period_start)} – {day_label(invoice.period_end)}",
                last=day_label(cycle_end),
            )
        )


def _plan_pending(plan: EndPlan, contract: BillingContract) -> None:
    """Pending cycles the new end cuts or cancels; cancelled ones it re-opens."""
    end, before = plan.end_date, plan.end_before
    for schedule in contract.schedules.exclude(status=BillingSchedule.Status.INVOICED).order_by(
        "cycle_index"
    ):
        move = ScheduleMove(
            schedule.pk, schedule.cycle_index, schedule.period_start, schedule.period_end
        )
        live = schedule.status != BillingSchedule.Status.CANCELLED
        if live and end is not None and schedule.period_start > end:
            plan.cancelled.append(move)
        elif live and end is not None and schedule.period_end > end:
            plan.cut.append(replace(move, new_end=end))
        elif (
            not live
            and before is not None
            and schedule.period_start > before
            and (end is None or schedule.period_start <= end)
        ):
            plan.reopened.append(move)


def _schedules_move(plan: EndPlan) -> None:
    """Cut the invoiced cycles at the end date (the Pending ones follow the contract's terms
    in contract_save) and re-open the cancelled cycles the contract has again."""
    now = timezone.now()
    for move in plan.cut:
        BillingSchedule.objects.filter(
            pk=move.schedule_id, status=BillingSchedule.Status.INVOICED
        ).update(period_end=move.new_end, updated_at=now)
    BillingSchedule.objects.filter(
        pk__in=[move.schedule_id for move in plan.reopened],
        status=BillingSchedule.Status.CANCELLED,
    ).update(status=BillingSchedule.Status.PENDING, resulting_invoice=None, updated_at=now)


def _audit_detail(plan: EndPlan, currency: str) -> str:
    end = day_label(plan.end_date) if plan.end_date else "none"
    before = day_label(plan.end_before) if plan.end_before else "none"
    return (
        f"End date {before} → {end}: {len(plan.credit_notes)} credit note(s) "
        f"({currency} {plan.credited_total}), {len(plan.voided)} invoice(s) voided, "
        f"{len(plan.billed_again)} invoice(s) billing credited days again "
        f"({currency} {plan.billed_again_total})."
    )
