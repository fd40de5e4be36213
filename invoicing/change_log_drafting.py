"""What a contract's change-log billing writes, computed in memory: its increases on one
change-log invoice, its decreases on credit notes, one per invoice they take back part of.

A decrease is taken back from the live regular invoice of the cycle that contains it
(the issue: a credit note always references the invoice it corrects), line for line:
each credit line names the invoice line of its contract line whose period holds the
change. The lines are the ones `change_line` drafts for every change (delta × unit price
× the rest of the cycle, rounded once per line), so a decrease credits exactly what the
change-log invoice used to bill negatively. Pure: the caller loads the rows.

Warning: a credit note is never voided or replaced; changing these rules changes what
the next run credits, never what was credited.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from invoicing import errors
from invoicing.decrease_credits import CreditTarget, LeftTracker, decrease_parts
from invoicing.drafting import (
    BilledChange,
    ContractTerms,
    DraftLine,
    InvoiceDraft,
    change_line,
    cycle_label,
    day_label,
    draft_change_log_invoice,
)
from invoicing.errors import ChangeOutsideContract, GenerationError
from invoicing.line_amounts import DocumentTotals, document_totals
from schedules import cycles

if TYPE_CHECKING:  # a pure module: the loaded rows are only described here
    from invoicing.selectors.billing_data import BillingData


class CreditDraft(NamedTuple):
    """A credit note taking back decreases from one invoice: negative lines, rounded."""

    contract_id: int
    invoice_id: int
    invoice_number: str
    currency: str
    lines: tuple[DraftLine, ...]
    credited_line_ids: tuple[int | None, ...]

    @property
    def totals(self) -> DocumentTotals:
        return document_totals(self.lines)

    @property
    def subtotal(self) -> Decimal:
        return self.totals.subtotal

    @property
    def tax_total(self) -> Decimal:
        return self.totals.tax_total

    @property
    def total(self) -> Decimal:
        return self.totals.total

    @property
    def period(self) -> tuple[date, date]:
        """The days it takes back: from the first decrease to the end of its cycle."""
        return (
            min(line.period_start for line in self.lines),
            max(line.period_end for line in self.lines),
        )

    @property
    def covered_change_ids(self) -> tuple[int, ...]:
        return tuple(line.change_id for line in self.lines if line.change_id is not None)


class ChangeLogDrafts(NamedTuple):
    """Everything one contract's change-log billing writes: an invoice of its increases
    (None without any) and a credit note per invoice its decreases take back from."""

    contract_id: int
    invoice: InvoiceDraft | None
    credit_notes: tuple[CreditDraft, ...]

    @property
    def documents(self) -> int:
        return (self.invoice is not None) + len(self.credit_notes)

    def fingerprint(self) -> str:
        """A digest of every document it would write, to detect a contract changed
        between a preview and its confirmation."""
        content = {
            "invoice": self.invoice.fingerprint() if self.invoice else None,
            "credit_notes": [
                [note.invoice_number, [_line_content(line) for line in note.lines]]
                for note in self.credit_notes
            ],
        }
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:32]


def is_decrease(change: BilledChange) -> bool:
    return change.quantity_after < change.quantity_before


def is_within(contract: ContractTerms, change: BilledChange) -> bool:
    """Whether the change falls on a day of the contract, where a billing cycle holds it."""
    day = change.effective_date
    return contract.start_date <= day and (contract.end_date is None or day <= contract.end_date)


def decrease_cycle_indexes(contract: ContractTerms, changes: Sequence[BilledChange]) -> set[int]:
    """The cycles whose invoices the decreases among these changes take back from (a
    change outside the contract has none: drafting refuses it)."""
    return {
        cycles.cycle_index_containing(
            contract.start_date, contract.billing_frequency, change.effective_date
        )
        for change in changes
        if is_decrease(change) and is_within(contract, change)
    }


def changes_outside_refuse(
    data: BillingData, contract_id: int, changes: Sequence[BilledChange]
) -> None:
    """Refuse (ChangeOutsideContract) billing a change dated outside the contract: no
    cycle holds it, and billing the contract's other changes without it would hide it."""
    contract = data.contracts[contract_id]
    for change in changes:
        if is_within(contract, change):
            continue
        descriptions = {line.id: line.description for line in data.lines.get(contract_id, [])}
        raise ChangeOutsideContract(
            errors.CHANGE_OUTSIDE_CONTRACT.format(
                line=descriptions.get(change.line_id, f"#{change.line_id}"),
                day=day_label(change.effective_date),
                before=f"{change.quantity_before.normalize():f}",
                after=f"{change.quantity_after.normalize():f}",
                start=day_label(contract.start_date),
                end=day_label(contract.end_date) if contract.end_date else "open-ended",
            )
        )


