"""What ending a contract would write, as data: the plan end_plan.py computes, the End
contract page previews and `contract_end` carries out."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from invoicing.credit_drafts import CreditNoteDraft
from invoicing.drafting import InvoiceDraft


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
