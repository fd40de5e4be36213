"""Credit notes issued by hand: a manager takes back part or all of an issued invoice, line by
line, for a reason (a discount agreed after the fact, a service not delivered in full).

The page previews exactly what `credit_note_issue` then writes: both draft with
`credit_note_draft`, the issue again under the invoice's row lock, so a credit issued
meanwhile by someone else is counted before this one is allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from billing_site.actors import Actor, recorded_actor
from billing_site.locales import site_locale
from invoicing import errors
from invoicing.credit_drafts import CreditLineDraft, CreditNoteDraft, LineLeft
from invoicing.errors import GenerationError
from invoicing.line_amounts import credit_tax, credit_units, within_minor_unit
from invoicing.models import Door, Invoice
from invoicing.money import minor_unit
from invoicing.money_format import format_money
from invoicing.selectors.lines_left import invoice_lines_left
from invoicing.services.crediting import credit_notes_write


@dataclass(frozen=True)
class CreditedLine:
    """An invoice line and what the credit note takes back from it."""

    line: LineLeft
    credit: CreditLineDraft

    @property
    def left_after(self) -> Decimal:
        return self.line.amount_left + self.credit.amount


@dataclass(frozen=True)
class CreditPreview:
    """What a credit note would take back: each line credited with what it had left, and
    what is left to credit on the invoice afterwards."""

    invoice: Invoice
    draft: CreditNoteDraft
    lines: list[CreditedLine]

    @property
    def left_after(self) -> Decimal:
        return self.invoice.uncredited + self.draft.total


def credit_note_draft(
    *, invoice: Invoice, amounts: Mapping[int, Decimal], reason: str
) -> CreditPreview:
    """The credit note taking back `amounts` (invoice line id -> net amount, positive) of
    the invoice as it stands; refused with a message on any amount it cannot take back."""
    _ensure_creditable(invoice, reason, amounts)
    lines = {line.id: line for line in invoice_lines_left([invoice.pk]).get(invoice.pk, [])}
    for line_id, amount in amounts.items():
        if line_id not in lines:
            raise GenerationError(
                errors.CREDIT_LINE_NOT_ON_INVOICE.format(line=line_id, number=invoice.number)
            )
        _ensure_amount_fits(amount, lines[line_id], invoice.currency)
    credited = [
        CreditedLine(line, _credit_line(line, amounts[line.id], invoice.currency))
        for line in lines.values()
        if line.id in amounts
    ]
    draft = CreditNoteDraft(
        invoice_id=invoice.pk, reason=reason.strip(), lines=[row.credit for row in credited]
    )
    if -draft.total > invoice.uncredited:
        left = format_money(invoice.uncredited, invoice.currency, site_locale())
        raise GenerationError(errors.CREDIT_EXCEEDS_LEFT.format(number=invoice.number, left=left))
    return CreditPreview(invoice=invoice, draft=draft, lines=credited)


@transaction.atomic
def credit_note_issue(
    *,
    invoice: Invoice,
    amounts: Mapping[int, Decimal],
    reason: str,
    user: Actor = None,
    door: str = Door.MANUAL,
) -> Invoice:
    """Issue a credit note taking back `amounts` of a live invoice, paid or not (on a paid
    one it is money owed back to the customer); returns the credit note."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    preview = credit_note_draft(invoice=invoice, amounts=amounts, reason=reason)
    [note_id] = credit_notes_write(
        [preview.draft], door=door, user_id=getattr(recorded_actor(user), "pk", None)
    )
    return Invoice.objects.get(pk=note_id)


def _ensure_creditable(invoice: Invoice, reason: str, amounts: Mapping[int, Decimal]) -> None:
    if invoice.is_credit_note:
        raise GenerationError(errors.CREDIT_OF_CREDIT_NOTE.format(number=invoice.number))
    if not invoice.is_live:
        status = invoice.get_status_display().lower()
        raise GenerationError(errors.CREDIT_INACTIVE.format(number=invoice.number, status=status))
    if not reason.strip():
        raise GenerationError(errors.CREDIT_REASON_REQUIRED)
    if not amounts:
        raise GenerationError(errors.CREDIT_NOTHING.format(number=invoice.number))


def _ensure_amount_fits(amount: Decimal, line: LineLeft, currency: str) -> None:
    if not amount > 0:
        raise GenerationError(
            errors.CREDIT_AMOUNT_NOT_POSITIVE.format(description=line.description)
        )
    if not within_minor_unit(amount, currency):
        raise GenerationError(
            errors.CREDIT_AMOUNT_DECIMALS.format(
                description=line.description,
                currency=currency,
                decimals=minor_unit(currency),
                amount=amount,
            )
        )
    if amount > line.amount_left:
        left = format_money(max(line.amount_left, Decimal(0)), currency, site_locale())
        raise GenerationError(
            errors.CREDIT_LINE_EXCEEDS_LEFT.format(description=line.description, left=left)
        )


def _credit_line(line: LineLeft, amount: Decimal, currency: str) -> CreditLineDraft:
    """The credit note's line taking `amount` back from `line`: amounts negative."""
    tax = credit_tax(
        amount,
        amount_left=line.amount_left,
        tax_left=line.tax_left,
        tax_rate=line.tax_rate,
        currency=currency,
    )
    units, unit_price = credit_units(
        amount, quantity=line.quantity, unit_price=line.unit_price, proration=line.proration
    )
    return CreditLineDraft(
        description=line.description,
        quantity=-units,
        unit_price=unit_price,
        period_start=line.period_start,
        period_end=line.period_end,
        proration=Decimal(1),  # whole units are only shown for a line over its full cycle
        amount=-amount,
        tax_rate=line.tax_rate,
        tax_amount=-tax,
        credited_line_id=line.id,
        contract_line_id=line.contract_line_id,
        change_id=line.change_id,
    )