def draft_change_log(
    *,
    data: BillingData,
    contract_id: int,
    changes: Sequence[BilledChange],
    targets: Mapping[int, CreditTarget],
    as_of: date,
    replaces_id: int | None = None,
    closed_months: Collection[date] = frozenset(),
) -> ChangeLogDrafts:
    """The documents billing these changes: `targets` maps a cycle index to its live
    regular invoice; a decrease in a cycle without one, or a change outside the contract's
    dates, is refused."""
    changes_outside_refuse(data, contract_id, changes)
    credit_notes, nothing_back = _credit_drafts(
        data, contract_id, [change for change in changes if is_decrease(change)], targets
    )
    # A decrease that takes nothing back (a free line) is billed on the invoice, at zero: a
    # credit note of nothing would be refused, and the change must still be billed once.
    invoiced = [c for c in changes if not is_decrease(c) or c.id in nothing_back]
    invoice = None
    if invoiced:
        invoice = draft_change_log_invoice(
            data=data,
            contract_id=contract_id,
            changes=invoiced,
            as_of=as_of,
            replaces_id=replaces_id,
            closed_months=closed_months,
        )
    return ChangeLogDrafts(contract_id=contract_id, invoice=invoice, credit_notes=credit_notes)


def _credit_drafts(
    data: BillingData,
    contract_id: int,
    decreases: Sequence[BilledChange],
    targets: Mapping[int, CreditTarget],
) -> tuple[tuple[CreditDraft, ...], set[int]]:
    """One credit draft per invoice taken back from, in the order of the changes, and the
    ids of the decreases that take nothing back."""
    contract = data.contracts[contract_id]
    lines_by_id = {line.id: line for line in data.lines.get(contract_id, [])}
    by_invoice: dict[int, tuple[CreditTarget, list[DraftLine], list[int | None]]] = {}
    nothing_back: set[int] = set()
    left = LeftTracker()
    for change in decreases:
        cycle = cycles.cycle_containing(
            contract.start_date,
            contract.billing_frequency,
            change.effective_date,
            contract.end_date,
        )
        line = change_line(change, lines_by_id[change.line_id], cycle, contract.currency)
        if not line.amount and not line.tax_amount:
            nothing_back.add(change.id)
            continue
        target = targets.get(cycle.index)
        if target is None:
            raise GenerationError(
                errors.NO_INVOICE_TO_CREDIT.format(
                    day=day_label(change.effective_date), cycle=cycle_label(cycle.start, cycle.end)
                )
            )
        for invoice, part, credited_line_id in decrease_parts(line, target, change.line_id, left):
            _, lines, credited = by_invoice.setdefault(invoice.invoice_id, (invoice, [], []))
            lines.append(part)
            credited.append(credited_line_id)
    notes = tuple(
        CreditDraft(
            contract_id=contract_id,
            invoice_id=target.invoice_id,
            invoice_number=target.number,
            currency=contract.currency,
            lines=tuple(lines),
            credited_line_ids=tuple(credited),
        )
        for target, lines, credited in by_invoice.values()
    )
    return notes, nothing_back


def _line_content(line: DraftLine) -> list[str]:
    return [
        line.description,
        str(line.quantity),
        str(line.unit_price),
        str(line.period_start),
        str(line.period_end),
        str(line.proration),
        str(line.amount),
        str(line.tax_rate),
        str(line.tax_amount),
    ]
